// WebAssembly SIMD128 backend of the SIMD layer: 4 floats per vector. Without relaxed SIMD
// there is no fused multiply-add, so fma() is a multiply then an add (a relaxed-SIMD
// variant would use wasm_f32x4_relaxed_madd here).
#pragma once

#if defined(__wasm_simd128__)
#define WISP_SIMD_HAVE_WASM128 1

#include <wasm_simd128.h>

namespace wisp::simd {

struct Wasm128F32 {
  static constexpr int kLanes = 4;
  static constexpr const char* kName = "wasm-simd128";
  v128_t v;

  static Wasm128F32 zero() { return {wasm_f32x4_splat(0.0f)}; }
  static Wasm128F32 broadcast(float x) { return {wasm_f32x4_splat(x)}; }
  // WebAssembly loads never fault on misalignment; load and loadu are the same instruction.
  static Wasm128F32 load(const float* p) { return {wasm_v128_load(p)}; }
  static Wasm128F32 loadu(const float* p) { return {wasm_v128_load(p)}; }
  void store(float* p) const { wasm_v128_store(p, v); }
  void storeu(float* p) const { wasm_v128_store(p, v); }
  static Wasm128F32 load_partial(const float* p, int n) {
    float tmp[4] = {0, 0, 0, 0};
    for (int i = 0; i < n; ++i) tmp[i] = p[i];
    return {wasm_v128_load(tmp)};
  }
  void store_partial(float* p, int n) const {
    float tmp[4];
    wasm_v128_store(tmp, v);
    for (int i = 0; i < n; ++i) p[i] = tmp[i];
  }

  friend Wasm128F32 operator+(Wasm128F32 a, Wasm128F32 b) { return {wasm_f32x4_add(a.v, b.v)}; }
  friend Wasm128F32 operator-(Wasm128F32 a, Wasm128F32 b) { return {wasm_f32x4_sub(a.v, b.v)}; }
  friend Wasm128F32 operator*(Wasm128F32 a, Wasm128F32 b) { return {wasm_f32x4_mul(a.v, b.v)}; }
  static Wasm128F32 fma(Wasm128F32 a, Wasm128F32 b, Wasm128F32 c) {
    return {wasm_f32x4_add(wasm_f32x4_mul(a.v, b.v), c.v)};
  }
  // pmax/pmin are the cheap "b < a ? a : b" forms, matching x86 maxps (NaN handling aside).
  static Wasm128F32 max(Wasm128F32 a, Wasm128F32 b) { return {wasm_f32x4_pmax(a.v, b.v)}; }
  static Wasm128F32 min(Wasm128F32 a, Wasm128F32 b) { return {wasm_f32x4_pmin(a.v, b.v)}; }
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

}  // namespace wisp::simd

#endif
