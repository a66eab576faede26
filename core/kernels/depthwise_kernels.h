// The per-plane depthwise convolution kernels, written once over the SIMD layer's vector
// type V and compiled per x86 ISA with the GEMM kernels (core/kernels/isa/, picked at run time
// with them: see gemm_dispatch.h); depthwise_conv.cpp prepares the planes and calls them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/kernels/conv_kernels.h"
#include "simd/vec.h"

namespace wisp::kernels {

// One input plane, zero-padded and split into `phases` (= stride_w) column phases: phase q
// holds padded columns q, q + s, q + 2s, ... (see depthwise_conv.cpp).
struct PaddedPlane {
  int64_t rows = 0, phase_width = 0, phases = 1;
  std::vector<float> data;
  const float* row(int64_t phase, int64_t y) const { return data.data() + (phase * rows + y) * phase_width; }
};

// The kernels of one kernel set. `flat` and `direct` need unit strides and at most
// kMaxDepthwiseTaps taps; `rows` takes any geometry.
constexpr int64_t kMaxDepthwiseTaps = 64;
struct DepthwiseKernels {
  void (*direct)(const float* in, const float* w, float bias, const ConvGeometry& g, float* out);
  void (*flat)(const PaddedPlane& p, const float* w, float bias, const ConvGeometry& g, float* out,
               std::vector<float>& flat);
  void (*rows)(const PaddedPlane& p, const float* w, float bias, const ConvGeometry& g, float* out);
};

namespace detail {

// Unit strides: with the padded plane seen as one flat array of row pitch `phase_width`,
// output (oh, ow) at flat position j = oh * pitch + ow reads tap (kh, kw) at
// j + kh*dh*pitch + kw*dw. So the whole plane is one long run per tap, vectorised without
// row ends (small planes such as 7x7 or 14x14 would otherwise be mostly partial vectors);
// positions with ow >= out_w are computed into `flat` and dropped when rows are copied out.
template <class V>
void depthwise_plane_flat(const PaddedPlane& p, const float* w, float bias, const ConvGeometry& g, float* out,
                          std::vector<float>& flat) {
  constexpr int L = V::kLanes;
  constexpr int64_t kMaxTaps = kMaxDepthwiseTaps;  // the caller checks the tap count
  const int64_t pitch = p.phase_width, out_h = g.out[1], out_w = g.out[2];
  const int64_t taps = g.kernel[1] * g.kernel[2];
  int64_t offset[kMaxTaps];
  for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
    for (int64_t kw = 0; kw < g.kernel[2]; ++kw) offset[kh * g.kernel[2] + kw] = kh * g.dilation[1] * pitch + kw * g.dilation[2];
  const int64_t total = (out_h - 1) * pitch + out_w;
  flat.resize(size_t(total));
  float* y = flat.data();
  const float* base = p.data.data();
  int64_t j = 0;
  // Four vectors per step: independent FMA chains, and each weight broadcast serves four.
  for (; j + 4 * L <= total; j += 4 * L) {
    V a0 = V::broadcast(bias), a1 = a0, a2 = a0, a3 = a0;
    for (int64_t t = 0; t < taps; ++t) {
      const V wt = V::broadcast(w[t]);
      const float* src = base + offset[t] + j;
      a0 = V::fma(wt, V::loadu(src), a0);
      a1 = V::fma(wt, V::loadu(src + L), a1);
      a2 = V::fma(wt, V::loadu(src + 2 * L), a2);
      a3 = V::fma(wt, V::loadu(src + 3 * L), a3);
    }
    a0.storeu(y + j);
    a1.storeu(y + j + L);
    a2.storeu(y + j + 2 * L);
    a3.storeu(y + j + 3 * L);
  }
  for (; j < total; j += L) {
    const int n = int(std::min<int64_t>(L, total - j));
    V acc = V::broadcast(bias);
    for (int64_t t = 0; t < taps; ++t) acc = V::fma(V::broadcast(w[t]), V::load_partial(base + offset[t] + j, n), acc);
    acc.store_partial(y + j, n);
  }
  if (pitch == out_w) {
    std::copy_n(y, out_h * out_w, out);
  } else {
    for (int64_t oh = 0; oh < out_h; ++oh) std::copy_n(y + oh * pitch, out_w, out + oh * out_w);
  }
}

// out[ow, end) = bias + the sum over taps t of w[t] * rows[t][ow, end), the taps in order: two
// vectors per step (two independent FMA chains hide the latency), then a partial vector.
template <class V>
inline void depthwise_span(const float* const* rows, const float* w, int64_t taps, float bias, float* out,
                           int64_t ow, int64_t end) {
  constexpr int L = V::kLanes;
  for (; ow + 2 * L <= end; ow += 2 * L) {
    V acc0 = V::broadcast(bias), acc1 = acc0;
    for (int64_t t = 0; t < taps; ++t) {
      const V wt = V::broadcast(w[t]);
      acc0 = V::fma(wt, V::loadu(rows[t] + ow), acc0);
      acc1 = V::fma(wt, V::loadu(rows[t] + ow + L), acc1);
    }
    acc0.storeu(out + ow);
    acc1.storeu(out + ow + L);
  }
  for (; ow < end; ow += L) {
    const int n = int(std::min<int64_t>(L, end - ow));
    V acc = V::broadcast(bias);
    for (int64_t t = 0; t < taps; ++t) acc = V::fma(V::broadcast(w[t]), V::load_partial(rows[t] + ow, n), acc);
    acc.store_partial(out + ow, n);
  }
}

// Unit strides on wide planes: straight from the input, without the padded copy. Output row
// oh sums the kernel rows whose input row exists; the columns whose taps all lie inside the
// input row (all but a few at the edges) are vector runs, the edge ones are summed one by one.
template <class V>
void depthwise_plane_direct(const float* in, const float* w, float bias, const ConvGeometry& g, float* out) {
  constexpr int L = V::kLanes;
  constexpr int64_t kMaxTaps = kMaxDepthwiseTaps;  // the caller checks the tap count
  const int64_t H = g.in[1], W = g.in[2], out_h = g.out[1], out_w = g.out[2];
  const int64_t kh_n = g.kernel[1], kw_n = g.kernel[2], dh = g.dilation[1], dw = g.dilation[2];
  const int64_t pt = g.pad_begin[1], pl = g.pad_begin[2];
  // Interior columns: ow - pl >= 0 and ow - pl + (kw_n - 1) * dw < W.
  const int64_t ow_lo = std::min(out_w, pl);
  const int64_t ow_hi = std::max(ow_lo, std::min(out_w, W - (kw_n - 1) * dw + pl));
  const float* src[kMaxTaps];
  float wt[kMaxTaps];
  int64_t tap_w[kMaxTaps];  // column offset of each tap (kw * dw)
  for (int64_t oh = 0; oh < out_h; ++oh) {
    int taps = 0;  // the taps of the kernel rows inside the input
    for (int64_t kh = 0; kh < kh_n; ++kh) {
      const int64_t ih = oh - pt + kh * dh;
      if (ih < 0 || ih >= H) continue;
      for (int64_t kw = 0; kw < kw_n; ++kw, ++taps) {
        src[taps] = in + ih * W + kw * dw - pl;  // + ow: the input of output column ow
        wt[taps] = w[kh * kw_n + kw];
        tap_w[taps] = kw * dw;
      }
    }
    float* orow = out + oh * out_w;
    int64_t ow = ow_lo;
    // Four vectors per step: each weight broadcast serves four FMAs, four independent chains.
    for (; ow + 4 * L <= ow_hi; ow += 4 * L) {
      V a0 = V::broadcast(bias), a1 = a0, a2 = a0, a3 = a0;
      for (int t = 0; t < taps; ++t) {
        const V wv = V::broadcast(wt[t]);
        const float* p = src[t] + ow;
        a0 = V::fma(wv, V::loadu(p), a0);
        a1 = V::fma(wv, V::loadu(p + L), a1);
        a2 = V::fma(wv, V::loadu(p + 2 * L), a2);
        a3 = V::fma(wv, V::loadu(p + 3 * L), a3);
      }
      a0.storeu(orow + ow);
      a1.storeu(orow + ow + L);
      a2.storeu(orow + ow + 2 * L);
      a3.storeu(orow + ow + 3 * L);
    }
    depthwise_span<V>(src, wt, taps, bias, orow, ow, ow_hi);
    const auto edge = [&](int64_t col) {
      float acc = bias;
      for (int t = 0; t < taps; ++t) {
        const int64_t iw = col - pl + tap_w[t];
        if (iw >= 0 && iw < W) acc += wt[t] * src[t][col];
      }
      orow[col] = acc;
    };
    for (int64_t col = 0; col < ow_lo; ++col) edge(col);
    for (int64_t col = ow_hi; col < out_w; ++col) edge(col);
  }
}

template <class V>
void depthwise_plane(const PaddedPlane& p, const float* w, float bias, const ConvGeometry& g, float* out) {
  const int64_t kh_n = g.kernel[1], kw_n = g.kernel[2], out_h = g.out[1], out_w = g.out[2];
  const int64_t sw = g.stride[2];
  // Per tap: the phase and the column offset inside the phase row.
  constexpr int64_t kMaxTaps = kMaxDepthwiseTaps;  // larger kernels fall back to accumulating through memory
  const int64_t taps = kh_n * kw_n;
  for (int64_t oh = 0; oh < out_h; ++oh) {
    float* orow = out + oh * out_w;
    const float* rows[kMaxTaps];
    if (taps <= kMaxTaps) {
      for (int64_t kh = 0; kh < kh_n; ++kh) {
        const int64_t y = oh * g.stride[1] + kh * g.dilation[1];
        for (int64_t kw = 0; kw < kw_n; ++kw) {
          const int64_t x = kw * g.dilation[2];
          rows[kh * kw_n + kw] = p.row(x % sw, y) + x / sw;
        }
      }
      depthwise_span<V>(rows, w, taps, bias, orow, 0, out_w);
    } else {
      std::fill(orow, orow + out_w, bias);
      for (int64_t kh = 0; kh < kh_n; ++kh) {
        const int64_t y = oh * g.stride[1] + kh * g.dilation[1];
        for (int64_t kw = 0; kw < kw_n; ++kw) {
          const int64_t x = kw * g.dilation[2];
          const float* src = p.row(x % sw, y) + x / sw;
          const float wt = w[kh * kw_n + kw];
          for (int64_t i = 0; i < out_w; ++i) orow[i] += wt * src[i];
        }
      }
    }
  }
}

template <class V>
DepthwiseKernels make_depthwise_kernels() {
  return {&depthwise_plane_direct<V>, &depthwise_plane_flat<V>, &depthwise_plane<V>};
}

}  // namespace detail
}  // namespace wisp::kernels
