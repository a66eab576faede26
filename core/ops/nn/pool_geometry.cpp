#include "core/ops/nn/pool_geometry.h"

#include <algorithm>

namespace wisp::nn {

Status PoolAttributes::parse(const Node& node, bool has_dilations, bool has_ceil_mode) {
  WISP_ASSIGN_OR_RETURN(kernel, node.attr_ints("kernel_shape"));
  WISP_CHECK_MODEL(!kernel.empty(), "attribute 'kernel_shape' is required");
  WISP_CHECK_MODEL(kernel.size() <= size_t(kMaxPoolDims), "pooling over ", kernel.size(),
                   " spatial dims is not supported (at most ", kMaxPoolDims, ")");
  for (int64_t k : kernel) WISP_CHECK_MODEL(k >= 1, "kernel_shape values must be >= 1");
  const size_t nd = kernel.size();
  WISP_ASSIGN_OR_RETURN(strides, node.attr_ints("strides"));
  WISP_CHECK_MODEL(strides.empty() || strides.size() == nd, "strides must have ", nd, " values");
  for (int64_t s : strides) WISP_CHECK_MODEL(s >= 1, "strides must be >= 1");
  if (has_dilations) {
    WISP_ASSIGN_OR_RETURN(dilations, node.attr_ints("dilations"));
    WISP_CHECK_MODEL(dilations.empty() || dilations.size() == nd, "dilations must have ", nd, " values");
    for (int64_t d : dilations) WISP_CHECK_MODEL(d >= 1, "dilations must be >= 1");
  }
  WISP_ASSIGN_OR_RETURN(pads, node.attr_ints("pads"));
  WISP_CHECK_MODEL(pads.empty() || pads.size() == 2 * nd, "pads must have ", 2 * nd, " values");
  for (int64_t p : pads) WISP_CHECK_MODEL(p >= 0, "pads must be >= 0");
  WISP_ASSIGN_OR_RETURN(auto_pad, node.attr_string("auto_pad", "NOTSET"));
  WISP_CHECK_MODEL(auto_pad == "NOTSET" || auto_pad == "VALID" || auto_pad == "SAME_UPPER" ||
                       auto_pad == "SAME_LOWER",
                   "unknown auto_pad '", auto_pad, "'");
  if (has_ceil_mode) {
    WISP_ASSIGN_OR_RETURN(int64_t c, node.attr_int("ceil_mode", 0));
    ceil_mode = c != 0;
  }
  return Status::ok();
}

Result<PoolGeometry> resolve_pool_geometry(const PoolAttributes& attrs, const Shape& shape) {
  PoolGeometry g;
  const int nd = int(attrs.kernel.size());
  WISP_CHECK_ARG(int64_t(shape.size()) == nd + 2, "input must have rank ", nd + 2, " (N, C and ", nd,
                 " spatial dims) for kernel_shape of ", nd, " values, got shape ", shape_to_string(shape));
  g.nd = nd;
  g.batch = shape[0];
  g.channels = shape[1];
  g.out_shape = {shape[0], shape[1]};
  const int first = kMaxPoolDims - nd;  // slot of the first real spatial dim
  for (int j = 0; j < nd; ++j) {
    const int i = first + j;
    const int64_t in = shape[size_t(2 + j)];
    const int64_t k = attrs.kernel[size_t(j)];
    const int64_t s = attrs.strides.empty() ? 1 : attrs.strides[size_t(j)];
    const int64_t d = attrs.dilations.empty() ? 1 : attrs.dilations[size_t(j)];
    // Attributes are untrusted: every sum and product below is checked (or provably small).
    int64_t ek = 0;  // effective (dilated) kernel extent
    WISP_CHECK_ARG(checked_mul(k - 1, d, &ek) && checked_add(ek, 1, &ek), "kernel_shape ", k, " with dilation ", d,
                   " overflows along spatial dim ", j);
    int64_t pb = 0, pe = 0, out = 0;
    if (attrs.auto_pad == "NOTSET") {
      if (!attrs.pads.empty()) {
        pb = attrs.pads[size_t(j)];
        pe = attrs.pads[size_t(j + nd)];
      }
      int64_t padded = 0, begin_padded = 0;
      WISP_CHECK_ARG(checked_add(in, pb, &begin_padded) && checked_add(begin_padded, pe, &padded), "pads ", pb, ", ",
                     pe, " overflow along spatial dim ", j);
      const int64_t span = padded - ek;
      WISP_CHECK_ARG(span >= 0, "pooling window (", ek, ") is larger than the padded input (", padded,
                     ") along spatial dim ", j);
      out = (attrs.ceil_mode ? span / s + (span % s != 0) : span / s) + 1;
      // A window that would start inside the end padding is dropped (PyTorch rule).
      int64_t last_start = 0;
      if (attrs.ceil_mode && (!checked_mul(out - 1, s, &last_start) || last_start >= begin_padded)) --out;
    } else if (attrs.auto_pad == "VALID") {
      const int64_t span = in - ek;
      WISP_CHECK_ARG(span >= 0, "pooling window (", ek, ") is larger than the input (", in, ") along spatial dim ", j);
      out = span / s + 1;  // ceil((span + 1) / s) under ceil_mode is the same number
    } else {
      out = in / s + (in % s != 0);
      int64_t total = 0;  // |(out - 1) * s| <= max(in, s), so only adding ek can overflow
      WISP_CHECK_ARG(checked_add((out - 1) * s, ek - in, &total), "kernel_shape ", k,
                     " overflows along spatial dim ", j);
      total = std::max<int64_t>(0, total);
      if (attrs.auto_pad == "SAME_UPPER") {
        pb = total / 2;
      } else {
        pb = total - total / 2;
      }
      pe = total - pb;
    }
    g.in[i] = in;
    g.out[i] = out;
    g.k[i] = k;
    g.s[i] = s;
    g.d[i] = d;
    g.pb[i] = pb;
    g.pe[i] = pe;
    g.out_shape.push_back(out);
  }
  return g;
}

}  // namespace wisp::nn
