// WebAssembly SIMD128 backends of the SIMD layer: 4 floats per vector.
//
// Wasm128F32 is plain SIMD128: there is no fused multiply-add, so fma() is a multiply then
// an add. Wasm128RelaxedF32 is the relaxed-SIMD flavour (built with -mrelaxed-simd): fma()
// is f32x4.relaxed_madd, which the engine may fuse (one rounding, x86 FMA / ARM FMLA) or not
// (two roundings), and min/max are relaxed_min/max (NaN and +-0 ordering left to the
// engine). Kernels must therefore not depend on the rounding of fma() nor on min/max of NaN.
//
// The relaxed type needs the standard relaxed-SIMD builtins of clang >= 16
// (__builtin_wasm_relaxed_madd_f32x4). clang-14 (Debian's Emscripten 3.1.6) only has a
// pre-standard prototype with other opcodes that current engines reject; with it a
// -mrelaxed-simd build falls back to Wasm128F32 and says so at compile time.
#pragma once

#if defined(__wasm_simd128__)
#define WISP_SIMD_HAVE_WASM128 1

#include <wasm_simd128.h>

#if defined(__wasm_relaxed_simd__) && defined(__has_builtin)
#if __has_builtin(__builtin_wasm_relaxed_madd_f32x4) && __has_builtin(__builtin_wasm_relaxed_min_f32x4)
#define WISP_SIMD_HAVE_WASM_RELAXED 1
#endif
#endif
#if defined(__wasm_relaxed_simd__) && !defined(WISP_SIMD_HAVE_WASM_RELAXED)
#warning "-mrelaxed-simd without the standard relaxed builtins (clang < 16): using plain SIMD128"
#endif

namespace wisp::simd {

template <bool Relaxed>
struct Wasm128Vec {
  static constexpr int kLanes = 4;
  static constexpr const char* kName = Relaxed ? "wasm-relaxed-simd" : "wasm-simd128";
  v128_t v;

  static Wasm128Vec zero() { return {wasm_f32x4_splat(0.0f)}; }
  static Wasm128Vec broadcast(float x) { return {wasm_f32x4_splat(x)}; }
  // WebAssembly loads never fault on misalignment; load and loadu are the same instruction.
  static Wasm128Vec load(const float* p) { return {wasm_v128_load(p)}; }
  static Wasm128Vec loadu(const float* p) { return {wasm_v128_load(p)}; }
  void store(float* p) const { wasm_v128_store(p, v); }
  void storeu(float* p) const { wasm_v128_store(p, v); }
  // Partial vectors with lane loads and stores: a round trip through a buffer on the stack
  // (which lives in linear memory) costs a failed store-to-load forwarding per call, and the
  // depthwise kernels take one partial vector per tap.
  static Wasm128Vec load_partial(const float* p, int n) {
    switch (n) {
      case 1: return {wasm_v128_load32_zero(p)};
      case 2: return {wasm_v128_load64_zero(p)};
      case 3: return {wasm_v128_load32_lane(p + 2, wasm_v128_load64_zero(p), 2)};
      default: return n <= 0 ? zero() : load(p);
    }
  }
  void store_partial(float* p, int n) const {
    if (n >= 4) return store(p);
    if (n >= 2) wasm_v128_store64_lane(p, v, 0);
    if (n == 1) wasm_v128_store32_lane(p, v, 0);
    if (n == 3) wasm_v128_store32_lane(p + 2, v, 2);
  }

  friend Wasm128Vec operator+(Wasm128Vec a, Wasm128Vec b) { return {wasm_f32x4_add(a.v, b.v)}; }
  friend Wasm128Vec operator-(Wasm128Vec a, Wasm128Vec b) { return {wasm_f32x4_sub(a.v, b.v)}; }
  friend Wasm128Vec operator*(Wasm128Vec a, Wasm128Vec b) { return {wasm_f32x4_mul(a.v, b.v)}; }
  static Wasm128Vec fma(Wasm128Vec a, Wasm128Vec b, Wasm128Vec c) {
#if defined(WISP_SIMD_HAVE_WASM_RELAXED)
    if constexpr (Relaxed) {
      return {(v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)a.v, (__f32x4)b.v, (__f32x4)c.v)};
    }
#endif
    return {wasm_f32x4_add(wasm_f32x4_mul(a.v, b.v), c.v)};
  }
  // pmax/pmin are the cheap "b < a ? a : b" forms, matching x86 maxps (NaN handling aside).
  static Wasm128Vec max(Wasm128Vec a, Wasm128Vec b) {
#if defined(WISP_SIMD_HAVE_WASM_RELAXED)
    if constexpr (Relaxed) return {(v128_t)__builtin_wasm_relaxed_max_f32x4((__f32x4)a.v, (__f32x4)b.v)};
#endif
    return {wasm_f32x4_pmax(a.v, b.v)};
  }
  static Wasm128Vec min(Wasm128Vec a, Wasm128Vec b) {
#if defined(WISP_SIMD_HAVE_WASM_RELAXED)
    if constexpr (Relaxed) return {(v128_t)__builtin_wasm_relaxed_min_f32x4((__f32x4)a.v, (__f32x4)b.v)};
#endif
    return {wasm_f32x4_pmin(a.v, b.v)};
  }
  float reduce_add() const {
    v128_t s = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    s = wasm_f32x4_add(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(s, 0);
  }
  float reduce_max() const {
    v128_t s = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    s = wasm_f32x4_pmax(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(s, 0);
  }
};

using Wasm128F32 = Wasm128Vec<false>;
#if defined(WISP_SIMD_HAVE_WASM_RELAXED)
using Wasm128RelaxedF32 = Wasm128Vec<true>;
#endif

}  // namespace wisp::simd

#endif
