// Scalar fallback of the SIMD layer: a "vector" of one float.
#pragma once

#include <algorithm>

namespace wisp::simd {

inline constexpr const char* kBackendName = "scalar";

struct VecF32 {
  static constexpr int kLanes = 1;
  float v;

  static VecF32 zero() { return {0.0f}; }
  static VecF32 broadcast(float x) { return {x}; }
  static VecF32 load(const float* p) { return {*p}; }
  void store(float* p) const { *p = v; }
  friend VecF32 operator+(VecF32 a, VecF32 b) { return {a.v + b.v}; }
  friend VecF32 operator-(VecF32 a, VecF32 b) { return {a.v - b.v}; }
  friend VecF32 operator*(VecF32 a, VecF32 b) { return {a.v * b.v}; }
  // a * b + c
  static VecF32 fma(VecF32 a, VecF32 b, VecF32 c) { return {a.v * b.v + c.v}; }
  static VecF32 max(VecF32 a, VecF32 b) { return {std::max(a.v, b.v)}; }
  static VecF32 min(VecF32 a, VecF32 b) { return {std::min(a.v, b.v)}; }
  float reduce_add() const { return v; }
};

}  // namespace wisp::simd
