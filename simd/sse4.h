// SSE4.1 backend of the SIMD layer: 4 floats per vector, no fused multiply-add (fma() is a
// multiply then an add, like WASM SIMD128). The x86 fallback of the runtime dispatch for
// CPUs without AVX2 (core/kernels/isa/gemm_sse4.cpp is compiled with -mno-avx).
#pragma once

#if defined(__SSE4_1__)
#define WISP_SIMD_HAVE_SSE4 1

#include <smmintrin.h>

namespace wisp::simd {

struct Sse4F32 {
  static constexpr int kLanes = 4;
  static constexpr const char* kName = "sse4";
  __m128 v;

  static Sse4F32 zero() { return {_mm_setzero_ps()}; }
  static Sse4F32 broadcast(float x) { return {_mm_set1_ps(x)}; }
  static Sse4F32 load(const float* p) { return {_mm_load_ps(p)}; }
  static Sse4F32 loadu(const float* p) { return {_mm_loadu_ps(p)}; }
  void store(float* p) const { _mm_store_ps(p, v); }
  void storeu(float* p) const { _mm_storeu_ps(p, v); }
  static Sse4F32 load_partial(const float* p, int n) {
    alignas(16) float tmp[4] = {0, 0, 0, 0};
    for (int i = 0; i < n; ++i) tmp[i] = p[i];
    return {_mm_load_ps(tmp)};
  }
  void store_partial(float* p, int n) const {
    alignas(16) float tmp[4];
    _mm_store_ps(tmp, v);
    for (int i = 0; i < n; ++i) p[i] = tmp[i];
  }

  friend Sse4F32 operator+(Sse4F32 a, Sse4F32 b) { return {_mm_add_ps(a.v, b.v)}; }
  friend Sse4F32 operator-(Sse4F32 a, Sse4F32 b) { return {_mm_sub_ps(a.v, b.v)}; }
  friend Sse4F32 operator*(Sse4F32 a, Sse4F32 b) { return {_mm_mul_ps(a.v, b.v)}; }
  static Sse4F32 fma(Sse4F32 a, Sse4F32 b, Sse4F32 c) { return {_mm_add_ps(_mm_mul_ps(a.v, b.v), c.v)}; }
  static Sse4F32 max(Sse4F32 a, Sse4F32 b) { return {_mm_max_ps(a.v, b.v)}; }
  static Sse4F32 min(Sse4F32 a, Sse4F32 b) { return {_mm_min_ps(a.v, b.v)}; }
  float reduce_add() const {
    __m128 s = _mm_add_ps(v, _mm_movehl_ps(v, v));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  float reduce_max() const {
    __m128 s = _mm_max_ps(v, _mm_movehl_ps(v, v));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

}  // namespace wisp::simd

#endif
