// Slice: starts/ends/axes attributes before opset 10, inputs (with steps) from opset 10.
#include <algorithm>

#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

class SliceOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    from_attrs_ = ctx.opset > 0 && ctx.opset < 10;
    if (from_attrs_) {
      WISP_ASSIGN_OR_RETURN(starts_, ctx.node.attr_ints("starts"));
      WISP_ASSIGN_OR_RETURN(ends_, ctx.node.attr_ints("ends"));
      WISP_ASSIGN_OR_RETURN(axes_, ctx.node.attr_ints("axes"));
      WISP_CHECK_MODEL(starts_.size() == ends_.size(), "starts and ends differ in length");
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    std::vector<int64_t> starts = starts_, ends = ends_, axes = axes_, steps;
    if (!from_attrs_) {
      WISP_ASSIGN_OR_RETURN(starts, read_int64s(ctx.input(1), "starts"));
      WISP_ASSIGN_OR_RETURN(ends, read_int64s(ctx.input(2), "ends"));
      WISP_ASSIGN_OR_RETURN(axes, optional_int64s(ctx, 3, "axes"));
      WISP_ASSIGN_OR_RETURN(steps, optional_int64s(ctx, 4, "steps"));
    }
    WISP_CHECK_ARG(starts.size() == ends.size(), "starts has ", starts.size(), " entries, ends ", ends.size());
    if (axes.empty() && !(ctx.has_input(3) && !from_attrs_)) {
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
    }
    if (steps.empty() && !(ctx.has_input(4) && !from_attrs_)) steps.assign(starts.size(), 1);
    WISP_CHECK_ARG(axes.size() == starts.size() && steps.size() == starts.size(),
                   "starts, ends, axes and steps must have the same length");
    WISP_ASSIGN_OR_RETURN(axes, normalize_axes(axes, rank));

    Shape out_shape = x.shape();
    std::vector<int64_t> first(size_t(rank), 0), step(size_t(rank), 1);
    for (size_t i = 0; i < axes.size(); ++i) {
      const size_t a = size_t(axes[i]);
      const int64_t dim = x.shape()[a], s = steps[i];
      WISP_CHECK_ARG(s != 0, "slice step must not be zero");
      int64_t b = starts[i], e = ends[i];
      if (b < 0) b += dim;
      if (e < 0) e += dim;
      int64_t count;
      if (dim == 0) {
        b = 0;
        count = 0;
      } else if (s > 0) {
        b = std::clamp<int64_t>(b, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        count = e > b ? 1 + (e - b - 1) / s : 0;
      } else {
        b = std::clamp<int64_t>(b, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        // -s may be huge (INT64_MIN is a legal step): keep the arithmetic in range.
        count = b > e ? 1 + (b - e - 1) / (s == INT64_MIN ? INT64_MAX : -s) : 0;
      }
      first[a] = b;
      step[a] = s;
      out_shape[a] = count;
    }

    std::vector<int64_t> in_strides = x.strides();
    int64_t offset = 0;
    std::vector<int64_t> strides(static_cast<size_t>(rank), 0);
    for (size_t d = 0; d < size_t(rank); ++d) {
      offset += first[d] * in_strides[d];
      // With two or more elements |step| < dim, so the product stays within the tensor; a lone
      // element never moves, and its step (which may be near INT64_MAX) must not be multiplied.
      strides[d] = out_shape[d] > 1 ? in_strides[d] * step[d] : 0;
    }
    if (numel(out_shape) > 0 && is_contiguous(x.shape(), out_shape, step)) {
      ctx.set_output(0, x.slice_view(offset, out_shape));
      return Status::ok();
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), out_shape));
    strided_copy(*out, x, out_shape, strides, offset, ctx.threads());
    return Status::ok();
  }

 private:
  // True when the selected elements form one contiguous run of the input, so the output
  // can be a view: leading dims of extent 1, then one dim with step 1, then full dims.
  static bool is_contiguous(const Shape& in, const Shape& out, const std::vector<int64_t>& step) {
    size_t k = 0;
    while (k < out.size() && out[k] == 1) ++k;
    if (k == out.size()) return true;
    if (step[k] != 1) return false;
    for (size_t d = k + 1; d < out.size(); ++d) {
      if (out[d] != in[d] || step[d] != 1) return false;
    }
    return true;
  }

  bool from_attrs_ = false;
  std::vector<int64_t> starts_, ends_, axes_;
};

}  // namespace

void register_slice_ops(OpRegistry& r) { r.add<SliceOp>("Slice"); }

}  // namespace wisp::shape_ops
