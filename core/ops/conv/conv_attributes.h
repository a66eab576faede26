// The attributes Conv and ConvTranspose share, read and checked once at load.
#pragma once

#include <string>
#include <vector>

#include "core/kernels/conv_kernels.h"
#include "core/ops/op.h"

namespace wisp::conv {

struct ConvAttributes {
  std::vector<int64_t> kernel_shape;  // empty: from the weights
  std::vector<int64_t> strides, dilations, pads, output_padding, output_shape;
  std::string auto_pad = "NOTSET";
  int64_t group = 1;

  Status read(const Node& node);
  // Fills defaults for `spatial` dims and checks lengths and values.
  Status resolve(const Node& node, size_t spatial, const Shape& weight_shape, std::vector<int64_t>& kernel,
                 std::vector<int64_t>& strides_out, std::vector<int64_t>& dilations_out) const;
};

// Output size and begin padding of a Conv (auto_pad, pads, strides, dilations) in the
// kernels' three-slot form. Fails when the kernel does not fit the padded input.
Result<kernels::ConvGeometry> conv_geometry(const ConvAttributes& attrs, const Node& node, const Shape& x_shape,
                                            const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                                            const std::vector<int64_t>& dilations);

// Puts N-d (N <= 3) spatial values into the kernels' three-slot form, leading slots 1 (or 0).
std::array<int64_t, 3> to_three(const std::vector<int64_t>& values, int64_t fill);

void register_conv(OpRegistry& registry);
void register_conv_transpose(OpRegistry& registry);
void register_quantized_conv(OpRegistry& registry);  // ConvInteger, QLinearConv

}  // namespace wisp::conv
