// Optional, OptionalHasElement, OptionalGetElement. A present optional is represented by the
// value it holds, so only the empty optional (Value::none()) needs handling here.
#include "core/ops/control/control_ops.h"
#include "core/ops/op.h"

namespace wisp::control {
namespace {

class OptionalOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_CHECK_MODEL((!ctx.node.inputs.empty() && !ctx.node.inputs[0].empty()) || ctx.node.has_attr("type"),
                     "an Optional without input needs the type attribute");
    return Status::ok();
  }
  bool takes_any_value() const override { return true; }
  Status run(OpContext& ctx) const override {
    ctx.set_output_value(0, ctx.has_input(0) ? ctx.input_value(0) : Value::none());
    return Status::ok();
  }
};

class OptionalHasElementOp final : public OpKernel {
 public:
  bool takes_any_value() const override { return true; }
  Status run(OpContext& ctx) const override {
    // Opset 18 allows the input itself to be omitted, meaning "no element".
    const bool has = ctx.has_input(0) && !ctx.input_value(0).is_none();
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DType::Bool, {}));
    *out->data<bool>() = has;
    return Status::ok();
  }
};

class OptionalGetElementOp final : public OpKernel {
 public:
  bool takes_any_value() const override { return true; }
  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(0) && !ctx.input_value(0).is_none(), "the optional input holds no element");
    ctx.set_output_value(0, ctx.input_value(0));
    return Status::ok();
  }
};

}  // namespace

void add_optional_ops(OpRegistry& registry) {
  registry.add<OptionalOp>("Optional");
  registry.add<OptionalHasElementOp>("OptionalHasElement");
  registry.add<OptionalGetElementOp>("OptionalGetElement");
}

}  // namespace wisp::control
