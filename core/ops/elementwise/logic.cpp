// Comparisons, boolean logic, bitwise ops and Where.
#include "core/ops/elementwise/drivers.h"
#include "core/ops/elementwise/families.h"

namespace wisp::elementwise {
namespace {

// Comparisons produce bool.
struct Compare : Functor {
  template <typename T> using output_t = bool;
  template <typename T> static constexpr bool accepts = is_number_v<T>;
};
struct EqualOp : Compare {
  template <typename T> static constexpr bool accepts = is_number_v<T> || is_bool_v<T> || is_string_v<T>;
  template <typename A> bool operator()(const A& a, const A& b) const { return a == b; }
};
struct LessOp : Compare {
  template <typename A> bool operator()(A a, A b) const { return a < b; }
};
struct LessOrEqualOp : Compare {
  template <typename A> bool operator()(A a, A b) const { return a <= b; }
};
struct GreaterOp : Compare {
  template <typename A> bool operator()(A a, A b) const { return a > b; }
};
struct GreaterOrEqualOp : Compare {
  template <typename A> bool operator()(A a, A b) const { return a >= b; }
};

struct Logical : Functor {
  template <typename T> static constexpr bool accepts = is_bool_v<T>;
};
struct AndOp : Logical {
  bool operator()(bool a, bool b) const { return a && b; }
};
struct OrOp : Logical {
  bool operator()(bool a, bool b) const { return a || b; }
};
struct XorOp : Logical {
  bool operator()(bool a, bool b) const { return a != b; }
};
struct NotOp : Logical {
  bool operator()(bool a) const { return !a; }
};

struct Bitwise : Functor {
  template <typename T> static constexpr bool accepts = is_int_v<T>;
};
struct BitwiseAndOp : Bitwise {
  template <typename A> A operator()(A a, A b) const { return A(a & b); }
};
struct BitwiseOrOp : Bitwise {
  template <typename A> A operator()(A a, A b) const { return A(a | b); }
};
struct BitwiseXorOp : Bitwise {
  template <typename A> A operator()(A a, A b) const { return A(a ^ b); }
};
struct BitwiseNotOp : Bitwise {
  template <typename A> A operator()(A a) const { return A(~a); }
};

// BitShift on unsigned integers; shifting by the bit width or more gives 0 (in C++ it is
// undefined, in WebAssembly the count would wrap).
struct BitShiftOp : Functor {
  bool left = true;
  template <typename T> static constexpr bool accepts = is_unsigned_int_v<T>;
  Status init(const OpBuildContext& ctx) {
    WISP_ASSIGN_OR_RETURN(std::string direction, ctx.node.attr_string("direction", ""));
    WISP_CHECK_MODEL(direction == "LEFT" || direction == "RIGHT",
                     "attribute direction must be \"LEFT\" or \"RIGHT\", got \"", direction, "\"");
    left = direction == "LEFT";
    return Status::ok();
  }
  template <typename A> A operator()(A a, A b) const {
    if (b >= A(sizeof(A) * 8)) return A(0);
    return left ? A(a << b) : A(a >> b);
  }
};

// Where(condition, X, Y): three-way broadcast, any element type including strings.
class WhereKernel final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    WISP_RETURN_IF_ERROR(require_inputs(ctx, 3));
    const Tensor& cond = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    WISP_CHECK_ARG(cond.dtype() == DType::Bool, "condition must be bool, got ", dtype_name(cond.dtype()));
    WISP_CHECK_ARG(x.dtype() == y.dtype(), "X and Y types differ: ", dtype_name(x.dtype()), " and ",
                   dtype_name(y.dtype()));
    WISP_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make({&cond.shape(), &x.shape(), &y.shape()}));
    Status status = unsupported_dtype(x.dtype());
    visit_any_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      Result<Tensor> out = make_output(ctx, x.dtype(), plan.out_shape(), {1, 2});
      if (!out.is_ok()) { status = out.status(); return; }
      const bool* c = cond.data<bool>();
      const T* px = elems<T>(x);
      const T* py = elems<T>(y);
      T* po = elems<T>(*out);
      const int64_t sc = plan.inner_stride(0), sx = plan.inner_stride(1), sy = plan.inner_stride(2);
      parallel_for(ctx.threads(), plan.numel(), kCheapGrain, [&](int64_t begin, int64_t end) {
        plan.for_each_run(begin, end, [&](int64_t pos, const int64_t* off, int64_t count) {
          const bool* rc = c + off[0];
          const T* rx = px + off[1];
          const T* ry = py + off[2];
          T* ro = po + pos;
          for (int64_t i = 0; i < count; ++i) ro[i] = rc[i * sc] ? rx[i * sx] : ry[i * sy];
        });
      });
      ctx.set_output(0, std::move(*out));
      status = Status::ok();
    });
    return status;
  }
};

}  // namespace

void register_logic_ops(OpRegistry& registry) {
  registry.add<BinaryKernel<EqualOp>>("Equal");
  registry.add<BinaryKernel<LessOp>>("Less");
  registry.add<BinaryKernel<LessOrEqualOp>>("LessOrEqual");
  registry.add<BinaryKernel<GreaterOp>>("Greater");
  registry.add<BinaryKernel<GreaterOrEqualOp>>("GreaterOrEqual");
  registry.add<BinaryKernel<AndOp>>("And");
  registry.add<BinaryKernel<OrOp>>("Or");
  registry.add<BinaryKernel<XorOp>>("Xor");
  registry.add<UnaryKernel<NotOp>>("Not");
  registry.add<BinaryKernel<BitwiseAndOp>>("BitwiseAnd");
  registry.add<BinaryKernel<BitwiseOrOp>>("BitwiseOr");
  registry.add<BinaryKernel<BitwiseXorOp>>("BitwiseXor");
  registry.add<UnaryKernel<BitwiseNotOp>>("BitwiseNot");
  registry.add<BinaryKernel<BitShiftOp>>("BitShift");
  registry.add<WhereKernel>("Where");
}

}  // namespace wisp::elementwise
