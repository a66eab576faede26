// Building blocks of convolution: im2col / col2im over up to three spatial dimensions
// (1-D and 2-D convolutions use leading extents of 1) and a direct depthwise kernel.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/kernels/gemm.h"
#include "core/runtime/thread_pool.h"

namespace wisp::kernels {

// Geometry of one convolution, spatial dims always three (depth, height, width).
struct ConvGeometry {
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1};
  std::array<int64_t, 3> stride{1, 1, 1}, dilation{1, 1, 1}, pad_begin{0, 0, 0};
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
  // A 1x1(x1) kernel with unit strides and no padding: the input already is the im2col matrix.
  bool is_pointwise() const {
    return kernel_size() == 1 && stride == std::array<int64_t, 3>{1, 1, 1} &&
           pad_begin == std::array<int64_t, 3>{0, 0, 0} && in == out;
  }
};

// The im2col matrix of input [channels, in...]: rows are (channel, kd, kh, kw) flattened,
// columns the flattened output positions, padding reads as 0. Built per input; the
// per-row geometry is computed once here so that producing blocks of it is cheap.
class Im2col {
 public:
  Im2col(const float* input, int64_t channels, const ConvGeometry& g);
  int64_t rows() const { return int64_t(rows_.size()); }
  // Columns [col0, col0 + cols) of row `row`, as plain values.
  void row(int64_t row, int64_t col0, int64_t cols, float* dst) const;
  // Rows [row0, row0 + rows) and columns [col0, col0 + cols) in the GEMM's packed-B panel
  // form (panels of rows x nr): use as the BPanelPacker of gemm(), so the whole matrix is
  // never built.
  void pack_block(int64_t row0, int64_t rows, int64_t col0, int64_t cols, float* dst) const;

  struct RowInfo {
    const float* channel;            // the input channel this row reads
    int64_t off_d, off_h, off_w;     // kernel offset minus padding, per spatial dim
    int64_t w_lo, w_hi;              // output columns whose input column is inside the row
  };

 private:
  ConvGeometry g_;
  std::vector<RowInfo> rows_;
};

// The adjoint: col [channels * kernel_size, in_size] is scattered and summed into
// output [channels, out...] (ConvTranspose, where `in` is the small side). Output is zeroed
// first. Channels run in parallel.
void col2im(const float* col, int64_t channels, const ConvGeometry& g, float* output, ThreadPool* threads);

// Depthwise convolution over 1-D or 2-D planes (g.in[0] == g.out[0] == g.kernel[0] == 1):
// `channels` planes of input [in_h, in_w], each with its own kernel [kh, kw] and bias
// (nullptr: none). Channel c of the input is channel c of the output.
void depthwise_conv2d(const float* input, const float* weights, const float* bias, int64_t channels,
                      const ConvGeometry& g, float* output, ThreadPool* threads);

}  // namespace wisp::kernels
