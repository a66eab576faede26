// Depthwise convolution (one filter per channel), as used throughout PP-OCR and MobileNets.
//
// Each channel plane is first copied into a zero-padded buffer split into `stride_w`
// column phases (phase q holds padded columns q, q + s, q + 2s, ...). After that every tap
// (kh, kw) of every output row is a unit-stride run of one phase row, with no bounds checks,
// whatever the padding or stride: the inner loop is vector loads and FMAs, accumulating all
// taps of a run of outputs in registers before one store. With unit strides, planes that
// fit L2 walk the padded plane as one flat run instead of row by row, and larger ones skip
// the copy and read the input in place. The plane kernels
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
// are never overwritten by the kernels' fill, so one prepare serves every channel of a call.
void prepare_plane(const ConvGeometry& g, PaddedPlane& p) {
  const int64_t sw = g.stride[2];
  p.rows = (g.out[1] - 1) * g.stride[1] + (g.kernel[1] - 1) * g.dilation[1] + 1;
  const int64_t padded_w = (g.out[2] - 1) * sw + (g.kernel[2] - 1) * g.dilation[2] + 1;
  p.phases = sw;
  p.phase_width = (padded_w + sw - 1) / sw;
  p.data.assign(size_t(p.phases * p.rows * p.phase_width), 0.0f);
}

}  // namespace

void depthwise_conv2d(const float* input, const float* weights, const float* bias, int64_t channels,
                      const ConvGeometry& g, float* output, ThreadPool* threads) {
  const DepthwiseKernels& dk = gemm_kernels().depthwise;  // the active ISA's
  const bool few_taps = g.kernel[1] * g.kernel[2] <= kMaxDepthwiseTaps;
  const bool unit = few_taps && g.stride[1] == 1 && g.stride[2] == 1;
  // Unit strides go through the padded copy and the flat kernel: one long vector run per
  // tap, without the per-row edge columns of the in-place kernel, which cost more than the
  // copies (measured up to 112x112 planes). Only planes too large to stay in L2 between the
  // copy and the multiply (beyond ~256 KB) are read in place. Other strides use the flat
  // kernel for narrow outputs (a few vectors a row at most) and go row by row otherwise.
  const int64_t padded_plane = (g.in[1] + 2 * g.pad_begin[1]) * (g.in[2] + 2 * g.pad_begin[2]);
  const bool direct = unit && padded_plane > (int64_t(64) << 10);
  const bool flat = unit ? !direct : few_taps && g.out[2] < 48;
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
      dk.fill(input + c * g.in_size(), g, plane);
      if (flat) {
        dk.flat(plane, w, b, g, out, flat_out);
      } else {
        dk.rows(plane, w, b, g, out);
      }
    }
  });
}

}  // namespace wisp::kernels
