// The GEMM kernels compiled for avx512 (this file alone gets -mavx512f -mavx512bw -mavx512vl -mfma, see core/CMakeLists.txt);
// only called once the dispatcher has checked that the CPU supports it.
#include "core/kernels/gemm_kernel_set.h"

namespace wisp::kernels::isa {

#if defined(WISP_SIMD_HAVE_AVX512) && defined(WISP_SIMD_DISPATCH_X86)
const GemmKernelSet* avx512() {
  static const GemmKernelSet set = detail::make_gemm_kernel_set<simd::Avx512F32>("avx512");
  return &set;
}
#else
const GemmKernelSet* avx512() { return nullptr; }
#endif

}  // namespace wisp::kernels::isa
