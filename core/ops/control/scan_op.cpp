// Scan: iterates a body graph over slices of its scan inputs, carrying state variables.
//   body(state_1..state_N, slice_1..slice_M) -> (state_1..state_N, out_1..out_K)
// Opset 9+ scans any axis in either direction. Opset 8 has a leading batch axis (scan axis 1)
// and an optional sequence_lens input; each batch entry is scanned separately.
#include <algorithm>
#include <cstring>

#include "core/ops/control/control_ops.h"
#include "core/ops/control/control_util.h"

namespace wisp::control {
namespace {

// One scan over `steps` positions. Fills `states` with the final state values and `outputs[k]`
// with the K body outputs of every step, in iteration order.
struct ScanPass {
  std::vector<Tensor> states;
  std::vector<Tensor> inputs;
  std::vector<int64_t> axes;        // scan axis per input (normalised)
  std::vector<int64_t> directions;  // 0 forward, 1 reverse
  int64_t steps = 0;
};

Status run_scan_pass(const Plan& body, size_t num_scan_outputs, ScanPass& pass,
                     std::vector<std::vector<Tensor>>& outputs, OpContext& ctx) {
  if (pass.steps > ctx.limits().max_loop_iterations) {
    return make_error(ErrorCode::ResourceExhausted, "the scan has ", pass.steps,
                      " steps, more than Limits::max_loop_iterations");
  }
  const size_t n = pass.states.size();
  outputs.assign(num_scan_outputs, {});
  std::vector<Value> feeds(n + pass.inputs.size());
  for (int64_t t = 0; t < pass.steps; ++t) {
    for (size_t i = 0; i < n; ++i) feeds[i] = pass.states[i];
    for (size_t j = 0; j < pass.inputs.size(); ++j) {
      int64_t at = pass.directions[j] ? pass.steps - 1 - t : t;
      WISP_ASSIGN_OR_RETURN(Tensor slice, take_slice(pass.inputs[j], pass.axes[j], at, ctx));
      feeds[n + j] = std::move(slice);
    }
    Result<std::vector<Value>> result = body.run_nested(feeds, ctx);
    if (!result) return result.status().with_context(detail::concat("step ", t, ": "));
    std::vector<Value>& outs = result.value();
    for (const Value& out : outs) {
      WISP_CHECK_ARG(out.is_tensor(), "the body yields ", out.describe(), "; Scan carries tensors only");
    }
    for (size_t i = 0; i < n; ++i) pass.states[i] = std::move(outs[i].tensor());
    for (size_t k = 0; k < num_scan_outputs; ++k) {
      const Tensor& v = outs[n + k].tensor();
      if (!outputs[k].empty() && (v.shape() != outputs[k][0].shape() || v.dtype() != outputs[k][0].dtype())) {
        return invalid_argument("scan output ", k, " changed from ", outputs[k][0].describe(), " to ",
                                v.describe(), " at step ", t);
      }
      outputs[k].push_back(v);
    }
  }
  return Status::ok();
}

Result<std::vector<int64_t>> int_list(const OpBuildContext& ctx, const char* key, size_t count) {
  WISP_ASSIGN_OR_RETURN(std::vector<int64_t> v, ctx.node.attr_ints(key, std::vector<int64_t>(count, 0)));
  WISP_CHECK_MODEL(v.size() == count, "attribute '", key, "' has ", v.size(), " entries, expected ", count);
  return v;
}

// Common attribute handling for both versions.
class ScanBase : public OpKernel {
 protected:
  Status init_common(const OpBuildContext& ctx, size_t leading_inputs) {
    WISP_ASSIGN_OR_RETURN(body_, compile_body(ctx, "body"));
    WISP_ASSIGN_OR_RETURN(int64_t m, ctx.node.attr_int("num_scan_inputs", -1));
    size_t given = ctx.node.inputs.size() - std::min(ctx.node.inputs.size(), leading_inputs);
    WISP_CHECK_MODEL(m >= 1 && size_t(m) <= given, "num_scan_inputs ", m, " does not fit the ", given,
                     " state and scan inputs");
    num_scan_inputs_ = size_t(m);
    num_states_ = given - num_scan_inputs_;
    const Graph& g = body_->graph();
    WISP_CHECK_MODEL(g.inputs.size() == given, "the body takes ", g.inputs.size(), " inputs, the node gives ", given);
    WISP_CHECK_MODEL(g.outputs.size() >= num_states_, "the body yields fewer outputs than state variables");
    num_scan_outputs_ = g.outputs.size() - num_states_;
    WISP_CHECK_MODEL(ctx.node.outputs.size() <= g.outputs.size(), "the node has more outputs than its body");
    return Status::ok();
  }

  std::shared_ptr<Plan> body_;
  size_t num_states_ = 0, num_scan_inputs_ = 0, num_scan_outputs_ = 0;
};

class ScanOp final : public ScanBase {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_RETURN_IF_ERROR(init_common(ctx, 0));
    WISP_ASSIGN_OR_RETURN(input_axes_, int_list(ctx, "scan_input_axes", num_scan_inputs_));
    WISP_ASSIGN_OR_RETURN(input_dirs_, int_list(ctx, "scan_input_directions", num_scan_inputs_));
    WISP_ASSIGN_OR_RETURN(output_axes_, int_list(ctx, "scan_output_axes", num_scan_outputs_));
    WISP_ASSIGN_OR_RETURN(output_dirs_, int_list(ctx, "scan_output_directions", num_scan_outputs_));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    ScanPass pass;
    for (size_t i = 0; i < num_states_; ++i) {
      WISP_CHECK_ARG(ctx.has_input(i), "state input ", i, " is missing");
      pass.states.push_back(ctx.input(i));
    }
    for (size_t j = 0; j < num_scan_inputs_; ++j) {
      WISP_CHECK_ARG(ctx.has_input(num_states_ + j), "scan input ", j, " is missing");
      const Tensor& in = ctx.input(num_states_ + j);
      WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(input_axes_[j], in.rank()));
      if (j == 0) pass.steps = in.dim(axis);
      WISP_CHECK_ARG(in.dim(axis) == pass.steps, "scan inputs disagree on the sequence length: ", pass.steps,
                     " vs ", in.dim(axis));
      pass.inputs.push_back(in);
      pass.axes.push_back(axis);
      pass.directions.push_back(input_dirs_[j]);
    }
    std::vector<std::vector<Tensor>> slices;
    WISP_RETURN_IF_ERROR(run_scan_pass(*body_, num_scan_outputs_, pass, slices, ctx));

    for (size_t i = 0; i < num_states_ && i < ctx.num_outputs(); ++i) ctx.set_output(i, pass.states[i]);
    for (size_t k = 0; k < num_scan_outputs_ && num_states_ + k < ctx.num_outputs(); ++k) {
      if (!ctx.wants_output(num_states_ + k)) continue;
      Tensor out;
      if (slices[k].empty()) {
        WISP_ASSIGN_OR_RETURN(out, empty_scan_output(body_->graph().outputs[num_states_ + k], ctx));
      } else {
        WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(output_axes_[k], slices[k][0].rank() + 1));
        if (output_dirs_[k]) std::reverse(slices[k].begin(), slices[k].end());  // prepending
        WISP_ASSIGN_OR_RETURN(out, stack_slices(slices[k], axis, ctx));
      }
      ctx.set_output(num_states_ + k, std::move(out));
    }
    return Status::ok();
  }

 private:
  std::vector<int64_t> input_axes_, input_dirs_, output_axes_, output_dirs_;
};

// Scan-8: inputs (sequence_lens?, states [B, ...]..., scan inputs [B, T, ...]...).
class Scan8Op final : public ScanBase {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_RETURN_IF_ERROR(init_common(ctx, 1));
    WISP_ASSIGN_OR_RETURN(directions_, int_list(ctx, "directions", num_scan_inputs_));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const size_t first = 1;  // after sequence_lens
    WISP_CHECK_ARG(ctx.has_input(first + num_states_), "scan input 0 is missing");
    const Tensor& in0 = ctx.input(first + num_states_);
    WISP_CHECK_ARG(in0.rank() >= 2, "Scan-8 inputs need [batch, sequence, ...], got ", in0.describe());
    const int64_t batch = in0.dim(0), max_len = in0.dim(1);
    for (size_t j = 0; j < num_scan_inputs_; ++j) {
      WISP_CHECK_ARG(ctx.has_input(first + num_states_ + j), "scan input ", j, " is missing");
      const Tensor& in = ctx.input(first + num_states_ + j);
      WISP_CHECK_ARG(in.rank() >= 2 && in.dim(0) == batch && in.dim(1) == max_len,
                     "scan inputs disagree on [batch, sequence]: ", in0.describe(), " vs ", in.describe());
    }
    for (size_t i = 0; i < num_states_; ++i) {
      WISP_CHECK_ARG(ctx.has_input(first + i), "state input ", i, " is missing");
      const Tensor& s = ctx.input(first + i);
      WISP_CHECK_ARG(s.rank() >= 1 && s.dim(0) == batch, "state ", i, " ", s.describe(), " lacks batch ", batch);
    }
    std::vector<int64_t> lengths(size_t(batch), max_len);
    if (ctx.has_input(0)) {
      WISP_ASSIGN_OR_RETURN(lengths, ctx.input(0).to_int64_vector());
      WISP_CHECK_ARG(int64_t(lengths.size()) == batch, "sequence_lens has ", lengths.size(), " entries for batch ",
                     batch);
      for (int64_t len : lengths) WISP_CHECK_ARG(len >= 0 && len <= max_len, "sequence length ", len, " is outside [0, ", max_len, "]");
    }

    std::vector<std::vector<Tensor>> final_states(num_states_);
    std::vector<std::vector<std::vector<Tensor>>> per_batch(static_cast<size_t>(batch));
    for (int64_t b = 0; b < batch; ++b) {
      ScanPass pass;
      pass.steps = lengths[size_t(b)];
      for (size_t i = 0; i < num_states_; ++i) {
        WISP_ASSIGN_OR_RETURN(Tensor s, take_slice(ctx.input(first + i), 0, b, ctx));
        pass.states.push_back(s);
      }
      for (size_t j = 0; j < num_scan_inputs_; ++j) {
        WISP_ASSIGN_OR_RETURN(Tensor in, take_slice(ctx.input(first + num_states_ + j), 0, b, ctx));
        pass.inputs.push_back(in);
        pass.axes.push_back(0);
        pass.directions.push_back(directions_[j]);
      }
      WISP_RETURN_IF_ERROR(run_scan_pass(*body_, num_scan_outputs_, pass, per_batch[size_t(b)], ctx)
                               .with_context(detail::concat("batch ", b, ": ")));
      for (size_t i = 0; i < num_states_; ++i) final_states[i].push_back(pass.states[i]);
    }

    for (size_t i = 0; i < num_states_ && i < ctx.num_outputs(); ++i) {
      WISP_ASSIGN_OR_RETURN(Tensor stacked, stack_slices(final_states[i], 0, ctx));
      ctx.set_output(i, std::move(stacked));
    }
    for (size_t k = 0; k < num_scan_outputs_ && num_states_ + k < ctx.num_outputs(); ++k) {
      if (!ctx.wants_output(num_states_ + k)) continue;
      WISP_ASSIGN_OR_RETURN(Tensor out, pad_batches(per_batch, k, batch, max_len, ctx));
      ctx.set_output(num_states_ + k, std::move(out));
    }
    return Status::ok();
  }

 private:
  // [batch, max_len, ...] with each batch entry's steps at the front and zeros after them.
  Result<Tensor> pad_batches(const std::vector<std::vector<std::vector<Tensor>>>& per_batch, size_t k,
                             int64_t batch, int64_t max_len, const OpContext& ctx) const {
    const Tensor* sample = nullptr;
    for (const auto& outs : per_batch) {
      if (!outs[k].empty()) { sample = &outs[k][0]; break; }
    }
    if (!sample) {
      const ValueInfo& declared = body_->graph().outputs[num_states_ + k];
      Shape shape{batch, max_len};
      for (const Dim& d : declared.shape) shape.push_back(std::max<int64_t>(d.value, 0));
      // Through ctx.allocate: the run's element limit and byte budget apply.
      WISP_ASSIGN_OR_RETURN(Tensor zeros,
                            ctx.allocate(declared.dtype == DType::Undefined ? DType::Float32 : declared.dtype, shape));
      if (zeros.raw_data() && zeros.nbytes()) std::memset(zeros.raw_data(), 0, zeros.nbytes());
      return zeros;
    }
    Shape shape = sample->shape();
    shape.insert(shape.begin(), {batch, max_len});
    WISP_ASSIGN_OR_RETURN(Tensor out, ctx.allocate(sample->dtype(), shape));
    if (out.dtype() != DType::String && out.nbytes()) std::memset(out.raw_data(), 0, out.nbytes());
    const int64_t step_elems = sample->numel();
    for (int64_t b = 0; b < batch; ++b) {
      const auto& steps = per_batch[size_t(b)][k];
      for (size_t t = 0; t < steps.size(); ++t) {
        WISP_CHECK_ARG(steps[t].shape() == sample->shape() && steps[t].dtype() == sample->dtype(),
                       "scan output ", k, " changed shape across batch entries");
        copy_elements(steps[t], 0, out, (b * max_len + int64_t(t)) * step_elems, step_elems);
      }
    }
    return out;
  }

  std::vector<int64_t> directions_;
};

}  // namespace

void add_scan_ops(OpRegistry& registry) {
  registry.add<Scan8Op>("Scan", "", 8);
  registry.add<ScanOp>("Scan", "", 9);
}

}  // namespace wisp::control
