// AVX-512 backend of the SIMD layer: 16 floats per vector (AVX-512 F, with BW/VL for the
// masked forms compilers pick for tails). Only defined in translation units compiled with
// -mavx512f -mavx512bw -mavx512vl -mfma: natively the core stays on the AVX2 baseline and
// only the runtime-dispatched kernel files (core/kernels/isa/*_avx512.cpp) see this type.
#pragma once

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__FMA__)
#define WISP_SIMD_HAVE_AVX512 1

#include <immintrin.h>

namespace wisp::simd {

struct Avx512F32 {
  static constexpr int kLanes = 16;
  static constexpr const char* kName = "avx512";
  __m512 v;

  static Avx512F32 zero() { return {_mm512_setzero_ps()}; }
  static Avx512F32 broadcast(float x) { return {_mm512_set1_ps(x)}; }
  // load/store need 64-byte alignment; loadu/storeu accept any address.
  static Avx512F32 load(const float* p) { return {_mm512_load_ps(p)}; }
  static Avx512F32 loadu(const float* p) { return {_mm512_loadu_ps(p)}; }
  void store(float* p) const { _mm512_store_ps(p, v); }
  void storeu(float* p) const { _mm512_storeu_ps(p, v); }
  // Masked lanes are neither read nor written (no fault past p[n-1]), and unlike AVX2's
  // vmaskmovps the AVX-512 masked store is an ordinary fast store on current cores.
  static __mmask16 lane_mask(int n) { return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n < 0 ? 0 : n)) - 1u); }
  static Avx512F32 load_partial(const float* p, int n) { return {_mm512_maskz_loadu_ps(lane_mask(n), p)}; }
  void store_partial(float* p, int n) const { _mm512_mask_storeu_ps(p, lane_mask(n), v); }

  friend Avx512F32 operator+(Avx512F32 a, Avx512F32 b) { return {_mm512_add_ps(a.v, b.v)}; }
  friend Avx512F32 operator-(Avx512F32 a, Avx512F32 b) { return {_mm512_sub_ps(a.v, b.v)}; }
  friend Avx512F32 operator*(Avx512F32 a, Avx512F32 b) { return {_mm512_mul_ps(a.v, b.v)}; }
  // a * b + c, fused (one rounding).
  static Avx512F32 fma(Avx512F32 a, Avx512F32 b, Avx512F32 c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
  static Avx512F32 max(Avx512F32 a, Avx512F32 b) { return {_mm512_max_ps(a.v, b.v)}; }
  static Avx512F32 min(Avx512F32 a, Avx512F32 b) { return {_mm512_min_ps(a.v, b.v)}; }
  // Lanes 8..15 (extractf32x8 would need AVX512DQ; the 64-bit form is plain AVX512F).
  __m256 high_half() const { return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)); }
  float reduce_add() const {
    const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), high_half());
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  float reduce_max() const {
    const __m256 h = _mm256_max_ps(_mm512_castps512_ps256(v), high_half());
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

}  // namespace wisp::simd

#endif
