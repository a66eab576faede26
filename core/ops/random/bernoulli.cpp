// Bernoulli (opset 15): y[i] = 1 with probability x[i], else 0. x holds float probabilities;
// y has the type `dtype` (any numeric type or bool), by default x's type. A probability at or
// below 0 (or NaN) always gives 0, one at or above 1 always gives 1.
#include <optional>

#include "core/ops/nn/float_io.h"
#include "core/ops/random/random_ops.h"

namespace wisp::random_ops {
namespace {

// 0 or 1 as a value of the output type T.
template <typename T>
T zero_or_one(bool one) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return nn::FloatIO<T>::store(one ? 1.0f : 0.0f);
  } else {
    return T(one ? 1 : 0);
  }
}

class BernoulliOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    if (ctx.node.has_attr("dtype")) {
      WISP_ASSIGN_OR_RETURN(int64_t code, ctx.node.attr_int("dtype", 0));
      WISP_CHECK_ARG(dtype_is_known(int32_t(code)) && DType(code) != DType::String &&
                         DType(code) != DType::Undefined,
                     "dtype ", code, " is not a numeric or bool type");
      dtype_ = DType(code);
    }
    WISP_ASSIGN_OR_RETURN(seed_, read_seed(ctx.node));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const DType y_type = dtype_ == DType::Undefined ? x.dtype() : dtype_;
    return nn::visit_float(x.dtype(), "input (the probabilities)", [&](auto x_tag) -> Status {
      using X = decltype(x_tag);
      const X* p = x.data<X>();
      WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, y_type, x.shape()));
      RandomSource rng(seed_);
      Status status = Status::ok();
      const bool known = visit_numeric_dtype(y_type, [&](auto y_tag) {
        using Y = decltype(y_tag);
        Y* dst = y->data<Y>();
        for (int64_t i = 0; i < x.numel(); ++i) {
          // u < p happens with probability p for u uniform in [0, 1).
          dst[i] = zero_or_one<Y>(rng.uniform() < double(nn::FloatIO<X>::load(p[i])));
        }
      });
      if (!known) status = invalid_argument("dtype ", dtype_name(y_type), " is not a numeric or bool type");
      return status;
    });
  }

 private:
  DType dtype_ = DType::Undefined;  // Undefined: x's type
  std::optional<float> seed_;
};

}  // namespace

void register_bernoulli_ops(OpRegistry& registry) { registry.add<BernoulliOp>("Bernoulli"); }

}  // namespace wisp::random_ops
