// Runtime selection of the GEMM kernels (internal to core/kernels).
//
// Natively on x86 the micro-kernels and GEMV kernels are compiled once per ISA, each in its
// own file with its own flags (core/kernels/isa/gemm_<isa>.cpp), and one set is picked the
// first time a GEMM runs: the best the CPU supports (__builtin_cpu_supports), or the one
// named by the environment variable WISP_SIMD (avx512 | avx2 | sse4 | scalar). Elsewhere
// (WASM, AArch64) there is one set, compiled with the target's baseline vector type.
//
// The register tile (mr x nr) differs per set, so packed operands remember the geometry
// they were packed for; gemm() repacks one packed for another geometry (only happens when a
// test or benchmark switches sets with set_gemm_isa()).
#pragma once

#include <cstdint>
#include <vector>

#include "core/kernels/depthwise_kernels.h"
#include "core/kernels/gemm_microkernel.h"

namespace wisp::kernels {

using MicroKernelFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int cols,
                               const detail::TileEpilogue& ep);
// y[j] = sum_p x[p] * b[p * ldb + j] for j < n ("axpy" form: B read row by row).
using GemvAxpyFn = void (*)(int64_t k, int64_t n, const float* x, const float* b, int64_t ldb, float* y);
// y[i * incy] = sum_p a[i * lda + p] * x[p] for i < m ("dot" form: A read row by row).
using GemvDotFn = void (*)(int64_t m, int64_t k, const float* a, int64_t lda, const float* x, float* y, int64_t incy);

struct GemmKernelSet {
  const char* name;    // dispatch name: "avx512", "avx2", "sse4", "scalar", or the vector backend's
  const char* vector;  // the SIMD layer type it is compiled with (V::kName)
  int mr, nr;          // register tile
  int64_t kc;          // K block: a B panel of kc x nr floats stays in L1
  int64_t mc;          // rows of A per block (mc x kc floats stay in L2)
  int lanes;           // floats per vector (nr / lanes vectors per tile row)
  // By active vectors - 1 (ceil(valid columns / lanes)) and valid rows - 1.
  MicroKernelFn tile[detail::kMaxNv][detail::kMaxMr];
  GemvAxpyFn gemv_axpy;
  GemvDotFn gemv_dot;
  DepthwiseKernels depthwise;  // compiled for the same ISA (depthwise_kernels.h)
};

// The active set (selected on first use).
const GemmKernelSet& gemm_kernels();
// Every set this CPU can run, best first.
std::vector<const GemmKernelSet*> gemm_kernel_sets();

namespace isa {
// Defined in core/kernels/isa/*.cpp; nullptr when that file was not compiled for its ISA.
const GemmKernelSet* avx512();
const GemmKernelSet* avx2();
const GemmKernelSet* sse4();
const GemmKernelSet* scalar();
}  // namespace isa

}  // namespace wisp::kernels
