#!/bin/sh
# Cross-builds tests/simd/simd_check.cpp with the GEMM kernels for AArch64 (NEON backend)
# and runs it under qemu-user. Needs Debian's g++-aarch64-linux-gnu and qemu-user.
#   tests/simd/neon_qemu.sh [build-dir]      (default build/simd-neon)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/build/simd-neon}
CXX=${CXX_AARCH64:-aarch64-linux-gnu-g++}
command -v "$CXX" >/dev/null || { echo "missing $CXX (apt-get install g++-aarch64-linux-gnu)" >&2; exit 2; }
command -v qemu-aarch64 >/dev/null || { echo "missing qemu-aarch64 (apt-get install qemu-user)" >&2; exit 2; }
mkdir -p "$OUT"
# The kernel files plus the thread pool they use; the isa/ files compile to stubs here.
"$CXX" -std=c++20 -O2 -Wall -Wextra -Wno-unused-parameter -fno-exceptions -DWISP_HAS_THREADS=1 -I"$ROOT" \
  "$ROOT/tests/simd/simd_check.cpp" "$ROOT"/core/kernels/gemm.cpp "$ROOT"/core/kernels/gemm_pack.cpp \
  "$ROOT"/core/kernels/gemm_dispatch.cpp "$ROOT"/core/kernels/isa/*.cpp "$ROOT/core/runtime/thread_pool.cpp" \
  -pthread -o "$OUT/simd_check_aarch64"
exec qemu-aarch64 -L /usr/aarch64-linux-gnu "$OUT/simd_check_aarch64"
