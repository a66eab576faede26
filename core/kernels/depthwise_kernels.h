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

// The kernels of one kernel set. `direct` needs unit strides, `flat` and `direct` at most
// kMaxDepthwiseTaps taps; `rows` takes any geometry.
constexpr int64_t kMaxDepthwiseTaps = 64;
struct DepthwiseKernels {
  void (*direct)(const float* in, const float* w, float bias, const ConvGeometry& g, float* out);
  void (*flat)(const PaddedPlane& p, const float* w, float bias, const ConvGeometry& g, float* out,
               std::vector<float>& flat);
  void (*rows)(const PaddedPlane& p, const float* w, float bias, const ConvGeometry& g, float* out);
  // Copies an input plane into a prepared PaddedPlane (for `flat` and `rows`).
  void (*fill)(const float* in, const ConvGeometry& g, PaddedPlane& p);
};

namespace detail {

// Vectors [0, Nv) of out[ow, ow + n) (n in ((Nv - 1) * L, Nv * L]: the last vector may be
// partial) = bias + the sum over taps t of w[t] * rows[t][ow, ow + n), the taps in order.
// All Nv accumulators advance together: Nv independent FMA chains, so a row of a few
// vectors is one pass bound by FMA throughput rather than one chain of `taps` dependent
// FMAs per vector (the FMA latency: most of the time on 56- or 28-wide planes).
// kPartial: the last vector may be partial (else n == Nv * L: plain loads, which SSE and
// scalar builds do much faster than their emulated partial ones).
template <class V, int Nv, bool kPartial>
inline void depthwise_group(const float* const* rows, const float* w, int64_t taps, float bias, float* out,
                            int64_t ow, int n) {
  constexpr int L = V::kLanes;
  const int last = kPartial ? n - (Nv - 1) * L : L;  // lanes of the last vector, 1..L
  V acc[Nv];
#pragma GCC unroll 8
  for (int v = 0; v < Nv; ++v) acc[v] = V::broadcast(bias);
  for (int64_t t = 0; t < taps; ++t) {
    const V wt = V::broadcast(w[t]);
    const float* src = rows[t] + ow;
#pragma GCC unroll 8
    for (int v = 0; v + 1 < Nv; ++v) acc[v] = V::fma(wt, V::loadu(src + v * L), acc[v]);
    const V tail = kPartial ? V::load_partial(src + (Nv - 1) * L, last) : V::loadu(src + (Nv - 1) * L);
    acc[Nv - 1] = V::fma(wt, tail, acc[Nv - 1]);
  }
#pragma GCC unroll 8
  for (int v = 0; v + 1 < Nv; ++v) acc[v].storeu(out + ow + v * L);
  if (kPartial) {
    acc[Nv - 1].store_partial(out + ow + (Nv - 1) * L, last);
  } else {
    acc[Nv - 1].storeu(out + ow + (Nv - 1) * L);
  }
}

// out[ow, end) = bias + the sum over taps t of w[t] * rows[t][ow, end), the taps in order: in
// groups of up to kDepthwiseGroup vectors (independent FMA chains, see depthwise_group), the
// last group sized to what is left.
constexpr int kDepthwiseGroup = 8;
template <class V>
inline void depthwise_span(const float* const* rows, const float* w, int64_t taps, float bias, float* out,
                           int64_t ow, int64_t end) {
  constexpr int L = V::kLanes, G = kDepthwiseGroup;
  for (; ow + G * L <= end; ow += G * L) depthwise_group<V, G, false>(rows, w, taps, bias, out, ow, G * L);
  if (ow >= end) return;
  const int n = int(end - ow);
  if (n % L == 0) {
    switch (n / L) {
      case 1: return depthwise_group<V, 1, false>(rows, w, taps, bias, out, ow, n);
      case 2: return depthwise_group<V, 2, false>(rows, w, taps, bias, out, ow, n);
      case 3: return depthwise_group<V, 3, false>(rows, w, taps, bias, out, ow, n);
      case 4: return depthwise_group<V, 4, false>(rows, w, taps, bias, out, ow, n);
      case 5: return depthwise_group<V, 5, false>(rows, w, taps, bias, out, ow, n);
      case 6: return depthwise_group<V, 6, false>(rows, w, taps, bias, out, ow, n);
      default: return depthwise_group<V, 7, false>(rows, w, taps, bias, out, ow, n);
    }
  }
  switch (n / L + 1) {
    case 1: return depthwise_group<V, 1, true>(rows, w, taps, bias, out, ow, n);
    case 2: return depthwise_group<V, 2, true>(rows, w, taps, bias, out, ow, n);
    case 3: return depthwise_group<V, 3, true>(rows, w, taps, bias, out, ow, n);
    case 4: return depthwise_group<V, 4, true>(rows, w, taps, bias, out, ow, n);
    case 5: return depthwise_group<V, 5, true>(rows, w, taps, bias, out, ow, n);
    case 6: return depthwise_group<V, 6, true>(rows, w, taps, bias, out, ow, n);
    case 7: return depthwise_group<V, 7, true>(rows, w, taps, bias, out, ow, n);
    default: return depthwise_group<V, 8, true>(rows, w, taps, bias, out, ow, n);
  }
}

// dst[0, n) = src[0, n) for short runs (rows of 7 to a few dozen values): vector moves
// without a libc call per row.
template <class V>
inline void copy_run(const float* src, int64_t n, float* dst) {
  constexpr int L = V::kLanes;
  int64_t i = 0;
  for (; i + L <= n; i += L) V::loadu(src + i).storeu(dst + i);
  if (i < n) V::load_partial(src + i, int(n - i)).store_partial(dst + i, int(n - i));
}

// Small planes: with the padded plane seen as one flat array, output (oh, ow) at flat position
// j = oh * step + ow (step: stride_h padded rows) reads tap (kh, kw) at j plus the tap's
// offset (its phase, kernel row and column: see PaddedPlane). So the whole plane is one long
// run per tap, vectorised without row ends (7x7 or 14x14 outputs would otherwise be one
// partial vector per row, a single chain of dependent FMAs); positions with ow >= out_w are
// computed into `flat` and dropped when rows are copied out. With stride 2 about half the
// positions are dropped, still faster than row by row for narrow outputs.
template <class V>
void depthwise_plane_flat(const PaddedPlane& p, const float* w, float bias, const ConvGeometry& g, float* out,
                          std::vector<float>& flat) {
  constexpr int64_t kMaxTaps = kMaxDepthwiseTaps;  // the caller checks the tap count
  const int64_t step = g.stride[1] * p.phase_width, out_h = g.out[1], out_w = g.out[2], sw = g.stride[2];
  const int64_t taps = g.kernel[1] * g.kernel[2];
  const float* rows[kMaxTaps];
  for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
    for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
      const int64_t x = kw * g.dilation[2];
      rows[kh * g.kernel[2] + kw] = p.row(x % sw, kh * g.dilation[1]) + x / sw;
    }
  }
  const int64_t total = (out_h - 1) * step + out_w;
  flat.resize(size_t(total));
  float* y = flat.data();
  depthwise_span<V>(rows, w, taps, bias, y, 0, total);
  if (step == out_w) {
    std::copy_n(y, out_h * out_w, out);
  } else {
    for (int64_t oh = 0; oh < out_h; ++oh) copy_run<V>(y + oh * step, out_w, out + oh * out_w);
  }
}

// Unit strides on wide planes: straight from the input, without the padded copy. Output row
// oh sums the kernel rows whose input row exists; the columns whose taps all lie inside the
// input row (all but a few at the edges) are vector runs, the edge ones are summed one by one.
template <class V>
void depthwise_plane_direct(const float* in, const float* w, float bias, const ConvGeometry& g, float* out) {
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
    depthwise_span<V>(src, wt, taps, bias, orow, ow_lo, ow_hi);
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
  constexpr int64_t kMaxTaps = kMaxDepthwiseTaps;  // larger kernels fall back to accumulating through memory
  const int64_t taps = kh_n * kw_n;
  // Per tap: where it reads for output row 0 (its phase, kernel row and column offset inside
  // the phase row); output row oh reads stride_h padded rows further. Computed once: the
  // divisions by the stride cost as much as a short row's FMAs.
  const int64_t row_step = g.stride[1] * p.phase_width;
  int64_t tap_offset[kMaxTaps];
  if (taps <= kMaxTaps) {
    for (int64_t kh = 0; kh < kh_n; ++kh) {
      for (int64_t kw = 0; kw < kw_n; ++kw) {
        const int64_t x = kw * g.dilation[2];
        tap_offset[kh * kw_n + kw] = p.row(x % sw, kh * g.dilation[1]) + x / sw - p.data.data();
      }
    }
  }
  for (int64_t oh = 0; oh < out_h; ++oh) {
    float* orow = out + oh * out_w;
    if (taps <= kMaxTaps) {
      const float* rows[kMaxTaps];
      const float* base = p.data.data() + oh * row_step;
      for (int64_t t = 0; t < taps; ++t) rows[t] = base + tap_offset[t];
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

// Copies one input plane into the buffer prepared (sized and zeroed) by depthwise_conv.cpp:
// every input position the convolution reads, at its padded place. Compiled per ISA with
// the plane kernels so that the stride-2 split into phases uses the widest permutes.
template <class V>
void depthwise_fill_plane(const float* in, const ConvGeometry& g, PaddedPlane& p) {
  const int64_t in_h = g.in[1], in_w = g.in[2];
  const int64_t sw = g.stride[2];
  // Padded rows [y_lo, y_hi) hold input rows (the others are padding).
  const int64_t y_lo = std::min(p.rows, g.pad_begin[1]), y_hi = std::max(y_lo, std::min(p.rows, in_h + g.pad_begin[1]));
  for (int64_t q = 0; q < sw; ++q) {
    // Phase q, entry t is padded column x = t*sw + q, i.e. input column ix = x - pad_begin.
    // Entries with 0 <= ix < in_w are copied.
    const int64_t first = g.pad_begin[2] - q;  // t*sw >= first
    const int64_t t_lo = std::min(p.phase_width, first <= 0 ? 0 : (first + sw - 1) / sw);
    const int64_t limit = in_w + g.pad_begin[2] - q;  // t*sw < limit
    const int64_t t_hi = std::max(t_lo, std::min(p.phase_width, limit <= 0 ? 0 : (limit + sw - 1) / sw));
    const int64_t shift = q - g.pad_begin[2];  // src[t*sw + shift] is entry t of the phase
    for (int64_t y = y_lo; y < y_hi; ++y) {
      float* dst = p.data.data() + (q * p.rows + y) * p.phase_width;
      const float* src = in + (y - g.pad_begin[1]) * in_w;
      if (sw == 1) {
        // Vector moves: rows are short (7..112 values), a libc call per row costs as much.
        if (t_hi > t_lo) copy_run<V>(src + t_lo + shift, t_hi - t_lo, dst + t_lo);
      } else if (sw == 2) {  // a constant stride the compiler vectorises (stride-2 downsampling)
        const float* s2 = src + shift;
        for (int64_t t = t_lo; t < t_hi; ++t) dst[t] = s2[2 * t];
      } else {
        for (int64_t t = t_lo; t < t_hi; ++t) dst[t] = src[t * sw + shift];
      }
    }
  }
}

template <class V>
DepthwiseKernels make_depthwise_kernels() {
  return {&depthwise_plane_direct<V>, &depthwise_plane_flat<V>, &depthwise_plane<V>, &depthwise_fill_plane<V>};
}

}  // namespace detail
}  // namespace wisp::kernels
