#include "core/runtime/plan.h"

#include <chrono>

namespace wisp {

class Plan::Frame final : public ValueScope {
 public:
  Frame(const Plan& plan, const ValueScope* parent, const RunContext& run)
      : plan_(plan), parent_(parent), run(run), depth(run.depth), values(size_t(plan.num_slots_)) {}
  const Value* find(const std::string& name) const override {
    auto it = plan_.slot_of_.find(name);
    if (it != plan_.slot_of_.end() && values[size_t(it->second)].defined()) return &values[size_t(it->second)];
    return parent_ ? parent_->find(name) : nullptr;
  }

  const Plan& plan_;
  const ValueScope* parent_;
  const RunContext& run;  // the run that owns this frame
  int depth;  // RunContext::depth of the run that owns this frame
  std::vector<Value> values;
  // Profiling: the node running now, and the seconds its subgraph runs took so far (they are
  // subtracted from the node's own time).
  const Step* current = nullptr;
  mutable double nested_seconds = 0;
};

Result<std::shared_ptr<Plan>> Plan::compile(const Graph& graph, const Model& model, const OpRegistry& registry,
                                            const Limits& limits, const std::vector<std::string>& outer_scope,
                                            int depth) {
  if (depth > limits.max_graph_depth) {
    return make_error(ErrorCode::ResourceExhausted, "subgraphs are nested deeper than ", limits.max_graph_depth);
  }
  auto plan = std::make_shared<Plan>();
  plan->graph_ = &graph;
  WISP_ASSIGN_OR_RETURN(std::vector<size_t> order, topological_order(graph, outer_scope));

  auto slot = [&](const std::string& name) {
    auto [it, inserted] = plan->slot_of_.emplace(name, plan->num_slots_);
    if (inserted) ++plan->num_slots_;
    return it->second;
  };
  for (const ValueInfo& in : graph.inputs) plan->input_slots_.push_back(slot(in.name));
  for (const auto& [name, tensor] : graph.initializers) plan->constant_slots_.push_back({slot(name), &tensor});

  // Everything this graph's nodes may see: for subgraphs, compiled in turn.
  std::vector<std::string> visible = outer_scope;
  for (const ValueInfo& in : graph.inputs) visible.push_back(in.name);
  for (const auto& [name, _] : graph.initializers) visible.push_back(name);
  for (const Node& node : graph.nodes) {
    for (const std::string& out : node.outputs) if (!out.empty()) visible.push_back(out);
  }

  // Names not defined here are captured from the enclosing scope.
  for (const std::string& name : captured_values(graph)) {
    bool known = false;
    for (const std::string& o : outer_scope) known = known || o == name;
    if (!known) return invalid_model("graph '", graph.name, "' uses value '", name, "' that is never defined");
    plan->captured_slots_.push_back({slot(name), name});
  }

  std::vector<int> last_use;
  for (size_t index : order) {
    const Node& node = graph.nodes[index];
    Step step;
    step.node = &node;
    for (const std::string& in : node.inputs) step.inputs.push_back(in.empty() ? -1 : slot(in));
    for (const std::string& out : node.outputs) step.outputs.push_back(out.empty() ? -1 : slot(out));
    step.label = node.name.empty() ? node.op_type + "#" + std::to_string(plan->steps_.size()) : node.name;
    OpBuildContext build{node, model.opset(node.domain), &model, &graph.initializers, nullptr};
    build.compile_subgraph = [&, depth](const Graph& sub) {
      return Plan::compile(sub, model, registry, limits, visible, depth + 1);
    };
    WISP_ASSIGN_OR_RETURN(step.kernel, registry.create(build));
    plan->steps_.push_back(std::move(step));
  }

  // Lifetimes: a value dies after the last step that reads it (directly or from a subgraph).
  last_use.assign(size_t(plan->num_slots_), -1);
  for (size_t s = 0; s < plan->steps_.size(); ++s) {
    const Step& step = plan->steps_[s];
    for (int in : step.inputs) if (in >= 0) last_use[size_t(in)] = int(s);
    for (int out : step.outputs) if (out >= 0 && last_use[size_t(out)] < int(s)) last_use[size_t(out)] = int(s);
    for (const auto& [_, attr] : step.node->attributes) {
      std::vector<std::shared_ptr<Graph>> subs = attr.graphs;
      if (attr.g) subs.push_back(attr.g);
      for (const auto& sub : subs) {
        for (const std::string& name : captured_values(*sub)) {
          auto it = plan->slot_of_.find(name);
          if (it != plan->slot_of_.end()) last_use[size_t(it->second)] = int(s);
        }
      }
    }
  }
  plan->never_free_.assign(size_t(plan->num_slots_), false);
  for (const ValueInfo& out : graph.outputs) {
    auto it = plan->slot_of_.find(out.name);
    if (it == plan->slot_of_.end()) {
      return invalid_model("graph output '", out.name, "' is not produced by any node or input");
    }
    plan->output_slots_.push_back(it->second);
    plan->never_free_[size_t(it->second)] = true;
  }
  for (auto& [s, _] : plan->constant_slots_) plan->never_free_[size_t(s)] = true;
  for (auto& [s, _] : plan->captured_slots_) plan->never_free_[size_t(s)] = true;
  for (int s = 0; s < plan->num_slots_; ++s) {
    if (!plan->never_free_[size_t(s)] && last_use[size_t(s)] >= 0) {
      plan->steps_[size_t(last_use[size_t(s)])].free_after.push_back(s);
    }
  }
  return plan;
}

Result<std::vector<Value>> Plan::run(const std::vector<Value>& inputs, RunContext& run,
                                     const ValueScope* scope) const {
  if (run.depth > run.limits.max_graph_depth) {
    return make_error(ErrorCode::ResourceExhausted, "subgraph runs are nested deeper than ",
                      run.limits.max_graph_depth);
  }
  if (inputs.size() != input_slots_.size()) {
    return invalid_argument("graph '", graph_->name, "' takes ", input_slots_.size(), " inputs, got ",
                            inputs.size());
  }
  Frame frame(*this, scope, run);
  for (size_t i = 0; i < inputs.size(); ++i) frame.values[size_t(input_slots_[i])] = inputs[i];
  for (const auto& [s, t] : constant_slots_) {
    // A graph input may share its name with an initializer (a default value): the feed wins.
    if (!frame.values[size_t(s)].defined()) frame.values[size_t(s)] = Value(*t);
  }
  for (const auto& [s, name] : captured_slots_) {
    const Value* t = scope ? scope->find(name) : nullptr;
    if (!t) return invalid_model("graph '", graph_->name, "' reads '", name, "' which has no value");
    frame.values[size_t(s)] = *t;
  }

  Allocator& allocator = run.allocator ? *run.allocator : heap_allocator();
  for (const Step& step : steps_) {
    std::vector<const Value*> ins(step.inputs.size(), nullptr);
    std::vector<bool> dying(step.inputs.size(), false);
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      int s = step.inputs[i];
      if (s < 0) continue;
      const Value& value = frame.values[size_t(s)];
      if (!value.defined()) {
        return invalid_model(step.node->context(), "input '", step.node->inputs[i], "' has no value");
      }
      if (!value.is_tensor() && !step.kernel->takes_any_value()) {
        return invalid_argument(step.node->context(), "input '", step.node->inputs[i], "' is ", value.describe(),
                                " but this operator takes tensors");
      }
      ins[i] = &value;
    }
    // An input may be overwritten in place when this is its last use, no other input of the
    // node aliases it, and no other live value shares its storage.
    for (int s : step.free_after) {
      const Tensor& value = frame.values[size_t(s)].tensor();
      if (!value.storage() || value.storage().use_count() != 1) continue;
      int uses = 0;
      for (int in : step.inputs) uses += in == s;
      if (uses != 1) continue;
      for (size_t i = 0; i < step.inputs.size(); ++i) dying[i] = dying[i] || step.inputs[i] == s;
    }
    std::vector<Value> outs(step.outputs.size());
    OpContext ctx(*step.node, std::move(ins), outs, allocator, run.threads, run.limits, &frame);
    ctx.dying_ = std::move(dying);
    const bool profiling = bool(run.on_node_done);
    auto start = profiling ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    frame.current = &step;
    frame.nested_seconds = 0;
    WISP_RETURN_IF_ERROR(step.kernel->run(ctx).with_context(step.node->context()));
    if (profiling) {
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      run.on_node_done(*step.node, run.path_prefix + step.label, seconds - frame.nested_seconds);
    }
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      if (step.outputs[o] < 0) continue;
      if (!outs[o].defined()) {
        return make_error(ErrorCode::Internal, step.node->context(), "produced no value for output ", o);
      }
      frame.values[size_t(step.outputs[o])] = std::move(outs[o]);
    }
    for (int s : step.free_after) frame.values[size_t(s)] = Value();
  }
  std::vector<Value> outputs;
  outputs.reserve(output_slots_.size());
  for (int s : output_slots_) {
    if (!frame.values[size_t(s)].defined()) return invalid_model("graph output has no value");
    outputs.push_back(frame.values[size_t(s)]);
  }
  return outputs;
}

Result<std::vector<Value>> Plan::run_nested(const std::vector<Value>& inputs, const OpContext& ctx,
                                            std::string_view label) const {
  RunContext sub;
  sub.allocator = &ctx.allocator();
  sub.threads = ctx.threads();
  sub.limits = ctx.limits();
  // Ops run by a Plan see its Frame as their scope; anything else is treated as the top level.
  const auto* frame = dynamic_cast<const Frame*>(ctx.scope());
  sub.depth = (frame ? frame->depth : 0) + 1;
  if (!frame || !frame->run.on_node_done) return run(inputs, sub, ctx.scope());

  // Profiling: the subgraph's nodes report under the running node's path, and the time they
  // take is subtracted from that node's own time.
  sub.on_node_done = frame->run.on_node_done;
  sub.path_prefix = frame->run.path_prefix + (frame->current ? frame->current->label : ctx.node().name) + "/" +
                    std::string(label) + "/";
  auto start = std::chrono::steady_clock::now();
  Result<std::vector<Value>> result = run(inputs, sub, ctx.scope());
  frame->nested_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace wisp
