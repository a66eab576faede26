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
  if(WISP_SANITIZE)
    target_compile_options(wisp_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(wisp_flags INTERFACE -fsanitize=address,undefined)
  endif()
elseif(WISP_TARGET STREQUAL "web")
  target_compile_options(wisp_flags INTERFACE -msimd128)
  target_compile_definitions(wisp_flags INTERFACE WISP_HAS_THREADS=0 WISP_HAS_MMAP=0)
elseif(WISP_TARGET STREQUAL "wasi")
  target_compile_options(wisp_flags INTERFACE -msimd128)
  target_compile_definitions(wisp_flags INTERFACE WISP_HAS_THREADS=0 WISP_HAS_MMAP=0)
endif()
