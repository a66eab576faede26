// NEON backend of the SIMD layer (AArch64 Advanced SIMD): 4 floats per vector, fused
// multiply-add (vfmaq_f32) and across-lane reductions (vaddvq / vmaxvq).
#pragma once

#if defined(__aarch64__) && defined(__ARM_NEON)
#define WISP_SIMD_HAVE_NEON 1

#include <arm_neon.h>

namespace wisp::simd {

struct NeonF32 {
  static constexpr int kLanes = 4;
  static constexpr const char* kName = "neon";
  float32x4_t v;

  static NeonF32 zero() { return {vdupq_n_f32(0.0f)}; }
  static NeonF32 broadcast(float x) { return {vdupq_n_f32(x)}; }
  // AArch64 vector loads accept any alignment: load and loadu are the same instruction.
  static NeonF32 load(const float* p) { return {vld1q_f32(p)}; }
  static NeonF32 loadu(const float* p) { return {vld1q_f32(p)}; }
  void store(float* p) const { vst1q_f32(p, v); }
  void storeu(float* p) const { vst1q_f32(p, v); }
  static NeonF32 load_partial(const float* p, int n) {
    float tmp[4] = {0, 0, 0, 0};
    for (int i = 0; i < n; ++i) tmp[i] = p[i];
    return {vld1q_f32(tmp)};
  }
  void store_partial(float* p, int n) const {
    float tmp[4];
    vst1q_f32(tmp, v);
    for (int i = 0; i < n; ++i) p[i] = tmp[i];
  }

  friend NeonF32 operator+(NeonF32 a, NeonF32 b) { return {vaddq_f32(a.v, b.v)}; }
  friend NeonF32 operator-(NeonF32 a, NeonF32 b) { return {vsubq_f32(a.v, b.v)}; }
  friend NeonF32 operator*(NeonF32 a, NeonF32 b) { return {vmulq_f32(a.v, b.v)}; }
  // a * b + c, fused (vfmaq_f32(acc, x, y) = acc + x * y).
  static NeonF32 fma(NeonF32 a, NeonF32 b, NeonF32 c) { return {vfmaq_f32(c.v, a.v, b.v)}; }
  static NeonF32 max(NeonF32 a, NeonF32 b) { return {vmaxq_f32(a.v, b.v)}; }
  static NeonF32 min(NeonF32 a, NeonF32 b) { return {vminq_f32(a.v, b.v)}; }
  float reduce_add() const { return vaddvq_f32(v); }
  float reduce_max() const { return vmaxvq_f32(v); }
};

}  // namespace wisp::simd

#endif
