// Expand (broadcast to a shape) and Tile (repeat): both are strided copies where repeated
// dims read with stride 0.
#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

class ExpandOp final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> target, read_int64s(ctx.input(1), "shape"));
    for (int64_t d : target) WISP_CHECK_ARG(d >= 0, "negative dimension in shape ", shape_to_string(target));
    WISP_ASSIGN_OR_RETURN(Shape out_shape, broadcast_shapes(x.shape(), target));
    if (out_shape == x.shape()) {
      ctx.set_output(0, x);
      return Status::ok();
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), out_shape));
    const size_t rank = out_shape.size(), pad = rank - x.shape().size();
    std::vector<int64_t> in_strides = x.strides(), strides(rank, 0);
    for (size_t d = pad; d < rank; ++d) {
      strides[d] = x.shape()[d - pad] == 1 ? 0 : in_strides[d - pad];
    }
    strided_copy(*out, x, out_shape, strides, 0, ctx.threads());
    return Status::ok();
  }
};

class TileOp final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> repeats, read_int64s(ctx.input(1), "repeats"));
    WISP_CHECK_ARG(int64_t(repeats.size()) == x.rank(), "repeats has ", repeats.size(), " entries for ",
                   x.describe());
    // The output seen as [rep0, in0, rep1, in1, ...] is a strided read of the input with
    // stride 0 on every repeat dim.
    Shape out_shape, walk_shape;
    std::vector<int64_t> in_strides = x.strides(), strides;
    for (size_t d = 0; d < repeats.size(); ++d) {
      int64_t r = repeats[d], n = x.shape()[d];
      WISP_CHECK_ARG(r >= 0, "negative repeat ", r);
      WISP_CHECK_ARG(n == 0 || r <= ctx.limits().max_tensor_elements / n, "tiling ", x.describe(), " by ",
                     shape_to_string(repeats), " exceeds the tensor size limit");
      out_shape.push_back(r * n);
      walk_shape.insert(walk_shape.end(), {r, n});
      strides.insert(strides.end(), {0, in_strides[d]});
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), out_shape));
    strided_copy(*out, x, walk_shape, strides, 0, ctx.threads());
    return Status::ok();
  }
};

}  // namespace

void register_expand_ops(OpRegistry& r) {
  r.add<ExpandOp>("Expand");
  r.add<TileOp>("Tile");
}

}  // namespace wisp::shape_ops
