// Unary math functions: Abs, Neg, Sign, Reciprocal, rounding, Sqrt/Exp/Log/Erf, the
// trigonometric and hyperbolic functions, IsNaN and IsInf.
#include <cmath>

#include "core/ops/elementwise/drivers.h"
#include "core/ops/elementwise/families.h"

namespace wisp::elementwise {
namespace {

struct AbsOp : Functor {
  template <typename T> static constexpr bool accepts = is_number_v<T>;
  template <typename A> A operator()(A a) const {
    if constexpr (is_unsigned_int_v<A>) return a;
    else return a < A(0) ? wrap_sub(A(0), a) : a;
  }
};
struct NegOp : Functor {
  template <typename T> static constexpr bool accepts = is_signed_number_v<T>;
  template <typename A> A operator()(A a) const { return wrap_sub(A(0), a); }
};
struct SignOp : Functor {
  template <typename T> static constexpr bool accepts = is_number_v<T>;
  template <typename A> A operator()(A a) const {
    if constexpr (is_float_v<A>) {
      if (a != a) return a;  // NaN stays NaN
    }
    return A((A(0) < a) - (a < A(0)));
  }
};

// Float-only functions: one functor per std:: function. The macro keeps each to one line;
// float16/bfloat16 arrive here as float.
#define WISP_FLOAT_FUNCTION(Name, expr, grain)                                   \
  struct Name : Functor {                                                        \
    template <typename T> static constexpr bool accepts = is_float_v<T>;        \
    static constexpr int64_t kGrain = grain;                                     \
    template <typename A> A operator()(A x) const { return expr; }               \
  };

WISP_FLOAT_FUNCTION(ReciprocalOp, A(1) / x, kCheapGrain)
WISP_FLOAT_FUNCTION(FloorOp, std::floor(x), kCheapGrain)
WISP_FLOAT_FUNCTION(CeilOp, std::ceil(x), kCheapGrain)
// nearbyint rounds halves to even in the default rounding mode, as Round requires.
WISP_FLOAT_FUNCTION(RoundOp, std::nearbyint(x), kCheapGrain)
WISP_FLOAT_FUNCTION(SqrtOp, std::sqrt(x), kCheapGrain)
WISP_FLOAT_FUNCTION(ExpOp, std::exp(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(LogOp, std::log(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(ErfOp, std::erf(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(SinOp, std::sin(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(CosOp, std::cos(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(TanOp, std::tan(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(AsinOp, std::asin(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(AcosOp, std::acos(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(AtanOp, std::atan(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(SinhOp, std::sinh(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(CoshOp, std::cosh(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(AsinhOp, std::asinh(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(AcoshOp, std::acosh(x), kCostlyGrain)
WISP_FLOAT_FUNCTION(AtanhOp, std::atanh(x), kCostlyGrain)
#undef WISP_FLOAT_FUNCTION

struct IsNaNOp : Functor {
  template <typename T> using output_t = bool;
  template <typename T> static constexpr bool accepts = is_float_v<T>;
  template <typename A> bool operator()(A x) const { return x != x; }
};

struct IsInfOp : Functor {
  bool positive = true, negative = true;
  template <typename T> using output_t = bool;
  template <typename T> static constexpr bool accepts = is_float_v<T>;
  Status init(const OpBuildContext& ctx) {
    WISP_ASSIGN_OR_RETURN(int64_t pos, ctx.node.attr_int("detect_positive", 1));
    WISP_ASSIGN_OR_RETURN(int64_t neg, ctx.node.attr_int("detect_negative", 1));
    positive = pos != 0;
    negative = neg != 0;
    return Status::ok();
  }
  template <typename A> bool operator()(A x) const {
    return (positive && x == std::numeric_limits<A>::infinity()) ||
           (negative && x == -std::numeric_limits<A>::infinity());
  }
};

}  // namespace

void register_math_ops(OpRegistry& registry) {
  registry.add<UnaryKernel<AbsOp>>("Abs");
  registry.add<UnaryKernel<NegOp>>("Neg");
  registry.add<UnaryKernel<SignOp>>("Sign");
  registry.add<UnaryKernel<ReciprocalOp>>("Reciprocal");
  registry.add<UnaryKernel<FloorOp>>("Floor");
  registry.add<UnaryKernel<CeilOp>>("Ceil");
  registry.add<UnaryKernel<RoundOp>>("Round");
  registry.add<UnaryKernel<SqrtOp>>("Sqrt");
  registry.add<UnaryKernel<ExpOp>>("Exp");
  registry.add<UnaryKernel<LogOp>>("Log");
  registry.add<UnaryKernel<ErfOp>>("Erf");
  registry.add<UnaryKernel<SinOp>>("Sin");
  registry.add<UnaryKernel<CosOp>>("Cos");
  registry.add<UnaryKernel<TanOp>>("Tan");
  registry.add<UnaryKernel<AsinOp>>("Asin");
  registry.add<UnaryKernel<AcosOp>>("Acos");
  registry.add<UnaryKernel<AtanOp>>("Atan");
  registry.add<UnaryKernel<SinhOp>>("Sinh");
  registry.add<UnaryKernel<CoshOp>>("Cosh");
  registry.add<UnaryKernel<AsinhOp>>("Asinh");
  registry.add<UnaryKernel<AcoshOp>>("Acosh");
  registry.add<UnaryKernel<AtanhOp>>("Atanh");
  registry.add<UnaryKernel<IsNaNOp>>("IsNaN");
  registry.add<UnaryKernel<IsInfOp>>("IsInf");
}

}  // namespace wisp::elementwise
