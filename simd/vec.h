// The thin SIMD layer. Each backend is its own vector type with the same interface:
//
//   kLanes, kName                       lane count and backend name
//   zero(), broadcast(x)
//   load(p) / store(p)                  aligned to kLanes * 4 bytes
//   loadu(p) / storeu(p)                any alignment
//   load_partial(p, n) / store_partial  the first n lanes (tails of loops)
//   + - *, fma(a, b, c) = a*b + c, max, min, reduce_add(), reduce_max()
//
// Backends: ScalarF32<N> (portable), Sse4F32 (x86 SSE4.1, 4 lanes, unfused fma),
// Avx2F32 (x86 AVX2+FMA, 8 lanes), Avx512F32 (x86 AVX-512 F/BW/VL, 16 lanes), NeonF32
// (AArch64, 4 lanes), Wasm128F32 (WASM SIMD128, 4 lanes) and Wasm128RelaxedF32 (relaxed
// SIMD: fused madd, relaxed min/max). F32x names the best one this translation unit is
// compiled for, chosen from the compiler's predefined macros.
//
// Kernels are templates over the vector type (`template <class V> void kernel(...)`).
// Natively the core is compiled for the AVX2 baseline (F32x = Avx2F32), and the hot
// kernels are additionally compiled once per x86 ISA in their own files with their own
// flags and picked at run time (core/kernels/gemm_dispatch.h). Intrinsics appear only
// under simd/ and in core/kernels/.
#pragma once

#include "simd/avx2.h"
#include "simd/avx512.h"
#include "simd/neon.h"
#include "simd/scalar.h"
#include "simd/sse4.h"
#include "simd/wasm128.h"

namespace wisp::simd {

#if defined(WISP_SIMD_HAVE_AVX512)
using F32x = Avx512F32;
#elif defined(WISP_SIMD_HAVE_AVX2)
using F32x = Avx2F32;
#elif defined(WISP_SIMD_HAVE_SSE4)
using F32x = Sse4F32;
#elif defined(WISP_SIMD_HAVE_NEON)
using F32x = NeonF32;
#elif defined(WISP_SIMD_HAVE_WASM_RELAXED)
using F32x = Wasm128RelaxedF32;
#elif defined(WISP_SIMD_HAVE_WASM128)
using F32x = Wasm128F32;
#else
using F32x = ScalarF32<4>;
#endif
using VecF32 = F32x;  // older name

// Name of the backend this translation unit is compiled for (the baseline of the core).
// The GEMM picks its own kernels at run time: see kernels::gemm_isa_name().
inline const char* backend_name() { return F32x::kName; }

}  // namespace wisp::simd
