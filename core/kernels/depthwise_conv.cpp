// Depthwise convolution (one filter per channel), as used throughout PP-OCR and MobileNets.
//
// Each channel plane is first copied into a zero-padded buffer split into `stride_w`
// column phases (phase q holds padded columns q, q + s, q + 2s, ...). After that every tap
// (kh, kw) of every output row is a unit-stride run of one phase row, with no bounds checks,
// whatever the padding or stride: the inner loop is vector loads and FMAs, accumulating all
// taps of a run of outputs in registers before one store.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/kernels/conv_kernels.h"
#include "simd/vec.h"

namespace wisp::kernels {

namespace {

struct PaddedPlane {
  int64_t rows = 0, phase_width = 0, phases = 1;
  std::vector<float> data;
  const float* row(int64_t phase, int64_t y) const { return data.data() + (phase * rows + y) * phase_width; }
};

// Builds the padded, phase-split copy of one input plane covering every input position the
// convolution reads (and zeros for the padding).
void pad_plane(const float* in, const ConvGeometry& g, PaddedPlane& p) {
  const int64_t in_h = g.in[1], in_w = g.in[2];
  const int64_t sh = g.stride[1], sw = g.stride[2];
  const int64_t padded_h = (g.out[1] - 1) * sh + (g.kernel[1] - 1) * g.dilation[1] + 1;
  const int64_t padded_w = (g.out[2] - 1) * sw + (g.kernel[2] - 1) * g.dilation[2] + 1;
  p.rows = padded_h;
  p.phases = sw;
  p.phase_width = (padded_w + sw - 1) / sw;
  p.data.resize(size_t(p.phases * p.rows * p.phase_width));
  for (int64_t q = 0; q < sw; ++q) {
    // Phase q, entry t is padded column x = t*sw + q, i.e. input column ix = x - pad_begin.
    // Entries with 0 <= ix < in_w are copied, the others are zero.
    const int64_t first = g.pad_begin[2] - q;  // t*sw >= first
    const int64_t t_lo = std::min(p.phase_width, first <= 0 ? 0 : (first + sw - 1) / sw);
    const int64_t limit = in_w + g.pad_begin[2] - q;  // t*sw < limit
    const int64_t t_hi = std::max(t_lo, std::min(p.phase_width, limit <= 0 ? 0 : (limit + sw - 1) / sw));
    for (int64_t y = 0; y < padded_h; ++y) {
      float* dst = p.data.data() + (q * p.rows + y) * p.phase_width;
      const int64_t iy = y - g.pad_begin[1];
      if (iy < 0 || iy >= in_h) {
        std::fill(dst, dst + p.phase_width, 0.0f);
        continue;
      }
      const float* src = in + iy * in_w;
      const int64_t shift = q - g.pad_begin[2];  // src[t*sw + shift] is entry t of the phase
      std::fill(dst, dst + t_lo, 0.0f);
      if (sw == 1) {
        std::memcpy(dst + t_lo, src + t_lo + shift, size_t(t_hi - t_lo) * sizeof(float));
      } else {
        for (int64_t t = t_lo; t < t_hi; ++t) dst[t] = src[t * sw + shift];
      }
      std::fill(dst + t_hi, dst + p.phase_width, 0.0f);
    }
  }
}

template <class V>
void depthwise_plane(const PaddedPlane& p, const float* w, float bias, const ConvGeometry& g, float* out) {
  constexpr int L = V::kLanes;
  const int64_t kh_n = g.kernel[1], kw_n = g.kernel[2], out_h = g.out[1], out_w = g.out[2];
  const int64_t sw = g.stride[2];
  // Per tap: the phase and the column offset inside the phase row.
  constexpr int kMaxTaps = 64;  // larger kernels fall back to accumulating through memory
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
      int64_t ow = 0;
      // Two vectors of outputs per step hide the FMA latency.
      for (; ow + 2 * L <= out_w; ow += 2 * L) {
        V acc0 = V::broadcast(bias), acc1 = acc0;
        for (int64_t t = 0; t < taps; ++t) {
          const V wt = V::broadcast(w[t]);
          acc0 = V::fma(wt, V::loadu(rows[t] + ow), acc0);
          acc1 = V::fma(wt, V::loadu(rows[t] + ow + L), acc1);
        }
        acc0.storeu(orow + ow);
        acc1.storeu(orow + ow + L);
      }
      for (; ow < out_w; ow += L) {
        const int n = int(std::min<int64_t>(L, out_w - ow));
        V acc = V::broadcast(bias);
        for (int64_t t = 0; t < taps; ++t) acc = V::fma(V::broadcast(w[t]), V::load_partial(rows[t] + ow, n), acc);
        acc.store_partial(orow + ow, n);
      }
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

}  // namespace

void depthwise_conv2d(const float* input, const float* weights, const float* bias, int64_t channels,
                      const ConvGeometry& g, float* output, ThreadPool* threads) {
  parallel_for(threads, channels, 1, [&](int64_t begin, int64_t end) {
    WISP_THREAD_LOCAL PaddedPlane plane;
    for (int64_t c = begin; c < end; ++c) {
      pad_plane(input + c * g.in_size(), g, plane);
      depthwise_plane<simd::F32x>(plane, weights + c * g.kernel_size(), bias ? bias[c] : 0.0f, g,
                                  output + c * g.out_size());
    }
  });
}

}  // namespace wisp::kernels
