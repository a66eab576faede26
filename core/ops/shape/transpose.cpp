// Transpose and the ops that are a reshape + transpose: DepthToSpace, SpaceToDepth.
#include <numeric>

#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

// Writes x (seen with shape `in_shape`) permuted by `perm` into output 0, reshaped to `final_shape`
// (or the permuted shape when empty).
Status permute_to_output(OpContext& ctx, const Tensor& x, const Shape& in_shape, const std::vector<int64_t>& perm,
                         const Shape& final_shape = {}) {
  std::vector<int64_t> in_strides = contiguous_strides(in_shape);
  Shape out_shape(perm.size());
  std::vector<int64_t> strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    out_shape[i] = in_shape[size_t(perm[i])];
    strides[i] = in_strides[size_t(perm[i])];
  }
  // When the non-trivial axes keep their order the data does not move: return a view.
  int64_t last = -1;
  bool moves = false;
  for (int64_t p : perm) {
    if (in_shape[size_t(p)] == 1) continue;
    moves = moves || p < last;
    last = p;
  }
  const Shape& shape = final_shape.empty() ? out_shape : final_shape;
  if (!moves) {
    WISP_ASSIGN_OR_RETURN(Tensor view, x.reshaped(shape));
    ctx.set_output(0, std::move(view));
    return Status::ok();
  }
  WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), shape));
  strided_copy(*out, x, out_shape, strides, 0, ctx.threads());
  return Status::ok();
}

class TransposeOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    has_perm_ = ctx.node.has_attr("perm");
    WISP_ASSIGN_OR_RETURN(perm_, ctx.node.attr_ints("perm"));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> perm = perm_;
    if (!has_perm_) {
      perm.resize(size_t(x.rank()));
      for (int64_t i = 0; i < x.rank(); ++i) perm[size_t(i)] = x.rank() - 1 - i;
    }
    WISP_CHECK_ARG(int64_t(perm.size()) == x.rank(), "perm has ", perm.size(), " entries for ", x.describe());
    WISP_ASSIGN_OR_RETURN(perm, normalize_axes(perm, x.rank()));
    return permute_to_output(ctx, x, x.shape(), perm);
  }

 private:
  bool has_perm_ = false;
  std::vector<int64_t> perm_;
};

class DepthToSpaceOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(block_, ctx.node.attr_int("blocksize", 0));
    WISP_CHECK_MODEL(block_ > 0, "blocksize must be positive");
    WISP_ASSIGN_OR_RETURN(std::string mode, ctx.node.attr_string("mode", "DCR"));
    WISP_CHECK_MODEL(mode == "DCR" || mode == "CRD", "unknown mode '", mode, "'");
    crd_ = mode == "CRD";
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() == 4, "input must be 4-D, got ", x.describe());
    int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), b = block_;
    // A hostile blocksize would overflow b * b (to 0: a division by zero) or h * b.
    int64_t bb = 0, oh = 0, ow = 0;
    WISP_CHECK_ARG(checked_mul(b, b, &bb) && bb <= ctx.limits().max_tensor_elements, "blocksize ", b, " is too large");
    WISP_CHECK_ARG(c % bb == 0, "channels ", c, " are not divisible by blocksize^2 = ", bb);
    WISP_CHECK_ARG(checked_mul(h, b, &oh) && checked_mul(w, b, &ow), "blocksize ", b, " makes the output too large");
    int64_t oc = c / bb;
    Shape out = {n, oc, oh, ow};
    if (crd_) return permute_to_output(ctx, x, {n, oc, b, b, h, w}, {0, 1, 4, 2, 5, 3}, out);
    return permute_to_output(ctx, x, {n, b, b, oc, h, w}, {0, 3, 4, 1, 5, 2}, out);
  }

 private:
  int64_t block_ = 0;
  bool crd_ = false;
};

class SpaceToDepthOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(block_, ctx.node.attr_int("blocksize", 0));
    WISP_CHECK_MODEL(block_ > 0, "blocksize must be positive");
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() == 4, "input must be 4-D, got ", x.describe());
    int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), b = block_;
    WISP_CHECK_ARG(h % b == 0 && w % b == 0, "spatial size ", h, "x", w, " is not divisible by blocksize ", b);
    int64_t bb = 0, oc = 0;  // checked: with h = w = 0 any blocksize divides
    WISP_CHECK_ARG(checked_mul(b, b, &bb) && checked_mul(c, bb, &oc), "blocksize ", b, " makes the output too large");
    return permute_to_output(ctx, x, {n, c, h / b, b, w / b, b}, {0, 3, 5, 1, 2, 4}, {n, oc, h / b, w / b});
  }

 private:
  int64_t block_ = 0;
};

}  // namespace

void register_transpose_ops(OpRegistry& r) {
  r.add<TransposeOp>("Transpose");
  r.add<DepthToSpaceOp>("DepthToSpace");
  r.add<SpaceToDepthOp>("SpaceToDepth");
}

}  // namespace wisp::shape_ops
