// WebAssembly SIMD128 backend of the SIMD layer: 4 floats per vector. Without relaxed SIMD
// there is no fused multiply-add, so fma() is a multiply then an add.
#pragma once

#include <wasm_simd128.h>

namespace wisp::simd {

inline constexpr const char* kBackendName = "wasm-simd128";

struct VecF32 {
  static constexpr int kLanes = 4;
  v128_t v;

  static VecF32 zero() { return {wasm_f32x4_splat(0.0f)}; }
  static VecF32 broadcast(float x) { return {wasm_f32x4_splat(x)}; }
  static VecF32 load(const float* p) { return {wasm_v128_load(p)}; }
  void store(float* p) const { wasm_v128_store(p, v); }
  friend VecF32 operator+(VecF32 a, VecF32 b) { return {wasm_f32x4_add(a.v, b.v)}; }
  friend VecF32 operator-(VecF32 a, VecF32 b) { return {wasm_f32x4_sub(a.v, b.v)}; }
  friend VecF32 operator*(VecF32 a, VecF32 b) { return {wasm_f32x4_mul(a.v, b.v)}; }
  static VecF32 fma(VecF32 a, VecF32 b, VecF32 c) { return {wasm_f32x4_add(wasm_f32x4_mul(a.v, b.v), c.v)}; }
  static VecF32 max(VecF32 a, VecF32 b) { return {wasm_f32x4_pmax(a.v, b.v)}; }
  static VecF32 min(VecF32 a, VecF32 b) { return {wasm_f32x4_pmin(a.v, b.v)}; }
  float reduce_add() const {
    return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) +
           wasm_f32x4_extract_lane(v, 3);
  }
};

}  // namespace wisp::simd
