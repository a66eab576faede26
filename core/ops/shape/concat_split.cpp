// Concat and Split: both copy contiguous blocks (everything from the axis inwards) per
// outer index.
#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

class ConcatOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    // Concat-1 had an optional axis defaulting to 1; later versions require it.
    has_axis_ = ctx.node.has_attr("axis");
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 1));
    WISP_CHECK_MODEL(has_axis_ || (ctx.opset > 0 && ctx.opset < 4), "attribute 'axis' is required");
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    std::vector<const Tensor*> ins;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) if (ctx.has_input(i)) ins.push_back(&ctx.input(i));
    WISP_CHECK_ARG(!ins.empty(), "Concat needs at least one input");
    const Tensor& first = *ins[0];
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, first.rank()));
    Shape out_shape = first.shape();
    out_shape[size_t(axis)] = 0;
    for (const Tensor* t : ins) {
      WISP_CHECK_ARG(t->dtype() == first.dtype(), "inputs mix ", first.describe(), " and ", t->describe());
      WISP_CHECK_ARG(t->rank() == first.rank(), "inputs mix ranks: ", first.describe(), " and ", t->describe());
      for (int64_t d = 0; d < first.rank(); ++d) {
        WISP_CHECK_ARG(d == axis || t->dim(d) == first.dim(d), "inputs ", first.describe(), " and ",
                       t->describe(), " differ outside axis ", axis);
      }
      WISP_CHECK_ARG(checked_add(out_shape[size_t(axis)], t->dim(axis), &out_shape[size_t(axis)]),
                     "concatenated axis ", axis, " overflows");
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, first.dtype(), out_shape));
    const int64_t outer = dims_product(out_shape, 0, size_t(axis));
    const int64_t out_inner = dims_product(out_shape, size_t(axis), out_shape.size());
    if (out->numel() == 0) return Status::ok();
    int64_t min_chunk = std::max<int64_t>(1, 65536 / std::max<int64_t>(out_inner, 1));
    parallel_for(ctx.threads(), outer, min_chunk, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        int64_t dst = o * out_inner;
        for (const Tensor* t : ins) {
          int64_t inner = dims_product(t->shape(), size_t(axis), t->shape().size());
          ElementCopier(*out, *t).copy(dst, o * inner, inner);
          dst += inner;
        }
      }
    });
    return Status::ok();
  }

 private:
  bool has_axis_ = false;
  int64_t axis_ = 1;
};

class SplitOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 0));
    split_from_input_ = ctx.opset == 0 || ctx.opset >= 13;
    WISP_ASSIGN_OR_RETURN(split_attr_, ctx.node.attr_ints("split"));
    WISP_ASSIGN_OR_RETURN(num_outputs_, ctx.node.attr_int("num_outputs", 0));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, x.rank()));
    const int64_t extent = x.dim(axis);
    const int64_t n_out = int64_t(ctx.num_outputs());
    std::vector<int64_t> split = split_attr_;
    if (split_from_input_) {
      WISP_ASSIGN_OR_RETURN(split, optional_int64s(ctx, 1, "split"));
    }
    if (split.empty()) {
      if (num_outputs_ > 0) {
        // Opset 18: ceil-sized chunks, the last one smaller.
        WISP_CHECK_ARG(num_outputs_ == n_out, "num_outputs is ", num_outputs_, " but the node has ", n_out);
        int64_t chunk = (extent + n_out - 1) / n_out;
        for (int64_t i = 0; i < n_out; ++i) split.push_back(std::max<int64_t>(0, std::min(chunk, extent - i * chunk)));
      } else {
        WISP_CHECK_ARG(extent % n_out == 0, "axis of extent ", extent, " cannot be split evenly into ", n_out);
        split.assign(size_t(n_out), extent / n_out);
      }
    }
    WISP_CHECK_ARG(int64_t(split.size()) == n_out, "split has ", split.size(), " entries for ", n_out, " outputs");
    int64_t sum = 0;
    for (int64_t s : split) {
      WISP_CHECK_ARG(s >= 0, "negative split size ", s);
      sum += s;
    }
    WISP_CHECK_ARG(sum == extent, "split sizes sum to ", sum, " but the axis has extent ", extent);

    const int64_t outer = dims_product(x.shape(), 0, size_t(axis));
    const int64_t row = dims_product(x.shape(), size_t(axis) + 1, x.shape().size());
    int64_t start = 0;
    for (int64_t i = 0; i < n_out; ++i) {
      Shape shape = x.shape();
      shape[size_t(axis)] = split[size_t(i)];
      if (!ctx.wants_output(size_t(i))) {
        start += split[size_t(i)];
        continue;
      }
      if (outer == 1) {
        // Each part is a contiguous range of the input: a view, no copy.
        ctx.set_output(size_t(i), x.slice_view(start * row, shape));
      } else {
        WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(size_t(i), x.dtype(), shape));
        ElementCopier copier(*out, x);
        int64_t part = split[size_t(i)] * row;
        for (int64_t o = 0; o < outer; ++o) copier.copy(o * part, o * extent * row + start * row, part);
      }
      start += split[size_t(i)];
    }
    return Status::ok();
  }

 private:
  int64_t axis_ = 0;
  bool split_from_input_ = true;
  std::vector<int64_t> split_attr_;
  int64_t num_outputs_ = 0;
};

}  // namespace

void register_concat_ops(OpRegistry& r) {
  r.add<ConcatOp>("Concat");
  r.add<SplitOp>("Split");
}

}  // namespace wisp::shape_ops
