// The thin SIMD layer: one float vector type, VecF32, whose width and instructions are
// picked at compile time from the target (AVX2+FMA, WASM SIMD128, or a scalar fallback).
// Kernels are written once against this interface; intrinsics appear only under simd/.
#pragma once

#if defined(__AVX2__) && defined(__FMA__)
#include "simd/avx2.h"
#elif defined(__wasm_simd128__)
#include "simd/wasm128.h"
#else
#include "simd/scalar.h"
#endif

namespace wisp::simd {

// Name of the compiled-in backend, for `wisp info` / benchmarks.
inline const char* backend_name() { return kBackendName; }

}  // namespace wisp::simd
