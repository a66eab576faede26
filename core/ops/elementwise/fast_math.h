// Branch-free float32 exp, sigmoid and tanh that compilers auto-vectorise, for activations
// on large tensors. Accuracy is a few ulp, far inside the tolerances models are checked with;
// the Exp operator itself keeps std::exp.
//
// Why the bit tricks: with the default -ftrapping-math, GCC will not turn `c ? a : b` into a
// vector blend when computing `a` or `b` could raise a floating-point exception and the
// compiler has moved that computation into the branch. Selecting through integer masks
// (and sign/abs through the sign bit) keeps every loop free of control flow.
#pragma once

#include "core/base/bit_cast.h"
#include <cstdint>
#include <type_traits>

namespace wisp::elementwise {

// c ? a : b, without a branch.
inline float select_f32(bool c, float a, float b) {
  const uint32_t mask = c ? ~0u : 0u;
  return wisp::bit_cast<float>((wisp::bit_cast<uint32_t>(a) & mask) | (wisp::bit_cast<uint32_t>(b) & ~mask));
}

// c ? a : b for any arithmetic type: a mask blend for float and double, a plain select
// (which integer loops vectorise anyway) otherwise.
template <typename A>
inline A select_value(bool c, A a, A b) {
  if constexpr (std::is_same_v<A, float>) {
    return select_f32(c, a, b);
  } else if constexpr (std::is_same_v<A, double>) {
    const uint64_t mask = c ? ~uint64_t(0) : 0;
    return wisp::bit_cast<double>((wisp::bit_cast<uint64_t>(a) & mask) | (wisp::bit_cast<uint64_t>(b) & ~mask));
  } else {
    return c ? a : b;
  }
}

inline float abs_f32(float x) { return wisp::bit_cast<float>(wisp::bit_cast<uint32_t>(x) & 0x7fffffffu); }

// |magnitude| with the sign of `sign`.
inline float copysign_f32(float magnitude, float sign) {
  return wisp::bit_cast<float>((wisp::bit_cast<uint32_t>(magnitude) & 0x7fffffffu) |
                              (wisp::bit_cast<uint32_t>(sign) & 0x80000000u));
}

// exp(x). Returns 0 below -87.33 (where results stop being normal floats) and infinity
// above 88.37 (slightly early: exp(88.72) is the true float limit). NaN stays NaN.
inline float exp_f32(float x) {
  // x = n*ln2 + r with |r| <= ln2/2. Adding 1.5*2^23 rounds x/ln2 to an integer that then
  // sits in the low mantissa bits, so n is read from the bits without a float-to-int
  // conversion (which would trap on NaN in WebAssembly).
  const float shifter = 12582912.0f;
  const float t = x * 1.44269504088896341f + shifter;
  const float n = t - shifter;
  const uint32_t n_bits = wisp::bit_cast<uint32_t>(t) - wisp::bit_cast<uint32_t>(shifter);  // n mod 2^32
  float r = x - n * 0.693359375f;  // ln2 split in two parts so that n*ln2 stays exact
  r = r - n * -2.12194440e-4f;
  // Minimax polynomial for exp(r) (the classic Cephes coefficients).
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // Scale by 2^n through the exponent bits (out-of-range n is masked below).
  const float scaled = p * wisp::bit_cast<float>((n_bits + 127u) << 23);
  const bool underflow = x < -87.33f;
  const bool overflow = x > 88.37f;
  const uint32_t keep = (underflow || overflow) ? 0u : ~0u;
  const uint32_t inf = overflow ? 0x7f800000u : 0u;
  return wisp::bit_cast<float>((wisp::bit_cast<uint32_t>(scaled) & keep) | inf);
}

// Stable sigmoid: exp only sees -|x|; for x < 0 it is e / (1 + e), which does not cancel.
inline float sigmoid_f32(float x) {
  const float e = exp_f32(-abs_f32(x));
  const float r = 1.0f / (1.0f + e);
  return select_f32(x >= 0.0f, 1.0f, e) * r;
}

// tanh(x) = sign(x) * (1 - e) / (1 + e) with e = exp(-2|x|); near 0 that form cancels, so a
// short Taylor series takes over.
inline float tanh_f32(float x) {
  const float ax = abs_f32(x);
  const float e = exp_f32(-2.0f * ax);
  const float big = (1.0f - e) / (1.0f + e);
  const float x2 = ax * ax;
  const float small = ax * (1.0f + x2 * (-1.0f / 3.0f + x2 * (2.0f / 15.0f + x2 * (-17.0f / 315.0f))));
  return copysign_f32(select_f32(ax < 0.0625f, small, big), x);
}

}  // namespace wisp::elementwise
