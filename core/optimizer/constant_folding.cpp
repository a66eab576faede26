#include "core/optimizer/constant_folding.h"

#include <algorithm>
#include <cstdint>
#include <set>

#include "core/tensor/budget_allocator.h"

namespace wisp {

namespace {

// Ops that must not be folded: their result differs between runs, or they run subgraphs
// (which may read graph inputs through outer-scope names).
bool is_foldable_op(const Node& node) {
  static const std::set<std::string> kNonDeterministic = {
      "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli"};
  if (!canonical_domain(node.domain).empty()) return false;
  if (kNonDeterministic.count(node.op_type)) return false;
  for (const auto& [_, attribute] : node.attributes) {
    if (attribute.kind == Attribute::Kind::Graph || attribute.kind == Attribute::Kind::Graphs) return false;
  }
  return true;
}

}  // namespace

Result<int> fold_constants(Model& model, const OpRegistry& registry, const Limits& limits,
                           const ConstantFoldingOptions& options) {
  return fold_constants(model.graph, model, registry, limits, options);
}

Result<int> fold_constants(Graph& graph, const Model& model, const OpRegistry& registry, const Limits& limits,
                           const ConstantFoldingOptions& options, const std::vector<const Graph*>& outer) {
  std::set<std::string> graph_outputs;
  for (const ValueInfo& output : graph.outputs) graph_outputs.insert(output.name);
  // A name resolves to the innermost graph that defines it: as an initializer (a constant),
  // or as an input or node output (computed at run time, shadowing any outer constant).
  std::vector<const Graph*> scopes{&graph};
  scopes.insert(scopes.end(), outer.begin(), outer.end());
  std::vector<std::set<std::string>> computed(scopes.size());
  for (size_t i = 0; i < scopes.size(); ++i) {
    for (const ValueInfo& input : scopes[i]->inputs) computed[i].insert(input.name);
    for (const Node& node : scopes[i]->nodes) computed[i].insert(node.outputs.begin(), node.outputs.end());
  }
  // (An initializer that is also a graph input counts as constant, as it always has here.)
  auto find_constant = [&](const std::string& name) -> const Tensor* {
    for (size_t i = 0; i < scopes.size(); ++i) {
      if (auto it = scopes[i]->initializers.find(name); it != scopes[i]->initializers.end()) return &it->second;
      if (computed[i].count(name)) return nullptr;
    }
    return nullptr;
  };

  // A subgraph's captured values are produced by enclosing graphs (empty for the main graph).
  WISP_ASSIGN_OR_RETURN(std::vector<size_t> order, topological_order(graph, captured_values(graph)));
  std::vector<bool> folded(graph.nodes.size(), false);
  int count = 0;
  for (size_t index : order) {
    const Node& node = graph.nodes[index];
    if (!is_foldable_op(node) || node.outputs.empty()) continue;
    bool all_constant = true;
    std::vector<Value> input_values;  // reserved up front: `inputs` points into it
    input_values.reserve(node.inputs.size());
    std::vector<const Value*> inputs;
    for (const std::string& name : node.inputs) {
      if (name.empty()) {
        inputs.push_back(nullptr);
        continue;
      }
      const Tensor* constant = find_constant(name);
      if (!constant) {
        all_constant = false;
        break;
      }
      input_values.emplace_back(*constant);
      inputs.push_back(&input_values.back());
    }
    bool produces_graph_output = false;
    for (const std::string& name : node.outputs) produces_graph_output |= graph_outputs.count(name) != 0;
    if (!all_constant || produces_graph_output || !registry.supports(node.domain, node.op_type)) continue;

    OpBuildContext build{node, model.opset(node.domain), &model, &graph.initializers, nullptr};
    WISP_ASSIGN_OR_RETURN(std::unique_ptr<OpKernel> kernel, registry.create(build));
    std::vector<Value> outputs(node.outputs.size());
    // A hostile constant (ConstantOfShape of 2^31 floats) must not be materialised at load
    // only to be discarded for its size: the fold gets a budget a little above
    // max_folded_bytes, and a node needing more is left to run time (and its limits).
    const size_t budget_bytes = options.max_folded_bytes > (SIZE_MAX >> 3) ? (SIZE_MAX >> 3) : options.max_folded_bytes;
    BudgetAllocator budget(heap_allocator(), int64_t(std::min<uint64_t>(uint64_t(budget_bytes) * 4, INT64_MAX)));
    OpContext ctx(node, inputs, outputs, budget, nullptr, limits, nullptr);
    if (Status status = kernel->run(ctx); !status.is_ok()) {
      if (budget.refused()) continue;
      return status;
    }

    size_t bytes = 0;
    bool all_tensors = true;  // sequences and optionals cannot become initializers
    for (size_t o = 0; o < outputs.size(); ++o) {
      if (node.outputs[o].empty()) continue;
      all_tensors = all_tensors && outputs[o].is_tensor();
      bytes += outputs[o].tensor().defined() ? outputs[o].tensor().nbytes() : 0;
    }
    if (!all_tensors || bytes > options.max_folded_bytes) continue;
    for (size_t o = 0; o < outputs.size(); ++o) {
      if (node.outputs[o].empty()) continue;
      graph.initializers[node.outputs[o]] = std::move(outputs[o].tensor());
    }
    folded[index] = true;
    ++count;
  }
  if (count == 0) return 0;

  std::vector<Node> kept;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!folded[i]) kept.push_back(std::move(graph.nodes[i]));
  }
  graph.nodes = std::move(kept);
  return count;
}

}  // namespace wisp
