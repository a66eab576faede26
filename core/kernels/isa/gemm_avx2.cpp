// The GEMM kernels compiled for avx2 (this file alone gets -mavx2 -mfma, see core/CMakeLists.txt);
// only called once the dispatcher has checked that the CPU supports it.
#include "core/kernels/gemm_kernel_set.h"

namespace wisp::kernels::isa {

#if defined(WISP_SIMD_HAVE_AVX2) && defined(WISP_SIMD_DISPATCH_X86)
const GemmKernelSet* avx2() {
  static const GemmKernelSet set = detail::make_gemm_kernel_set<simd::Avx2F32>("avx2");
  return &set;
}
#else
const GemmKernelSet* avx2() { return nullptr; }
#endif

}  // namespace wisp::kernels::isa
