// Portable fallback of the SIMD layer: a "vector" of N floats held in a plain array. With
// N = 1 it is plain scalar code; with N = 4 the loops are short and fixed, so compilers for
// targets without a hand-written backend can still vectorise them. Natively it is also the
// "scalar" entry of the GEMM dispatch (a reference path, selectable with WISP_SIMD=scalar).
#pragma once

#include <algorithm>
#include <cstring>

namespace wisp::simd {

template <int N>
struct ScalarF32 {
  static constexpr int kLanes = N;
  static constexpr const char* kName = N == 1 ? "scalar" : "scalar-x4";
  float v[N];

  static ScalarF32 zero() { return broadcast(0.0f); }
  static ScalarF32 broadcast(float x) {
    ScalarF32 r;
    for (int i = 0; i < N; ++i) r.v[i] = x;
    return r;
  }
  static ScalarF32 load(const float* p) { return loadu(p); }
  static ScalarF32 loadu(const float* p) {
    ScalarF32 r;
    std::memcpy(r.v, p, sizeof(r.v));
    return r;
  }
  void store(float* p) const { storeu(p); }
  void storeu(float* p) const { std::memcpy(p, v, sizeof(v)); }
  // The first `n` (0 <= n <= kLanes) lanes; the rest read as 0 / are not written.
  static ScalarF32 load_partial(const float* p, int n) {
    ScalarF32 r = zero();
    for (int i = 0; i < n; ++i) r.v[i] = p[i];
    return r;
  }
  void store_partial(float* p, int n) const {
    for (int i = 0; i < n; ++i) p[i] = v[i];
  }

  template <typename Op>
  static ScalarF32 map2(ScalarF32 a, ScalarF32 b, Op op) {
    ScalarF32 r;
    for (int i = 0; i < N; ++i) r.v[i] = op(a.v[i], b.v[i]);
    return r;
  }
  friend ScalarF32 operator+(ScalarF32 a, ScalarF32 b) { return map2(a, b, [](float x, float y) { return x + y; }); }
  friend ScalarF32 operator-(ScalarF32 a, ScalarF32 b) { return map2(a, b, [](float x, float y) { return x - y; }); }
  friend ScalarF32 operator*(ScalarF32 a, ScalarF32 b) { return map2(a, b, [](float x, float y) { return x * y; }); }
  // a * b + c. Not fused: the scalar backend rounds twice, like WASM SIMD128.
  static ScalarF32 fma(ScalarF32 a, ScalarF32 b, ScalarF32 c) {
    ScalarF32 r;
    for (int i = 0; i < N; ++i) r.v[i] = a.v[i] * b.v[i] + c.v[i];
    return r;
  }
  static ScalarF32 max(ScalarF32 a, ScalarF32 b) { return map2(a, b, [](float x, float y) { return x > y ? x : y; }); }
  static ScalarF32 min(ScalarF32 a, ScalarF32 b) { return map2(a, b, [](float x, float y) { return x < y ? x : y; }); }
  float reduce_add() const {
    float s = 0.0f;
    for (int i = 0; i < N; ++i) s += v[i];
    return s;
  }
  float reduce_max() const {
    float m = v[0];
    for (int i = 1; i < N; ++i) m = v[i] > m ? v[i] : m;
    return m;
  }
};

}  // namespace wisp::simd
