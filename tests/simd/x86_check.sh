#!/bin/sh
# Builds tests/simd/simd_check.cpp with the GEMM kernels for each x86 level the CPU runs
# (AVX-512, AVX2, SSE4.1 without AVX, plain x86-64) so that F32x is that level's vector type,
# and runs them: the vector-type checks the baseline unit tests cannot compile (Avx512F32).
#   tests/simd/x86_check.sh [build-dir]      (default build/simd-x86)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/build/simd-x86}
CXX=${CXX:-g++}
mkdir -p "$OUT"
status=0
for level in avx512 avx2 sse4 x86-64; do
  case $level in
    avx512) flags="-mavx512f -mavx512bw -mavx512vl -mavx2 -mfma"; need=avx512bw ;;
    avx2) flags="-mavx2 -mfma"; need=avx2 ;;
    sse4) flags="-msse4.1"; need=sse4_1 ;;
    *) flags=""; need=sse2 ;;
  esac
  if ! grep -qw "$need" /proc/cpuinfo; then echo "$level: CPU lacks $need, skipped"; continue; fi
  # shellcheck disable=SC2086
  "$CXX" -std=c++20 -O2 -Wall -Wextra -Wno-unused-parameter -Wno-maybe-uninitialized -fno-exceptions \
    -DWISP_HAS_THREADS=1 $flags -I"$ROOT" "$ROOT/tests/simd/simd_check.cpp" "$ROOT"/core/kernels/gemm.cpp \
    "$ROOT"/core/kernels/gemm_pack.cpp "$ROOT"/core/kernels/gemm_dispatch.cpp "$ROOT"/core/kernels/isa/*.cpp \
    "$ROOT/core/runtime/thread_pool.cpp" -pthread -o "$OUT/simd_check_$level"
  printf '%s: ' "$level"
  "$OUT/simd_check_$level" | tail -1 || status=1
  "$OUT/simd_check_$level" | head -1
done
exit $status
