// Building blocks of convolution: im2col / col2im over up to three spatial dimensions
// (1-D and 2-D convolutions use leading extents of 1) and a direct depthwise kernel.
#pragma once

#include <array>
#include <cstdint>

#include "core/runtime/thread_pool.h"

namespace wisp::kernels {

// Geometry of one convolution, spatial dims always three (depth, height, width).
struct ConvGeometry {
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1};
  std::array<int64_t, 3> stride{1, 1, 1}, dilation{1, 1, 1}, pad_begin{0, 0, 0};
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
};

// input [channels, in...] -> col [channels * kernel_size, out_size]; padding reads as 0.
void im2col(const float* input, int64_t channels, const ConvGeometry& g, float* col, ThreadPool* threads);
// The adjoint: col [channels * kernel_size, in_size] is scattered and summed into
// output [channels, out...] (ConvTranspose, where `in` is the small side). Output is zeroed first.
void col2im(const float* col, int64_t channels, const ConvGeometry& g, float* output);
// Depthwise 2-D convolution of one channel (input [in_h, in_w] -> output [out_h, out_w]).
void depthwise_conv2d(const float* input, const float* weights, float bias, const ConvGeometry& g, float* output);

}  // namespace wisp::kernels
