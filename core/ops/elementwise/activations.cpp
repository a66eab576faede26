// Activation functions (Relu, Sigmoid, Gelu, ...), Shrink and Clip.
#include <cmath>
#include <limits>

#include "core/ops/elementwise/drivers.h"
#include "core/ops/elementwise/families.h"
#include "core/ops/elementwise/fast_math.h"

namespace wisp::elementwise {
namespace {

// Reads float attribute `key` into `out` (keeping `out` as the default).
inline Status read_attr(const OpBuildContext& ctx, const char* key, float& out) {
  WISP_ASSIGN_OR_RETURN(out, ctx.node.attr_float(key, out));
  return Status::ok();
}

struct FloatActivation : Functor {
  template <typename T> static constexpr bool accepts = is_float_v<T>;
};

struct ReluOp : Functor {
  template <typename T> static constexpr bool accepts = is_signed_number_v<T>;
  template <typename A> A operator()(A x) const { return x > A(0) ? x : A(0); }
};

struct LeakyReluOp : FloatActivation {
  float alpha = 0.01f;
  Status init(const OpBuildContext& ctx) { return read_attr(ctx, "alpha", alpha); }
  template <typename A> A operator()(A x) const { return select_value(x < A(0), A(alpha) * x, x); }
};

struct EluOp : FloatActivation {
  float alpha = 1.0f;
  static constexpr int64_t kGrain = kCostlyGrain;
  Status init(const OpBuildContext& ctx) { return read_attr(ctx, "alpha", alpha); }
  template <typename A> A operator()(A x) const { return x < A(0) ? A(alpha) * std::expm1(x) : x; }
};

struct SeluOp : FloatActivation {
  float alpha = 1.67326319217681884765625f;
  float gamma = 1.05070102214813232421875f;
  static constexpr int64_t kGrain = kCostlyGrain;
  Status init(const OpBuildContext& ctx) {
    WISP_RETURN_IF_ERROR(read_attr(ctx, "alpha", alpha));
    return read_attr(ctx, "gamma", gamma);
  }
  template <typename A> A operator()(A x) const {
    return x > A(0) ? A(gamma) * x : A(gamma) * (A(alpha) * std::exp(x) - A(alpha));
  }
};

struct CeluOp : FloatActivation {
  float alpha = 1.0f;
  static constexpr int64_t kGrain = kCostlyGrain;
  Status init(const OpBuildContext& ctx) {
    WISP_RETURN_IF_ERROR(read_attr(ctx, "alpha", alpha));
    WISP_CHECK_MODEL(alpha != 0, "attribute alpha must not be 0");
    return Status::ok();
  }
  template <typename A> A operator()(A x) const {
    return x > A(0) ? x : A(alpha) * std::expm1(x / A(alpha));
  }
};

struct ThresholdedReluOp : FloatActivation {
  float alpha = 1.0f;
  Status init(const OpBuildContext& ctx) { return read_attr(ctx, "alpha", alpha); }
  template <typename A> A operator()(A x) const { return x > A(alpha) ? x : A(0); }
};

// Sigmoid without overflow: exp only ever sees -|x|, and the negative half uses
// e / (1 + e) instead of 1 - 1 / (1 + e), which would cancel to 0 for very negative x.
struct SigmoidOp : FloatActivation {
  static constexpr int64_t kGrain = kCostlyGrain;
  template <typename A> A operator()(A x) const {
    if constexpr (std::is_same_v<A, float>) {
      return sigmoid_f32(x);  // same formula, vectorisable
    } else {
      const A e = std::exp(-std::abs(x));
      const A r = A(1) / (A(1) + e);
      return x >= A(0) ? r : e * r;
    }
  }
};

struct HardSigmoidOp : FloatActivation {
  float alpha = 0.2f, beta = 0.5f;
  Status init(const OpBuildContext& ctx) {
    WISP_RETURN_IF_ERROR(read_attr(ctx, "alpha", alpha));
    return read_attr(ctx, "beta", beta);
  }
  template <typename A> A operator()(A x) const {
    const A v = A(alpha) * x + A(beta);
    return v < A(0) ? A(0) : (v > A(1) ? A(1) : v);
  }
};

struct HardSwishOp : FloatActivation {
  template <typename A> A operator()(A x) const {
    const A v = x * A(1.0 / 6.0) + A(0.5);
    const A clamped = select_value(v < A(0), A(0), v);
    return x * select_value(clamped > A(1), A(1), clamped);
  }
};

// log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow for large x.
template <typename A>
inline A softplus(A x) {
  return (x > A(0) ? x : A(0)) + std::log1p(std::exp(-std::abs(x)));
}

struct SoftplusOp : FloatActivation {
  static constexpr int64_t kGrain = kCostlyGrain;
  template <typename A> A operator()(A x) const { return softplus(x); }
};

struct SoftsignOp : FloatActivation {
  template <typename A> A operator()(A x) const { return x / (A(1) + std::abs(x)); }
};

struct MishOp : FloatActivation {
  static constexpr int64_t kGrain = kCostlyGrain;
  template <typename A> A operator()(A x) const { return x * std::tanh(softplus(x)); }
};

struct TanhOp : FloatActivation {
  static constexpr int64_t kGrain = kCostlyGrain;
  template <typename A> A operator()(A x) const {
    if constexpr (std::is_same_v<A, float>) return tanh_f32(x);
    else return std::tanh(x);
  }
};

struct GeluOp : FloatActivation {
  bool tanh_approx = false;
  static constexpr int64_t kGrain = kCostlyGrain;
  Status init(const OpBuildContext& ctx) {
    // (Unwrapped by hand: GCC 12 reports a false maybe-uninitialized through the macro.)
    Result<std::string> attr = ctx.node.attr_string("approximate", "none");
    if (!attr.is_ok()) return attr.status();
    const std::string& approximate = attr.value();
    WISP_CHECK_MODEL(approximate == "none" || approximate == "tanh",
                     "attribute approximate must be \"none\" or \"tanh\", got \"", approximate, "\"");
    tanh_approx = approximate == "tanh";
    return Status::ok();
  }
  template <typename A> A operator()(A x) const {
    if (tanh_approx) {
      const A k = A(0.7978845608028654);  // sqrt(2 / pi)
      return A(0.5) * x * (A(1) + std::tanh(k * (x + A(0.044715) * x * x * x)));
    }
    return A(0.5) * x * (A(1) + std::erf(x * A(0.7071067811865476)));
  }
};

struct ShrinkOp : Functor {
  float bias = 0.0f, lambd = 0.5f;
  template <typename T> static constexpr bool accepts = is_number_v<T>;
  Status init(const OpBuildContext& ctx) {
    WISP_RETURN_IF_ERROR(read_attr(ctx, "bias", bias));
    return read_attr(ctx, "lambd", lambd);
  }
  template <typename A> A operator()(A x) const {
    // Integers compute in double so that bias and lambd keep their fractions.
    using C = std::conditional_t<is_float_v<A>, A, double>;
    const C v = C(x);
    C r = C(0);
    if (v < -C(lambd)) r = v + C(bias);
    else if (v > C(lambd)) r = v - C(bias);
    if constexpr (is_int_v<A>) return saturate_cast<A>(r);
    else return r;
  }
};

// Clip: bounds are attributes before opset 11 and optional scalar inputs from opset 11 on.
// When min > max every value becomes max (the spec's rule), and NaN passes through.
class ClipKernel final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    from_inputs_ = ctx.opset == 0 || ctx.opset >= 11;
    if (!from_inputs_) {
      min_attr_ = -std::numeric_limits<float>::infinity();
      max_attr_ = std::numeric_limits<float>::infinity();
      WISP_ASSIGN_OR_RETURN(min_attr_, ctx.node.attr_float("min", min_attr_));
      WISP_ASSIGN_OR_RETURN(max_attr_, ctx.node.attr_float("max", max_attr_));
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_RETURN_IF_ERROR(require_inputs(ctx, 1));
    const Tensor& x = ctx.input(0);
    Status status = unsupported_dtype(x.dtype());
    visit_numeric_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (is_number_v<T>) {
        using A = arith_t<T>;
        A lo = std::numeric_limits<A>::lowest();
        A hi = std::numeric_limits<A>::max();
        if (from_inputs_) {
          status = bound(ctx, 1, lo);
          if (status.is_ok()) status = bound(ctx, 2, hi);
          if (!status.is_ok()) return;
        } else {
          if (double(min_attr_) > double(lo)) lo = A(min_attr_);
          if (double(max_attr_) < double(hi)) hi = A(max_attr_);
        }
        Result<Tensor> out = make_output(ctx, x.dtype(), x.shape(), {0});
        if (!out.is_ok()) { status = out.status(); return; }
        unary_map(x.data<T>(), out->template data<T>(), x.numel(),
                  [lo, hi](A v) {
                    v = v < lo ? lo : v;
                    return v > hi ? hi : v;
                  },
                  ctx.threads(), kCheapGrain);
        ctx.set_output(0, std::move(*out));
        status = Status::ok();
      }
    });
    return status;
  }

 private:
  // Reads optional bound input `i` (a one-element tensor of X's type) into `value`.
  template <typename A>
  static Status bound(const OpContext& ctx, size_t i, A& value) {
    if (!ctx.has_input(i)) return Status::ok();
    const Tensor& t = ctx.input(i);
    WISP_CHECK_ARG(t.dtype() == ctx.input(0).dtype(), "bound ", i, " has type ", dtype_name(t.dtype()),
                   ", expected ", dtype_name(ctx.input(0).dtype()));
    WISP_CHECK_ARG(t.numel() == 1, "bound ", i, " must be a scalar, got shape ", shape_to_string(t.shape()));
    visit_numeric_dtype(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<arith_t<T>, A>) value = Arith<T>::load(t.data<T>()[0]);
    });
    return Status::ok();
  }

  bool from_inputs_ = true;
  float min_attr_ = 0, max_attr_ = 0;
};

}  // namespace

void register_activation_ops(OpRegistry& registry) {
  registry.add<UnaryKernel<ReluOp>>("Relu");
  registry.add<UnaryKernel<LeakyReluOp>>("LeakyRelu");
  registry.add<UnaryKernel<EluOp>>("Elu");
  registry.add<UnaryKernel<SeluOp>>("Selu");
  registry.add<UnaryKernel<CeluOp>>("Celu");
  registry.add<UnaryKernel<ThresholdedReluOp>>("ThresholdedRelu");
  registry.add<UnaryKernel<SigmoidOp>>("Sigmoid");
  registry.add<UnaryKernel<HardSigmoidOp>>("HardSigmoid");
  registry.add<UnaryKernel<HardSwishOp>>("HardSwish");
  registry.add<UnaryKernel<SoftplusOp>>("Softplus");
  registry.add<UnaryKernel<SoftsignOp>>("Softsign");
  registry.add<UnaryKernel<MishOp>>("Mish");
  registry.add<UnaryKernel<TanhOp>>("Tanh");
  registry.add<UnaryKernel<GeluOp>>("Gelu");
  registry.add<UnaryKernel<ShrinkOp>>("Shrink");
  registry.add<ClipKernel>("Clip");
}

}  // namespace wisp::elementwise
