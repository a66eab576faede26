// The thin SIMD layer. Each backend is its own vector type with the same interface:
//
//   kLanes, kName                       lane count and backend name
//   zero(), broadcast(x)
//   load(p) / store(p)                  aligned to kLanes * 4 bytes
//   loadu(p) / storeu(p)                any alignment
//   load_partial(p, n) / store_partial  the first n lanes (tails of loops)
//   + - *, fma(a, b, c) = a*b + c, max, min, reduce_add(), reduce_max()
//
// Backends: ScalarF32<N> (portable), Avx2F32 (x86 AVX2+FMA, 8 lanes), Wasm128F32 (WASM
// SIMD128, 4 lanes). F32x names the best one this translation unit is compiled for, chosen
// from the compiler's predefined macros. Kernels are templates over the vector type
// (`template <class V> void kernel(...)`) instantiated with F32x, so adding NEON / AVX-512 /
// relaxed SIMD, or compiling one kernel for several targets and dispatching at run time,
// means adding a type here, not rewriting kernels. Intrinsics appear only under simd/ and
// in core/kernels/.
#pragma once

#include "simd/avx2.h"
#include "simd/scalar.h"
#include "simd/wasm128.h"

namespace wisp::simd {

#if defined(WISP_SIMD_HAVE_AVX2)
using F32x = Avx2F32;
#elif defined(WISP_SIMD_HAVE_WASM128)
using F32x = Wasm128F32;
#else
using F32x = ScalarF32<4>;
#endif
using VecF32 = F32x;  // older name

// Name of the compiled-in backend, for `wisp info` / benchmarks.
inline const char* backend_name() { return F32x::kName; }

}  // namespace wisp::simd
