// Arithmetic with broadcasting: Add, Sub, Mul, Div, Mod, Pow, PRelu and the variadic
// Sum, Mean, Max, Min.
#include <cmath>

#include "core/ops/elementwise/drivers.h"
#include "core/ops/elementwise/families.h"
#include "core/ops/elementwise/fast_math.h"

namespace wisp::elementwise {
namespace {

struct AddOp : Functor {
  template <typename T> static constexpr bool accepts = is_number_v<T>;
  template <typename A> A operator()(A a, A b) const { return wrap_add(a, b); }
};
struct SubOp : Functor {
  template <typename T> static constexpr bool accepts = is_number_v<T>;
  template <typename A> A operator()(A a, A b) const { return wrap_sub(a, b); }
};
struct MulOp : Functor {
  template <typename T> static constexpr bool accepts = is_number_v<T>;
  template <typename A> A operator()(A a, A b) const { return wrap_mul(a, b); }
};

// Integer division truncates (as C++ and onnxruntime do). Division by zero, which would
// crash the process, yields 0, and MIN / -1 wraps instead of trapping.
template <typename A>
inline A int_div(A a, A b) {
  if (b == 0) return A(0);
  if constexpr (std::is_signed_v<A>) {
    if (b == -1) return wrap_sub(A(0), a);
  }
  return A(a / b);
}

struct DivOp : Functor {
  template <typename T> static constexpr bool accepts = is_number_v<T>;
  template <typename A> A operator()(A a, A b) const {
    if constexpr (is_int_v<A>) return int_div(a, b);
    else return a / b;
  }
};

// Mod: with fmod=0 the result takes the sign of the divisor (Python's %), with fmod=1 the
// sign of the dividend (C's fmod).
struct ModOp : Functor {
  bool fmod = false;
  template <typename T> static constexpr bool accepts = is_number_v<T>;
  Status init(const OpBuildContext& ctx) {
    WISP_ASSIGN_OR_RETURN(int64_t v, ctx.node.attr_int("fmod", 0));
    WISP_CHECK_MODEL(v == 0 || v == 1, "attribute fmod must be 0 or 1, got ", v);
    fmod = v == 1;
    return Status::ok();
  }
  template <typename A> A operator()(A a, A b) const {
    A r;
    if constexpr (is_int_v<A>) {
      if (b == 0) return A(0);
      if constexpr (std::is_signed_v<A>) {
        if (b == -1) return A(0);  // avoids the MIN % -1 trap
      }
      r = A(a % b);
    } else {
      r = std::fmod(a, b);
    }
    if (!fmod && r != 0 && ((r < 0) != (b < 0))) r = A(r + b);
    return r;
  }
};

struct MaxOp : Functor {
  template <typename T> static constexpr bool accepts = is_number_v<T>;
  template <typename A> A operator()(A a, A b) const { return a < b ? b : a; }
};
struct MinOp : Functor {
  template <typename T> static constexpr bool accepts = is_number_v<T>;
  template <typename A> A operator()(A a, A b) const { return b < a ? b : a; }
};

struct PReluOp : Functor {
  template <typename T> static constexpr bool accepts = is_signed_number_v<T>;
  template <typename A> A operator()(A x, A slope) const { return select_value(x < A(0), wrap_mul(x, slope), x); }
};

// PRelu broadcasts the slope to X only (unidirectional): the output must have X's shape.
// Before opset 7 a 1-D slope held one value per channel (axis 1), Caffe style.
class PReluKernel final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    per_channel_slope_ = ctx.opset > 0 && ctx.opset < 7;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_RETURN_IF_ERROR(require_inputs(ctx, 2));
    const Tensor& x = ctx.input(0);
    Tensor slope = ctx.input(1);
    if (per_channel_slope_ && slope.rank() == 1 && x.rank() >= 2 && slope.numel() > 1 && slope.numel() == x.dim(1)) {
      Shape channel_shape(size_t(x.rank() - 1), 1);
      channel_shape[0] = slope.numel();
      WISP_ASSIGN_OR_RETURN(slope, slope.reshaped(channel_shape));
    }
    WISP_ASSIGN_OR_RETURN(Tensor out, apply_binary(ctx, x, slope, PReluOp{}, {0}));
    WISP_CHECK_ARG(out.shape() == x.shape(), "slope of shape ", shape_to_string(ctx.input(1).shape()),
                   " does not broadcast to X of shape ", shape_to_string(x.shape()));
    ctx.set_output(0, std::move(out));
    return Status::ok();
  }

 private:
  bool per_channel_slope_ = false;
};

// Pow: the exponent may have another type than the base; the output has the base's type.
template <typename A, typename B>
inline A power(A base, B exponent) {
  if constexpr (is_float_v<A>) {
    return A(std::pow(base, A(exponent)));
  } else if constexpr (is_int_v<B>) {
    // Exact integer power by squaring (a double would lose int64 precision).
    if (exponent < 0) {
      if (base == 1) return A(1);
      if constexpr (std::is_signed_v<A>) {
        if (base == -1) return (exponent % 2 == 0) ? A(1) : A(-1);
      }
      return A(0);  // |base| >= 2: the true result truncates to 0 (0^negative also gives 0 here)
    }
    A result = 1;
    for (auto e = exponent; e != 0; e = e / 2) {
      if (e % 2 != 0) result = wrap_mul(result, base);
      base = wrap_mul(base, base);
    }
    return result;
  } else {
    return saturate_cast<A>(std::pow(double(base), double(exponent)));
  }
}

struct PowFn {
  template <typename A, typename B> auto operator()(A a, B b) const { return power(a, b); }
};

class PowKernel final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    WISP_RETURN_IF_ERROR(require_inputs(ctx, 2));
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    WISP_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make({&x.shape(), &y.shape()}));
    Status status = unsupported("types ", dtype_name(x.dtype()), " ^ ", dtype_name(y.dtype()), " are not supported");
    visit_numeric_dtype(x.dtype(), [&](auto xtag) {
      using TX = decltype(xtag);
      if constexpr (is_number_v<TX>) {
        visit_numeric_dtype(y.dtype(), [&](auto ytag) {
          using TY = decltype(ytag);
          if constexpr (is_number_v<TY>) {
            Result<Tensor> out = make_output(ctx, x.dtype(), plan.out_shape(), {0});
            if (!out.is_ok()) { status = out.status(); return; }
            binary_broadcast(plan, elems<TX>(x), elems<TY>(y), elems<TX>(*out), PowFn{}, ctx.threads(), kCostlyGrain);
            ctx.set_output(0, std::move(*out));
            status = Status::ok();
          }
        });
      }
    });
    return status;
  }
};

// Sum, Mean, Max, Min: any number of inputs, all broadcast together, folded left to right.
template <typename F, bool kMean>
class VariadicKernel final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    const size_t n = ctx.num_inputs();
    WISP_CHECK_ARG(n >= 1, "expects at least one input");
    WISP_RETURN_IF_ERROR(require_inputs(ctx, n));
    bool accepted = false;
    visit_numeric_dtype(ctx.input(0).dtype(), [&](auto tag) { accepted = F::template accepts<decltype(tag)>; });
    if (!accepted) return unsupported_dtype(ctx.input(0).dtype());
    if (n == 1) {  // the input itself; sharing storage is safe because tensors are immutable
      ctx.set_output(0, ctx.input(0));
      return Status::ok();
    }
    WISP_ASSIGN_OR_RETURN(Tensor acc, apply_binary(ctx, ctx.input(0), ctx.input(1), F{}, {0, 1}));
    for (size_t i = 2; i < n; ++i) {
      WISP_ASSIGN_OR_RETURN(acc, apply_binary(ctx, acc, ctx.input(i), F{}));
    }
    if constexpr (kMean) {
      visit_numeric_dtype(acc.dtype(), [&](auto tag) {
        using T = decltype(tag);
        if constexpr (is_float_v<T>) {
          const arith_t<T> scale = arith_t<T>(1) / arith_t<T>(n);
          unary_map(acc.data<T>(), acc.data<T>(), acc.numel(), [scale](auto v) { return v * scale; },
                    ctx.threads(), kCheapGrain);
        } else if constexpr (is_int_v<T>) {
          unary_map(acc.data<T>(), acc.data<T>(), acc.numel(), [n](T v) { return T(v / T(n)); },
                    ctx.threads(), kCheapGrain);
        }
      });
    }
    ctx.set_output(0, std::move(acc));
    return Status::ok();
  }
};

}  // namespace

void register_arithmetic_ops(OpRegistry& registry) {
  registry.add<BinaryKernel<AddOp>>("Add");
  registry.add<BinaryKernel<SubOp>>("Sub");
  registry.add<BinaryKernel<MulOp>>("Mul");
  registry.add<BinaryKernel<DivOp>>("Div");
  registry.add<BinaryKernel<ModOp>>("Mod");
  registry.add<PowKernel>("Pow");
  registry.add<PReluKernel>("PRelu");
  registry.add<VariadicKernel<AddOp, false>>("Sum");
  registry.add<VariadicKernel<AddOp, true>>("Mean");
  registry.add<VariadicKernel<MaxOp, false>>("Max");
  registry.add<VariadicKernel<MinOp, false>>("Min");
}

}  // namespace wisp::elementwise
