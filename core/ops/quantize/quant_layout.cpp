// Validation of scale / zero-point shapes for QuantizeLinear and DequantizeLinear.
#include "core/ops/quantize/quantize_ops.h"

namespace wisp::quantize {

Result<QuantLayout> quant_layout(const Shape& x, const Tensor& scale, const Tensor* zero_point, int64_t axis,
                                 int64_t block_size) {
  if (zero_point) {
    WISP_CHECK_ARG(zero_point->shape() == scale.shape() || (zero_point->numel() == 1 && scale.numel() == 1),
                   "zero point ", zero_point->describe(), " must have the shape of the scale ", scale.describe());
  }
  QuantLayout layout;
  WISP_CHECK_ARG(block_size >= 0, "block_size must not be negative, got ", block_size);
  if (block_size == 0 && scale.numel() == 1 && scale.rank() <= 1) {
    layout.outer = numel(x);
    return layout;
  }
  const int64_t rank = int64_t(x.size());
  WISP_ASSIGN_OR_RETURN(int64_t a, normalize_axis(axis, rank));
  for (int64_t d = 0; d < a; ++d) layout.outer *= x[size_t(d)];
  layout.n = x[size_t(a)];
  for (int64_t d = a + 1; d < rank; ++d) layout.inner *= x[size_t(d)];

  if (block_size == 0) {
    WISP_CHECK_ARG(scale.rank() == 1 && scale.numel() == layout.n, "scale ", scale.describe(),
                   " must be a scalar or a 1-D tensor of ", layout.n, " values (the size of axis ", a, " of x ",
                   shape_to_string(x), ")");
    layout.mode = QuantLayout::Mode::PerAxis;
    return layout;
  }
  // Blocked: the scale has x's shape except along the axis, where it has one value per block.
  layout.mode = QuantLayout::Mode::Blocked;
  layout.block = block_size;
  layout.blocks = (layout.n + block_size - 1) / block_size;
  bool ok = scale.rank() == rank;
  for (int64_t d = 0; ok && d < rank; ++d) {
    ok = scale.shape()[size_t(d)] == (d == a ? layout.blocks : x[size_t(d)]);
  }
  WISP_CHECK_ARG(ok, "scale ", scale.describe(), " does not fit x ", shape_to_string(x), " with block_size ",
                 block_size, " along axis ", a, " (expected ", layout.blocks, " blocks along that axis)");
  return layout;
}

}  // namespace wisp::quantize
