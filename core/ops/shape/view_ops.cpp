// Ops that only change the shape: their outputs are views sharing the input's storage.
#include <algorithm>

#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

class IdentityOp final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    // A node may list no input at all (or ""); the constant folder runs such a node too.
    WISP_CHECK_ARG(ctx.has_input(0), "Identity needs an input");
    ctx.set_output_value(0, ctx.input_value(0));
    return Status::ok();
  }
  bool takes_any_value() const override { return true; }  // Identity of sequences and optionals too
};

// Resolves 0 (copy the input's extent, unless allowzero) and -1 (inferred) in a Reshape target.
Result<Shape> resolve_reshape(const Shape& in, const std::vector<int64_t>& target, bool allowzero) {
  Shape out(target.size());
  int64_t infer_at = -1, known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == -1) {
      WISP_CHECK_ARG(infer_at < 0, "shape ", shape_to_string(target), " has more than one -1");
      infer_at = int64_t(i);
      continue;
    }
    if (d == 0 && !allowzero) {
      WISP_CHECK_ARG(i < in.size(), "shape ", shape_to_string(target), " copies dim ", i, " of input ",
                     shape_to_string(in), " which does not exist");
      d = in[i];
    }
    WISP_CHECK_ARG(d >= 0, "invalid dimension ", d, " in shape ", shape_to_string(target));
    out[i] = d;
    if (d != 0 && known > INT64_MAX / d) return invalid_argument("shape ", shape_to_string(target), " overflows");
    known *= d;
  }
  int64_t total = numel(in);
  if (infer_at >= 0) {
    WISP_CHECK_ARG(known != 0 && total % known == 0, "cannot reshape ", shape_to_string(in), " to ",
                   shape_to_string(target));
    out[size_t(infer_at)] = total / known;
  } else {
    WISP_CHECK_ARG(known == total, "cannot reshape ", shape_to_string(in), " (", total, " elements) to ",
                   shape_to_string(target));
  }
  return out;
}

class ReshapeOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    from_attr_ = ctx.opset > 0 && ctx.opset < 5;
    if (from_attr_) {
      WISP_ASSIGN_OR_RETURN(shape_attr_, ctx.node.attr_ints("shape"));
    }
    WISP_ASSIGN_OR_RETURN(int64_t az, ctx.node.attr_int("allowzero", 0));
    allowzero_ = az != 0;
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> target = shape_attr_;
    if (!from_attr_) {
      WISP_CHECK_ARG(ctx.has_input(1), "Reshape needs a shape input");
      WISP_ASSIGN_OR_RETURN(target, read_int64s(ctx.input(1), "shape"));
    }
    WISP_ASSIGN_OR_RETURN(Shape shape, resolve_reshape(x.shape(), target, allowzero_));
    WISP_ASSIGN_OR_RETURN(Tensor out, x.reshaped(shape));
    ctx.set_output(0, std::move(out));
    return Status::ok();
  }

 private:
  bool from_attr_ = false;
  bool allowzero_ = false;
  std::vector<int64_t> shape_attr_;
};

class FlattenOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 1));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    int64_t axis = axis_ < 0 ? axis_ + x.rank() : axis_;
    WISP_CHECK_ARG(axis >= 0 && axis <= x.rank(), "axis ", axis_, " is out of range for ", x.describe());
    Shape shape = {dims_product(x.shape(), 0, size_t(axis)), dims_product(x.shape(), size_t(axis), x.shape().size())};
    WISP_ASSIGN_OR_RETURN(Tensor out, x.reshaped(shape));
    ctx.set_output(0, std::move(out));
    return Status::ok();
  }

 private:
  int64_t axis_ = 1;
};

// Squeeze and Unsqueeze take `axes` as an attribute before opset 13 and as an input after.
class AxesOp : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    axes_from_input_ = ctx.opset == 0 || ctx.opset >= 13;
    has_attr_ = ctx.node.has_attr("axes");
    WISP_ASSIGN_OR_RETURN(axes_attr_, ctx.node.attr_ints("axes"));
    return Status::ok();
  }

 protected:
  // The axes, and whether any were given.
  Result<std::pair<std::vector<int64_t>, bool>> axes(const OpContext& ctx) const {
    if (axes_from_input_ && ctx.has_input(1)) {
      WISP_ASSIGN_OR_RETURN(auto a, read_int64s(ctx.input(1), "axes"));
      return std::make_pair(a, true);
    }
    if (axes_from_input_ && !has_attr_) return std::make_pair(std::vector<int64_t>{}, false);
    return std::make_pair(axes_attr_, has_attr_);
  }

 private:
  bool axes_from_input_ = true;
  bool has_attr_ = false;
  std::vector<int64_t> axes_attr_;
};

class SqueezeOp final : public AxesOp {
 public:
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_ASSIGN_OR_RETURN(auto given, axes(ctx));
    std::vector<bool> drop(x.shape().size(), false);
    if (!given.second) {
      for (size_t i = 0; i < drop.size(); ++i) drop[i] = x.shape()[i] == 1;
    } else {
      WISP_ASSIGN_OR_RETURN(auto list, normalize_axes(given.first, x.rank()));
      for (int64_t a : list) {
        WISP_CHECK_ARG(x.dim(a) == 1, "cannot squeeze axis ", a, " of ", x.describe(), ": its extent is not 1");
        drop[size_t(a)] = true;
      }
    }
    Shape shape;
    for (size_t i = 0; i < drop.size(); ++i) if (!drop[i]) shape.push_back(x.shape()[i]);
    WISP_ASSIGN_OR_RETURN(Tensor out, x.reshaped(shape));
    ctx.set_output(0, std::move(out));
    return Status::ok();
  }
};

class UnsqueezeOp final : public AxesOp {
 public:
  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(0), "Unsqueeze needs an input");  // a node may list none
    const Tensor& x = ctx.input(0);
    WISP_ASSIGN_OR_RETURN(auto given, axes(ctx));
    WISP_CHECK_ARG(given.second, "Unsqueeze needs axes");
    int64_t rank = x.rank() + int64_t(given.first.size());
    WISP_ASSIGN_OR_RETURN(auto list, normalize_axes(given.first, rank));
    std::vector<bool> inserted(size_t(rank), false);
    for (int64_t a : list) inserted[size_t(a)] = true;
    Shape shape;
    size_t next = 0;
    for (int64_t i = 0; i < rank; ++i) shape.push_back(inserted[size_t(i)] ? 1 : x.shape()[next++]);
    WISP_ASSIGN_OR_RETURN(Tensor out, x.reshaped(shape));
    ctx.set_output(0, std::move(out));
    return Status::ok();
  }
};

}  // namespace

void register_view_ops(OpRegistry& r) {
  r.add<IdentityOp>("Identity");
  r.add<ReshapeOp>("Reshape");
  r.add<FlattenOp>("Flatten");
  r.add<SqueezeOp>("Squeeze");
  r.add<UnsqueezeOp>("Unsqueeze");
}

}  // namespace wisp::shape_ops
