// ArgMax / ArgMin: index of the extreme value along one axis, as int64.
#include "core/ops/nn/float_io.h"
#include "core/ops/reduce/reduce_ops.h"

namespace wisp::reduce {
namespace {

template <bool IsMax>
class ArgOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 0));
    WISP_ASSIGN_OR_RETURN(int64_t keepdims, ctx.node.attr_int("keepdims", 1));
    WISP_ASSIGN_OR_RETURN(int64_t last, ctx.node.attr_int("select_last_index", 0));
    keepdims_ = keepdims != 0;
    select_last_ = last != 0;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // A scalar behaves like a one-element vector.
    int64_t rank = x.rank() == 0 ? 1 : x.rank();
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, rank));
    Shape shape = x.rank() == 0 ? Shape{1} : x.shape();
    WISP_CHECK_ARG(shape[size_t(axis)] > 0, "cannot take Arg", IsMax ? "Max" : "Min", " over an empty axis");
    Shape out_shape;
    for (int64_t i = 0; i < rank; ++i) {
      if (i != axis) out_shape.push_back(shape[size_t(i)]);
      else if (keepdims_) out_shape.push_back(1);
    }
    const int64_t outer = nn::product(shape, 0, size_t(axis));
    const int64_t n = shape[size_t(axis)];
    const int64_t inner = nn::product(shape, size_t(axis) + 1, shape.size());
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DType::Int64, out_shape));
    int64_t* y = out->data<int64_t>();
    const bool last = select_last_;
    DType dtype = x.dtype() == DType::Bool ? DType::UInt8 : x.dtype();
    return nn::visit_numeric(dtype, "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = nn::FloatIO<T>;
      const T* data = x.data<T>();
      parallel_for(ctx.threads(), outer * inner, nn::chunk_for(n), [&](int64_t b, int64_t e) {
        for (int64_t idx = b; idx < e; ++idx) {
          const int64_t o = idx / inner, i = idx % inner;
          const T* p = data + o * n * inner + i;
          auto best = IO::load(p[0]);
          int64_t best_k = 0;
          for (int64_t k = 1; k < n; ++k) {
            auto v = IO::load(p[k * inner]);
            bool better = IsMax ? (v > best || (last && v == best)) : (v < best || (last && v == best));
            if (better) {
              best = v;
              best_k = k;
            }
          }
          y[idx] = best_k;
        }
      });
      return Status::ok();
    });
  }

 private:
  int64_t axis_ = 0;
  bool keepdims_ = true;
  bool select_last_ = false;
};

}  // namespace

void register_arg_kernels(OpRegistry& r) {
  r.add<ArgOp<true>>("ArgMax");
  r.add<ArgOp<false>>("ArgMin");
}

}  // namespace wisp::reduce
