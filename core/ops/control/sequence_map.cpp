// SequenceMap: runs its body once per element of the input sequence. Additional inputs that are
// sequences contribute their i-th element (they must be as long); tensors are passed whole.
// Body output k, collected over all runs, becomes output sequence k.
#include "core/ops/control/control_ops.h"
#include "core/ops/control/control_util.h"

namespace wisp::control {
namespace {

class SequenceMapOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(body_, compile_body(ctx, "body"));
    const Graph& g = body_->graph();
    WISP_CHECK_MODEL(g.inputs.size() == ctx.node.inputs.size(), "the body takes ", g.inputs.size(),
                     " inputs but the node has ", ctx.node.inputs.size());
    WISP_CHECK_MODEL(ctx.node.outputs.size() <= g.outputs.size(), "the node has ", ctx.node.outputs.size(),
                     " outputs but the body only ", g.outputs.size());
    return Status::ok();
  }
  bool takes_any_value() const override { return true; }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(0) && ctx.input_value(0).is_sequence(), "input 0 must be a sequence");
    const size_t count = ctx.input_value(0).elements().size();
    for (size_t j = 1; j < ctx.num_inputs(); ++j) {
      WISP_CHECK_ARG(ctx.has_input(j), "input ", j, " is missing");
      const Value& v = ctx.input_value(j);
      WISP_CHECK_ARG(v.is_tensor() || v.is_sequence(), "input ", j, " is ", v.describe());
      WISP_CHECK_ARG(!v.is_sequence() || v.elements().size() == count, "input ", j, " has ", v.elements().size(),
                     " elements but the first sequence has ", count);
    }
    const std::vector<ValueInfo>& declared = body_->graph().outputs;
    std::vector<std::vector<Tensor>> collected(declared.size());
    std::vector<Value> feeds(ctx.num_inputs());
    for (size_t i = 0; i < count; ++i) {
      for (size_t j = 0; j < ctx.num_inputs(); ++j) {
        const Value& v = ctx.input_value(j);
        feeds[j] = v.is_sequence() ? Value(v.elements()[i]) : v;
      }
      Result<std::vector<Value>> result = body_->run_nested(feeds, ctx);
      if (!result) return result.status().with_context(detail::concat("element ", i, ": "));
      for (size_t k = 0; k < declared.size(); ++k) {
        Value& out = result.value()[k];
        WISP_CHECK_ARG(out.is_tensor(), "body output ", k, " is ", out.describe(), ", not a tensor");
        collected[k].push_back(std::move(out.tensor()));
      }
    }
    for (size_t k = 0; k < ctx.num_outputs(); ++k) {
      DType type = collected[k].empty() ? declared[k].dtype : collected[k].front().dtype();
      ctx.set_output_value(k, Value::sequence(type, std::move(collected[k])));
    }
    return Status::ok();
  }

 private:
  std::shared_ptr<Plan> body_;
};

}  // namespace

void add_sequence_map_op(OpRegistry& registry) { registry.add<SequenceMapOp>("SequenceMap"); }

}  // namespace wisp::control
