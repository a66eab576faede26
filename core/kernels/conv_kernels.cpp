#include "core/kernels/conv_kernels.h"

#include <algorithm>
#include <cstring>

namespace wisp::kernels {

namespace {

// Output positions o (0 <= o < out) whose input index o*stride - pad + offset is inside [0, in).
void valid_range(int64_t in, int64_t out, int64_t stride, int64_t offset_minus_pad, int64_t& lo, int64_t& hi) {
  // o*stride + offset_minus_pad >= 0  and  < in
  lo = std::min(out, offset_minus_pad >= 0 ? 0 : (-offset_minus_pad + stride - 1) / stride);
  int64_t limit = in - offset_minus_pad;  // o*stride < limit
  hi = limit <= 0 ? 0 : std::min(out, (limit + stride - 1) / stride);
  if (hi < lo) hi = lo;
}

}  // namespace

void im2col(const float* input, int64_t channels, const ConvGeometry& g, float* col, ThreadPool* threads) {
  const int64_t rows = channels * g.kernel_size();
  const int64_t out_size = g.out_size();
  parallel_for(threads, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t rest = row;
      const int64_t kw = rest % g.kernel[2]; rest /= g.kernel[2];
      const int64_t kh = rest % g.kernel[1]; rest /= g.kernel[1];
      const int64_t kd = rest % g.kernel[0]; rest /= g.kernel[0];
      const int64_t c = rest;
      const float* channel = input + c * g.in_size();
      float* dst = col + row * out_size;
      const int64_t off_d = kd * g.dilation[0] - g.pad_begin[0];
      const int64_t off_h = kh * g.dilation[1] - g.pad_begin[1];
      const int64_t off_w = kw * g.dilation[2] - g.pad_begin[2];
      int64_t w_lo, w_hi;
      valid_range(g.in[2], g.out[2], g.stride[2], off_w, w_lo, w_hi);
      for (int64_t od = 0; od < g.out[0]; ++od) {
        const int64_t id = od * g.stride[0] + off_d;
        for (int64_t oh = 0; oh < g.out[1]; ++oh) {
          const int64_t ih = oh * g.stride[1] + off_h;
          float* out_row = dst + (od * g.out[1] + oh) * g.out[2];
          if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
            std::memset(out_row, 0, size_t(g.out[2]) * sizeof(float));
            continue;
          }
          const float* in_row = channel + (id * g.in[1] + ih) * g.in[2];
          std::fill(out_row, out_row + w_lo, 0.0f);
          if (g.stride[2] == 1) {
            std::memcpy(out_row + w_lo, in_row + w_lo + off_w, size_t(w_hi - w_lo) * sizeof(float));
          } else {
            for (int64_t ow = w_lo; ow < w_hi; ++ow) out_row[ow] = in_row[ow * g.stride[2] + off_w];
          }
          std::fill(out_row + w_hi, out_row + g.out[2], 0.0f);
        }
      }
    }
  });
}

void col2im(const float* col, int64_t channels, const ConvGeometry& g, float* output) {
  // Here `in` is the ConvTranspose input (the col's columns) and `out` the larger output.
  std::memset(output, 0, size_t(channels * g.out_size()) * sizeof(float));
  const int64_t in_size = g.in_size();
  for (int64_t c = 0; c < channels; ++c) {
    float* channel = output + c * g.out_size();
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          const int64_t row = ((c * g.kernel[0] + kd) * g.kernel[1] + kh) * g.kernel[2] + kw;
          const float* src = col + row * in_size;
          for (int64_t id = 0; id < g.in[0]; ++id) {
            const int64_t od = id * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
            if (od < 0 || od >= g.out[0]) continue;
            for (int64_t ih = 0; ih < g.in[1]; ++ih) {
              const int64_t oh = ih * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
              if (oh < 0 || oh >= g.out[1]) continue;
              const float* s = src + (id * g.in[1] + ih) * g.in[2];
              float* o = channel + (od * g.out[1] + oh) * g.out[2];
              for (int64_t iw = 0; iw < g.in[2]; ++iw) {
                const int64_t ow = iw * g.stride[2] - g.pad_begin[2] + kw * g.dilation[2];
                if (ow >= 0 && ow < g.out[2]) o[ow] += s[iw];
              }
            }
          }
        }
  }
}

void depthwise_conv2d(const float* input, const float* weights, float bias, const ConvGeometry& g, float* output) {
  const int64_t out_h = g.out[1], out_w = g.out[2], in_h = g.in[1], in_w = g.in[2];
  std::fill(output, output + out_h * out_w, bias);
  for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
    const int64_t off_h = kh * g.dilation[1] - g.pad_begin[1];
    int64_t h_lo, h_hi;
    valid_range(in_h, out_h, g.stride[1], off_h, h_lo, h_hi);
    for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
      const float w = weights[kh * g.kernel[2] + kw];
      const int64_t off_w = kw * g.dilation[2] - g.pad_begin[2];
      int64_t w_lo, w_hi;
      valid_range(in_w, out_w, g.stride[2], off_w, w_lo, w_hi);
      for (int64_t oh = h_lo; oh < h_hi; ++oh) {
        const float* in_row = input + (oh * g.stride[1] + off_h) * in_w + off_w;
        float* out_row = output + oh * out_w;
        if (g.stride[2] == 1) {
          for (int64_t ow = w_lo; ow < w_hi; ++ow) out_row[ow] += w * in_row[ow];  // vectorised by the compiler
        } else {
          for (int64_t ow = w_lo; ow < w_hi; ++ow) out_row[ow] += w * in_row[ow * g.stride[2]];
        }
      }
    }
  }
}

}  // namespace wisp::kernels
