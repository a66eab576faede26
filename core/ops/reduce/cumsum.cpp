// CumSum: running sum along one axis, optionally exclusive and/or reversed.
#include "core/ops/nn/float_io.h"
#include "core/ops/reduce/reduce_ops.h"

namespace wisp::reduce {
namespace {

class CumSumOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(int64_t exclusive, ctx.node.attr_int("exclusive", 0));
    WISP_ASSIGN_OR_RETURN(int64_t reverse, ctx.node.attr_int("reverse", 0));
    exclusive_ = exclusive != 0;
    reverse_ = reverse != 0;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(ctx.has_input(1), "CumSum needs the axis input");
    const Tensor& axis_t = ctx.input(1);
    WISP_CHECK_ARG(axis_t.numel() == 1 && (axis_t.dtype() == DType::Int32 || axis_t.dtype() == DType::Int64),
                   "axis must be a one-element int32/int64 tensor, got ", axis_t.describe());
    WISP_CHECK_ARG(x.rank() >= 1, "CumSum input must have rank >= 1");
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_t.get_as_int64(0), x.rank()));
    const int64_t outer = nn::product(x.shape(), 0, size_t(axis));
    const int64_t n = x.dim(axis);
    const int64_t inner = nn::product(x.shape(), size_t(axis) + 1, x.shape().size());
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    return nn::visit_numeric(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = nn::FloatIO<T>;
      using Acc = decltype(IO::load(T{}));
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          Acc acc = Acc(0);
          for (int64_t s = 0; s < n; ++s) {
            int64_t k = reverse_ ? n - 1 - s : s;
            int64_t off = (o * n + k) * inner + i;
            Acc v = IO::load(src[off]);
            if (exclusive_) {
              dst[off] = IO::store(acc);
              acc = Acc(acc + v);
            } else {
              acc = Acc(acc + v);
              dst[off] = IO::store(acc);
            }
          }
        }
      }
      return Status::ok();
    });
  }

 private:
  bool exclusive_ = false;
  bool reverse_ = false;
};

}  // namespace

void register_cumsum_kernels(OpRegistry& r) { r.add<CumSumOp>("CumSum"); }

}  // namespace wisp::reduce
