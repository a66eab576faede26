// Loop: a general while/for loop over a body graph with loop-carried values and scan outputs.
//   body(iteration_num, cond_in, v_1..v_N) -> (cond_out, v_1..v_N, scan_1..scan_K)
// Every iteration counts against Limits::max_loop_iterations, so a loop with no trip count and
// a condition that never turns false fails instead of hanging.
#include "core/ops/control/control_ops.h"
#include "core/ops/control/control_util.h"

namespace wisp::control {
namespace {

class LoopOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(body_, compile_body(ctx, "body"));
    const Graph& g = body_->graph();
    WISP_CHECK_MODEL(ctx.node.inputs.size() >= 2, "Loop needs at least the inputs M and cond");
    num_carried_ = ctx.node.inputs.size() - 2;
    WISP_CHECK_MODEL(g.inputs.size() == 2 + num_carried_, "the body takes ", g.inputs.size(),
                     " inputs but the loop provides ", 2 + num_carried_);
    WISP_CHECK_MODEL(g.outputs.size() >= 1 + num_carried_, "the body has ", g.outputs.size(),
                     " outputs, fewer than the condition and ", num_carried_, " loop-carried values");
    num_scan_ = g.outputs.size() - 1 - num_carried_;
    WISP_CHECK_MODEL(ctx.node.outputs.size() <= num_carried_ + num_scan_, "the node has ",
                     ctx.node.outputs.size(), " outputs but the body yields only ", num_carried_ + num_scan_);
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    for (size_t i = 0; i < 2; ++i) {
      WISP_CHECK_ARG(!ctx.has_input(i) || ctx.input_value(i).is_tensor(), i == 0 ? "M" : "cond",
                     " must be a tensor, got ", ctx.input_value(i).describe());
    }
    int64_t max_trips = INT64_MAX;
    if (ctx.has_input(0)) {
      WISP_ASSIGN_OR_RETURN(max_trips, read_int_scalar(ctx.input(0), "the trip count M"));
    }
    bool cond = true;
    if (ctx.has_input(1)) {
      WISP_ASSIGN_OR_RETURN(cond, read_condition(ctx.input(1), "the loop condition"));
    }

    // Body inputs: [iteration_num, cond_in, carried...]; slots 0 and 1 are refreshed every turn.
    std::vector<Value> feeds(2 + num_carried_);
    for (size_t i = 0; i < num_carried_; ++i) {
      WISP_CHECK_ARG(ctx.has_input(2 + i), "loop-carried input ", i, " is missing");
      feeds[2 + i] = ctx.input_value(2 + i);
    }
    std::vector<std::vector<Tensor>> scans(num_scan_);

    const int64_t limit = ctx.limits().max_loop_iterations;
    for (int64_t iter = 0; iter < max_trips && cond; ++iter) {
      if (iter >= limit) {
        return make_error(ErrorCode::ResourceExhausted, "the loop ran more than ", limit,
                          " iterations (Limits::max_loop_iterations)");
      }
      WISP_ASSIGN_OR_RETURN(Tensor iteration, ctx.allocate(DType::Int64, {}));
      *iteration.data<int64_t>() = iter;
      WISP_ASSIGN_OR_RETURN(Tensor cond_in, ctx.allocate(DType::Bool, {}));
      *cond_in.data<bool>() = cond;
      feeds[0] = std::move(iteration);
      feeds[1] = std::move(cond_in);

      Result<std::vector<Value>> result = body_->run_nested(feeds, ctx);
      if (!result) return result.status().with_context(detail::concat("iteration ", iter, ": "));
      std::vector<Value>& outs = result.value();
      // Like onnxruntime, the body's condition output is honoured even when cond was omitted.
      WISP_CHECK_ARG(outs[0].is_tensor(), "the body's condition output is ", outs[0].describe());
      WISP_ASSIGN_OR_RETURN(cond, read_condition(outs[0].tensor(), "the body's condition output"));
      for (size_t i = 0; i < num_carried_; ++i) feeds[2 + i] = std::move(outs[1 + i]);
      for (size_t k = 0; k < num_scan_; ++k) {
        WISP_CHECK_ARG(outs[1 + num_carried_ + k].is_tensor(), "scan output ", k, " is ",
                       outs[1 + num_carried_ + k].describe(), ", not a tensor");
        const Tensor& value = outs[1 + num_carried_ + k].tensor();
        if (!scans[k].empty() && (value.shape() != scans[k][0].shape() || value.dtype() != scans[k][0].dtype())) {
          return invalid_argument("scan output ", k, " changed from ", scans[k][0].describe(), " to ",
                                  value.describe(), " at iteration ", iter);
        }
        // Fail as soon as the stacked output could not be allocated, not after running on.
        int64_t stacked = 0;
        if (!checked_mul(int64_t(scans[k].size()) + 1, value.numel(), &stacked) ||
            stacked > ctx.limits().max_tensor_elements) {
          return make_error(ErrorCode::ResourceExhausted, "scan output ", k, " stacks ", scans[k].size() + 1,
                            " iterations of ", value.describe(), ", more than ", ctx.limits().max_tensor_elements,
                            " elements (Limits::max_tensor_elements)");
        }
        scans[k].push_back(value);
      }
    }

    for (size_t i = 0; i < num_carried_ && i < ctx.num_outputs(); ++i) ctx.set_output_value(i, feeds[2 + i]);
    for (size_t k = 0; k < num_scan_ && num_carried_ + k < ctx.num_outputs(); ++k) {
      if (!ctx.wants_output(num_carried_ + k)) continue;
      Tensor stacked;
      if (scans[k].empty()) {
        WISP_ASSIGN_OR_RETURN(stacked, empty_scan_output(body_->graph().outputs[1 + num_carried_ + k], ctx));
      } else {
        WISP_ASSIGN_OR_RETURN(stacked, stack_slices(scans[k], 0, ctx));
      }
      ctx.set_output(num_carried_ + k, std::move(stacked));
    }
    return Status::ok();
  }
  // Loop-carried values may be sequences or optionals; M, cond and scan outputs are checked.
  bool takes_any_value() const override { return true; }

 private:
  std::shared_ptr<Plan> body_;
  size_t num_carried_ = 0;
  size_t num_scan_ = 0;
};

}  // namespace

void add_loop_op(OpRegistry& registry) { registry.add<LoopOp>("Loop"); }

}  // namespace wisp::control
