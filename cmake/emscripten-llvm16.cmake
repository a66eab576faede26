# Points Debian's Emscripten 3.1.6 (which expects clang-14) at LLVM 16, for the relaxed-SIMD
# web variants: clang-14 only knows the pre-standard relaxed opcodes, clang-16 emits the
# standard ones (see /work/shared/TOOLCHAIN.md).
#
# wisp_llvm16_shim(DIR OUT_VAR) makes DIR a folder of symlinks named as Emscripten looks for
# them (clang-14, wasm-ld-14, ... and the unsuffixed names) into /usr/lib/llvm-16/bin, and
# sets OUT_VAR to DIR, or to "" when LLVM 16 (clang + lld) is not installed. Emscripten uses
# it when EM_LLVM_ROOT=DIR is in the environment of every emcc call (configure and build).
#
# Binaryen 108 (Debian) cannot read the standard relaxed opcodes either, so those builds
# also need EMCC_READ_METADATA=python and a link without binaryen passes (web/CMakeLists.txt).
function(wisp_llvm16_shim dir out_var)
  set(llvm16 /usr/lib/llvm-16/bin)
  set(tools clang clang++ wasm-ld llvm-ar llvm-nm llvm-objcopy llvm-ranlib llvm-dwarfdump)
  foreach(tool IN LISTS tools)
    if(NOT EXISTS ${llvm16}/${tool})
      message(WARNING "relaxed-SIMD web variants skipped: ${llvm16}/${tool} is missing "
                      "(Debian packages clang-16, lld-16, llvm-16)")
      set(${out_var} "" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  file(MAKE_DIRECTORY ${dir})
  foreach(tool IN LISTS tools)
    file(CREATE_LINK ${llvm16}/${tool} ${dir}/${tool} SYMBOLIC)
    file(CREATE_LINK ${llvm16}/${tool} ${dir}/${tool}-14 SYMBOLIC)
  endforeach()
  set(${out_var} ${dir} PARENT_SCOPE)
endfunction()
