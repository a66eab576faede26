// AVX2 + FMA backend of the SIMD layer: 8 floats per vector. Only defined when the
// translation unit is compiled for AVX2+FMA (natively -mavx2 -mfma, see cmake/Flags.cmake);
// the GEMM kernels are also compiled with it in core/kernels/isa/gemm_avx2.cpp.
#pragma once

#if defined(__AVX2__) && defined(__FMA__)
#define WISP_SIMD_HAVE_AVX2 1

#include <immintrin.h>

namespace wisp::simd {

struct Avx2F32 {
  static constexpr int kLanes = 8;
  static constexpr const char* kName = "avx2-fma";
  __m256 v;

  static Avx2F32 zero() { return {_mm256_setzero_ps()}; }
  static Avx2F32 broadcast(float x) { return {_mm256_set1_ps(x)}; }
  // load/store need 32-byte alignment; loadu/storeu accept any address.
  static Avx2F32 load(const float* p) { return {_mm256_load_ps(p)}; }
  static Avx2F32 loadu(const float* p) { return {_mm256_loadu_ps(p)}; }
  void store(float* p) const { _mm256_store_ps(p, v); }
  void storeu(float* p) const { _mm256_storeu_ps(p, v); }
  // The first `n` (0 <= n <= 8) lanes; the rest read as 0 / are not written (never touches
  // memory past p[n-1]).
  static __m256i lane_mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Avx2F32 load_partial(const float* p, int n) { return {_mm256_maskload_ps(p, lane_mask(n))}; }
  // Through a stack copy rather than vmaskmovps, whose store form is microcoded and slow on AMD.
  void store_partial(float* p, int n) const {
    alignas(32) float tmp[8];
    _mm256_store_ps(tmp, v);
    for (int i = 0; i < n; ++i) p[i] = tmp[i];
  }

  friend Avx2F32 operator+(Avx2F32 a, Avx2F32 b) { return {_mm256_add_ps(a.v, b.v)}; }
  friend Avx2F32 operator-(Avx2F32 a, Avx2F32 b) { return {_mm256_sub_ps(a.v, b.v)}; }
  friend Avx2F32 operator*(Avx2F32 a, Avx2F32 b) { return {_mm256_mul_ps(a.v, b.v)}; }
  // a * b + c, fused (one rounding).
  static Avx2F32 fma(Avx2F32 a, Avx2F32 b, Avx2F32 c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
  static Avx2F32 max(Avx2F32 a, Avx2F32 b) { return {_mm256_max_ps(a.v, b.v)}; }
  static Avx2F32 min(Avx2F32 a, Avx2F32 b) { return {_mm256_min_ps(a.v, b.v)}; }
  float reduce_add() const {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  float reduce_max() const {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

}  // namespace wisp::simd

#endif
