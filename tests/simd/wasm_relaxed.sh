#!/bin/sh
# Builds tests/simd/simd_check.cpp with the GEMM kernels for wasm32-wasi twice, plain SIMD128
# and relaxed SIMD (-mrelaxed-simd: Wasm128RelaxedF32), with clang-16, and runs both under
# Node (relaxed SIMD needs --experimental-wasm-relaxed-simd in Node 20).
#   tests/simd/wasm_relaxed.sh [build-dir]      (default build/simd-wasm)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/build/simd-wasm}
CXX=${CXX_WASI:-clang++-16}
mkdir -p "$OUT"
# Compiled with -O2 but linked without -O: clang runs Debian's binaryen 108 wasm-opt at an
# optimising link, and that wasm-opt cannot parse the standard relaxed-SIMD opcodes.
build() {  # name, extra flags
  name=$1
  shift
  mkdir -p "$OUT/$name.o"
  objs=""
  for src in tests/simd/simd_check.cpp core/kernels/gemm.cpp core/kernels/gemm_pack.cpp \
      core/kernels/gemm_dispatch.cpp core/kernels/isa/gemm_avx512.cpp core/kernels/isa/gemm_avx2.cpp \
      core/kernels/isa/gemm_sse4.cpp core/runtime/thread_pool.cpp; do
    obj="$OUT/$name.o/$(basename "$src" .cpp).o"
    "$CXX" --target=wasm32-wasi --sysroot=/usr -isystem /usr/lib/llvm-16/include/wasm32-wasi/c++/v1 \
      -std=c++20 -O2 -Wall -Wextra -Wno-unused-parameter -Wno-unused-variable -fno-exceptions \
      -DWISP_HAS_THREADS=0 -msimd128 "$@" -I"$ROOT" -c "$ROOT/$src" -o "$obj"
    objs="$objs $obj"
  done
  # shellcheck disable=SC2086
  "$CXX" --target=wasm32-wasi --sysroot=/usr -L/usr/lib/llvm-16/lib/wasm32-wasi $objs -o "$OUT/$name.wasm"
}
build simd_check_simd128
build simd_check_relaxed -mrelaxed-simd
node "$ROOT/wasi/run-wasi.mjs" "$OUT/simd_check_simd128.wasm"
node --experimental-wasm-relaxed-simd "$ROOT/wasi/run-wasi.mjs" "$OUT/simd_check_relaxed.wasm"
if command -v wasm-objdump >/dev/null; then
  n=$(wasm-objdump -d "$OUT/simd_check_relaxed.wasm" | grep -c 'relaxed_madd' || true)
  echo "f32x4.relaxed_madd instructions in the relaxed build: $n"
fi
