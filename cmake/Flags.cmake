# Compiler flags per target. The core never throws, so targets build without exceptions
# unless they set the WISP_EXCEPTIONS property (the Catch2 tests do; a flag added with
# target_compile_options would come before -fno-exceptions and lose).
add_library(wisp_flags INTERFACE)
target_compile_options(wisp_flags INTERFACE -Wall -Wextra -Wno-unused-parameter
                       $<IF:$<BOOL:$<TARGET_PROPERTY:WISP_EXCEPTIONS>>,-fexceptions,-fno-exceptions>)
target_compile_definitions(wisp_flags INTERFACE $<$<CONFIG:Release>:NDEBUG>)

if(WISP_TARGET STREQUAL "native")
  # The core's baseline is still AVX2+FMA. The GEMM kernels are additionally compiled per
  # x86 ISA (core/kernels/isa/*.cpp, flags set per file in core/CMakeLists.txt) and picked at
  # run time, so AVX-512 CPUs get the 16-lane kernels; WISP_SIMD_DISPATCH_X86 turns that on.
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    target_compile_options(wisp_flags INTERFACE -mavx2 -mfma -mf16c)
    target_compile_definitions(wisp_flags INTERFACE WISP_SIMD_DISPATCH_X86=1)
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
  # Coverage instrumentation for the libFuzzer targets is not added here for every target:
  # tests/fuzz/CMakeLists.txt adds it to the core only (not the compute kernels) and picks the
  # optimisation level per class of core files, which keeps the clang build to a few minutes.
elseif(WISP_TARGET STREQUAL "web")
  # One build directory per web variant (web/CMakeLists.txt builds the others as sub-builds):
  # threads change every object (-pthread: atomics, TLS), relaxed SIMD needs clang-16
  # (cmake/emscripten-llvm16.cmake).
  option(WISP_WEB_THREADS "Web build with Emscripten pthreads (Web Workers / worker_threads)" OFF)
  option(WISP_WASM_RELAXED "Web build with relaxed SIMD (-mrelaxed-simd, needs the LLVM 16 shim)" OFF)
  target_compile_options(wisp_flags INTERFACE -msimd128)
  if(WISP_WASM_RELAXED)
    # WISP_WEB_LLVM names the compiler in the flags, so ccache (which does not see
    # EM_LLVM_ROOT) never mixes clang-14 and clang-16 objects.
    target_compile_options(wisp_flags INTERFACE -mrelaxed-simd)
    target_compile_definitions(wisp_flags INTERFACE WISP_WEB_LLVM=16)
    # Every emcc call of this build directory (compile and link) runs with clang-16 and the
    # Python metadata reader (Binaryen 108 cannot parse relaxed opcodes): a launcher sets
    # the environment, so no preset or shell has to.
    include(${PROJECT_SOURCE_DIR}/cmake/emscripten-llvm16.cmake)
    wisp_llvm16_shim(${CMAKE_BINARY_DIR}/llvm16-shim WISP_LLVM16_ROOT)
    if(NOT WISP_LLVM16_ROOT)
      message(FATAL_ERROR "WISP_WASM_RELAXED needs LLVM 16 (clang-16, lld-16, llvm-16)")
    endif()
    set(WISP_RELAXED_LAUNCHER ${CMAKE_COMMAND} -E env EM_LLVM_ROOT=${WISP_LLVM16_ROOT} EMCC_READ_METADATA=python)
    set(CMAKE_C_COMPILER_LAUNCHER ${WISP_RELAXED_LAUNCHER} ${CCACHE_PROGRAM})
    set(CMAKE_CXX_COMPILER_LAUNCHER ${WISP_RELAXED_LAUNCHER} ${CCACHE_PROGRAM})
    set(CMAKE_C_LINKER_LAUNCHER ${WISP_RELAXED_LAUNCHER})
    set(CMAKE_CXX_LINKER_LAUNCHER ${WISP_RELAXED_LAUNCHER})
  endif()
  if(WISP_WEB_THREADS)
    target_compile_options(wisp_flags INTERFACE -pthread)
    target_link_options(wisp_flags INTERFACE -pthread)
    target_compile_definitions(wisp_flags INTERFACE WISP_HAS_THREADS=1 WISP_HAS_MMAP=0)
  else()
    target_compile_definitions(wisp_flags INTERFACE WISP_HAS_THREADS=0 WISP_HAS_MMAP=0)
  endif()
elseif(WISP_TARGET STREQUAL "wasi")
  target_compile_options(wisp_flags INTERFACE -msimd128)
  target_compile_definitions(wisp_flags INTERFACE WISP_HAS_THREADS=0 WISP_HAS_MMAP=0)
endif()
