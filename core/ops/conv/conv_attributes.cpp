#include "core/ops/conv/conv_attributes.h"

#include <algorithm>

namespace wisp::conv {

Status ConvAttributes::read(const Node& node) {
  WISP_ASSIGN_OR_RETURN(kernel_shape, node.attr_ints("kernel_shape"));
  WISP_ASSIGN_OR_RETURN(strides, node.attr_ints("strides"));
  WISP_ASSIGN_OR_RETURN(dilations, node.attr_ints("dilations"));
  WISP_ASSIGN_OR_RETURN(pads, node.attr_ints("pads"));
  WISP_ASSIGN_OR_RETURN(output_padding, node.attr_ints("output_padding"));
  WISP_ASSIGN_OR_RETURN(output_shape, node.attr_ints("output_shape"));
  WISP_ASSIGN_OR_RETURN(auto_pad, node.attr_string("auto_pad", "NOTSET"));
  WISP_ASSIGN_OR_RETURN(group, node.attr_int("group", 1));
  WISP_CHECK_MODEL(group >= 1, node.context(), "group must be >= 1, got ", group);
  WISP_CHECK_MODEL(auto_pad == "NOTSET" || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER" || auto_pad == "VALID",
                   node.context(), "unknown auto_pad '", auto_pad, "'");
  for (int64_t v : strides) WISP_CHECK_MODEL(v >= 1, node.context(), "strides must be >= 1");
  for (int64_t v : dilations) WISP_CHECK_MODEL(v >= 1, node.context(), "dilations must be >= 1");
  for (int64_t v : pads) WISP_CHECK_MODEL(v >= 0, node.context(), "pads must be >= 0");
  return Status::ok();
}

Status ConvAttributes::resolve(const Node& node, size_t spatial, const Shape& weight_shape, std::vector<int64_t>& kernel,
                               std::vector<int64_t>& strides_out, std::vector<int64_t>& dilations_out) const {
  WISP_CHECK_ARG(spatial >= 1 && spatial <= 3, node.context(), "only 1-D, 2-D and 3-D convolutions are supported, got ",
                 spatial, " spatial dimensions");
  WISP_CHECK_ARG(weight_shape.size() == spatial + 2, node.context(), "weights of rank ", weight_shape.size(),
                 " do not fit an input with ", spatial, " spatial dimensions");
  kernel.assign(weight_shape.begin() + 2, weight_shape.end());
  if (!kernel_shape.empty()) {
    WISP_CHECK_ARG(kernel_shape == kernel, node.context(), "kernel_shape does not match the weights");
  }
  strides_out = strides.empty() ? std::vector<int64_t>(spatial, 1) : strides;
  dilations_out = dilations.empty() ? std::vector<int64_t>(spatial, 1) : dilations;
  WISP_CHECK_ARG(strides_out.size() == spatial && dilations_out.size() == spatial, node.context(),
                 "strides/dilations must have ", spatial, " values");
  WISP_CHECK_ARG(pads.empty() || pads.size() == 2 * spatial, node.context(), "pads must have ", 2 * spatial, " values");
  return Status::ok();
}

Result<kernels::ConvGeometry> conv_geometry(const ConvAttributes& attrs, const Node& node, const Shape& x_shape,
                                            const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                                            const std::vector<int64_t>& dilations) {
  const size_t spatial = x_shape.size() - 2;
  std::vector<int64_t> out_dims(spatial), pad_begin(spatial);
  const bool same = attrs.auto_pad == "SAME_UPPER" || attrs.auto_pad == "SAME_LOWER";
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t in = x_shape[i + 2];
    WISP_CHECK_ARG(kernel[i] >= 1, node.context(), "kernel extents must be >= 1, got ", kernel[i]);
    int64_t span = 0;  // dilated kernel extent; attributes are untrusted, so checked
    WISP_CHECK_ARG(checked_mul(kernel[i] - 1, dilations[i], &span) && checked_add(span, 1, &span), node.context(),
                   "kernel extent ", kernel[i], " with dilation ", dilations[i], " overflows");
    if (same) {
      // Output ceil(in / stride); the total padding is split, the odd one going at the end
      // (SAME_UPPER) or the beginning (SAME_LOWER).
      out_dims[i] = in / strides[i] + (in % strides[i] != 0);
      int64_t total = 0;  // |(out - 1) * stride| <= max(in, stride): only adding span can overflow
      WISP_CHECK_ARG(checked_add((out_dims[i] - 1) * strides[i], span - in, &total), node.context(),
                     "kernel extent ", span, " overflows");
      total = std::max<int64_t>(0, total);
      pad_begin[i] = attrs.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else {
      const bool explicit_pads = attrs.auto_pad == "NOTSET" && !attrs.pads.empty();
      const int64_t pb = explicit_pads ? attrs.pads[i] : 0, pe = explicit_pads ? attrs.pads[i + spatial] : 0;
      int64_t padded = 0;
      WISP_CHECK_ARG(checked_add(in, pb, &padded) && checked_add(padded, pe, &padded), node.context(), "pads ", pb,
                     ", ", pe, " overflow");
      WISP_CHECK_ARG(padded >= span, node.context(), "kernel of extent ", span, " (dilated) is larger than the ",
                     "padded input extent ", padded, " of input ", shape_to_string(x_shape));
      out_dims[i] = (padded - span) / strides[i] + 1;
      pad_begin[i] = pb;
    }
  }
  kernels::ConvGeometry g;
  g.in = to_three(std::vector<int64_t>(x_shape.begin() + 2, x_shape.end()), 1);
  g.out = to_three(out_dims, 1);
  g.kernel = to_three(kernel, 1);
  g.stride = to_three(strides, 1);
  g.dilation = to_three(dilations, 1);
  g.pad_begin = to_three(pad_begin, 0);
  return g;
}

std::array<int64_t, 3> to_three(const std::vector<int64_t>& values, int64_t fill) {
  std::array<int64_t, 3> out{fill, fill, fill};
  const size_t shift = 3 - values.size();
  for (size_t i = 0; i < values.size(); ++i) out[shift + i] = values[i];
  return out;
}

}  // namespace wisp::conv
