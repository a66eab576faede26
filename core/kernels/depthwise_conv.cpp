// Depthwise convolution (one filter per channel), as used throughout PP-OCR and MobileNets.
//
// Each channel plane is first copied into a zero-padded buffer split into `stride_w`
// column phases (phase q holds padded columns q, q + s, q + 2s, ...). After that every tap
// (kh, kw) of every output row is a unit-stride run of one phase row, with no bounds checks,
// whatever the padding or stride: the inner loop is vector loads and FMAs, accumulating all
// taps of a run of outputs in registers before one store. With unit strides, narrow planes
// walk the padded plane as one flat run instead of row by row, and wide ones (mostly full
// vectors) skip the copy and read the input in place. The plane kernels
// (depthwise_kernels.h) are those of the active GEMM kernel set, i.e. AVX-512 when the CPU
// has it.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/kernels/conv_kernels.h"
#include "core/kernels/depthwise_kernels.h"
#include "core/kernels/gemm_dispatch.h"

namespace wisp::kernels {

namespace {

// Sizes the padded, phase-split buffer for geometry g and zeros it. The zeros (the padding)
// are never overwritten by fill_plane, so one prepare serves every channel of a call.
void prepare_plane(const ConvGeometry& g, PaddedPlane& p) {
  const int64_t sw = g.stride[2];
  p.rows = (g.out[1] - 1) * g.stride[1] + (g.kernel[1] - 1) * g.dilation[1] + 1;
  const int64_t padded_w = (g.out[2] - 1) * sw + (g.kernel[2] - 1) * g.dilation[2] + 1;
  p.phases = sw;
  p.phase_width = (padded_w + sw - 1) / sw;
  p.data.assign(size_t(p.phases * p.rows * p.phase_width), 0.0f);
}

// Copies one input plane into the prepared buffer: every input position the convolution
// reads, at its padded place.
void fill_plane(const float* in, const ConvGeometry& g, PaddedPlane& p) {
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
        // Plain loop: rows are short (7..112 values), a libc call per row costs as much.
        for (int64_t t = t_lo; t < t_hi; ++t) dst[t] = src[t + shift];
      } else if (sw == 2) {  // a constant stride the compiler vectorises (stride-2 downsampling)
        const float* s2 = src + shift;
        for (int64_t t = t_lo; t < t_hi; ++t) dst[t] = s2[2 * t];
      } else {
        for (int64_t t = t_lo; t < t_hi; ++t) dst[t] = src[t * sw + shift];
      }
    }
  }
}

}  // namespace

void depthwise_conv2d(const float* input, const float* weights, const float* bias, int64_t channels,
                      const ConvGeometry& g, float* output, ThreadPool* threads) {
  const DepthwiseKernels& dk = gemm_kernels().depthwise;  // the active ISA's
  const bool unit = g.stride[1] == 1 && g.stride[2] == 1 && g.kernel[1] * g.kernel[2] <= kMaxDepthwiseTaps;
  // Wide rows are mostly full vectors: read the input in place. Narrow ones (up to a few
  // vectors) go through the padded copy and the flat kernel.
  const bool direct = unit && g.out[2] >= 48;
  const bool flat = unit && !direct;
  // Chunks of at least ~32K multiply-adds: smaller ones cost more to hand to a thread.
  const int64_t min_chunk = std::max<int64_t>(1, (int64_t(32) << 10) / std::max<int64_t>(1, g.out_size() * g.kernel_size()));
  parallel_for(threads, channels, min_chunk, [&](int64_t begin, int64_t end) {
    WISP_THREAD_LOCAL PaddedPlane plane;
    WISP_THREAD_LOCAL std::vector<float> flat_out;
    if (!direct) prepare_plane(g, plane);
    for (int64_t c = begin; c < end; ++c) {
      const float* w = weights + c * g.kernel_size();
      const float b = bias ? bias[c] : 0.0f;
      float* out = output + c * g.out_size();
      if (direct) {
        dk.direct(input + c * g.in_size(), w, b, g, out);
        continue;
      }
      fill_plane(input + c * g.in_size(), g, plane);
      if (flat) {
        dk.flat(plane, w, b, g, out, flat_out);
      } else {
        dk.rows(plane, w, b, g, out);
      }
    }
  });
}

}  // namespace wisp::kernels
