// The GEMM kernels for x86 CPUs without AVX2: SSE4.1 vectors and the portable ScalarF32<4>
// (the reference entry, WISP_SIMD=scalar). This file is compiled with -mno-avx (see
// core/CMakeLists.txt) so neither uses an instruction the dispatcher has not checked.
#include "core/kernels/gemm_kernel_set.h"

namespace wisp::kernels::isa {

#if defined(WISP_SIMD_DISPATCH_X86) && !defined(__AVX__)
#if defined(WISP_SIMD_HAVE_SSE4)
const GemmKernelSet* sse4() {
  static const GemmKernelSet set = detail::make_gemm_kernel_set<simd::Sse4F32>("sse4");
  return &set;
}
#else
const GemmKernelSet* sse4() { return nullptr; }
#endif
const GemmKernelSet* scalar() {
  static const GemmKernelSet set = detail::make_gemm_kernel_set<simd::ScalarF32<4>>("scalar");
  return &set;
}
#else
const GemmKernelSet* sse4() { return nullptr; }
const GemmKernelSet* scalar() { return nullptr; }
#endif

}  // namespace wisp::kernels::isa
