// If: runs one of two subgraphs. Both branches are compiled at load time; they read outer
// values through the run's scope and may yield outputs of different shapes.
#include "core/ops/control/control_ops.h"
#include "core/ops/control/control_util.h"

namespace wisp::control {
namespace {

class IfOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(then_, compile_body(ctx, "then_branch"));
    WISP_ASSIGN_OR_RETURN(else_, compile_body(ctx, "else_branch"));
    size_t n_then = then_->graph().outputs.size(), n_else = else_->graph().outputs.size();
    WISP_CHECK_MODEL(n_then == n_else, "then_branch has ", n_then, " outputs but else_branch has ", n_else);
    WISP_CHECK_MODEL(ctx.node.outputs.size() <= n_then, "the node has ", ctx.node.outputs.size(),
                     " outputs but its branches only ", n_then);
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(0) && ctx.input_value(0).is_tensor(), "the condition must be a tensor");
    WISP_ASSIGN_OR_RETURN(bool cond, read_condition(ctx.input(0), "the condition"));
    const Plan& branch = cond ? *then_ : *else_;
    Result<std::vector<Value>> result = branch.run_nested({}, ctx, cond ? "then" : "else");
    if (!result) return result.status().with_context(cond ? "then_branch: " : "else_branch: ");
    std::vector<Value>& outs = result.value();
    for (size_t i = 0; i < ctx.num_outputs() && i < outs.size(); ++i) ctx.set_output_value(i, std::move(outs[i]));
    return Status::ok();
  }
  // Branches may yield sequences and optionals; the condition is checked to be a tensor.
  bool takes_any_value() const override { return true; }

 private:
  std::shared_ptr<Plan> then_, else_;
};

}  // namespace

void add_if_op(OpRegistry& registry) { registry.add<IfOp>("If"); }

}  // namespace wisp::control
