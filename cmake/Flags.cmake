# Compiler flags per target. The core never throws, so targets build without exceptions
# unless they set the WISP_EXCEPTIONS property (the Catch2 tests do; a flag added with
# target_compile_options would come before -fno-exceptions and lose).
add_library(wisp_flags INTERFACE)
target_compile_options(wisp_flags INTERFACE -Wall -Wextra -Wno-unused-parameter
                       $<IF:$<BOOL:$<TARGET_PROPERTY:WISP_EXCEPTIONS>>,-fexceptions,-fno-exceptions>)
target_compile_definitions(wisp_flags INTERFACE $<$<CONFIG:Release>:NDEBUG>)

if(WISP_TARGET STREQUAL "native")
  # Issue #4 replaces this with per-kernel runtime dispatch; until then native needs AVX2+FMA.
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    target_compile_options(wisp_flags INTERFACE -mavx2 -mfma -mf16c)
  endif()
  target_compile_definitions(wisp_flags INTERFACE WISP_HAS_THREADS=1 WISP_HAS_MMAP=1)
  find_package(Threads REQUIRED)
  target_link_libraries(wisp_flags INTERFACE Threads::Threads)
  # WISP_SANITIZE: "address" (ASan + UBSan; ON means the same) or "thread" (TSan).
  if(WISP_SANITIZE STREQUAL "thread")
    set(WISP_SANITIZER_FLAGS -fsanitize=thread)
  elseif(WISP_SANITIZE)
    # Every UBSan finding is an error (exit code != 0), not just a message.
    set(WISP_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined)
  endif()
  if(WISP_SANITIZER_FLAGS)
    target_compile_options(wisp_flags INTERFACE ${WISP_SANITIZER_FLAGS} -fno-omit-frame-pointer)
    target_link_options(wisp_flags INTERFACE ${WISP_SANITIZER_FLAGS})
  endif()
  # Coverage instrumentation for the libFuzzer targets (tests/fuzz); linking the fuzzers adds
  # libFuzzer's main, every other binary of the build runs as usual.
  if(WISP_BUILD_FUZZERS)
    target_compile_options(wisp_flags INTERFACE -fsanitize=fuzzer-no-link)
  endif()
elseif(WISP_TARGET STREQUAL "web")
  target_compile_options(wisp_flags INTERFACE -msimd128)
  target_compile_definitions(wisp_flags INTERFACE WISP_HAS_THREADS=0 WISP_HAS_MMAP=0)
elseif(WISP_TARGET STREQUAL "wasi")
  target_compile_options(wisp_flags INTERFACE -msimd128)
  target_compile_definitions(wisp_flags INTERFACE WISP_HAS_THREADS=0 WISP_HAS_MMAP=0)
endif()
