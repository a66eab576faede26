#include "core/graph/shape_inference.h"

#include <map>

#include "core/graph/shape_rules.h"

namespace wisp {

namespace {

using shape::ValueShape;

bool is_default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

ValueShape from_tensor(const Tensor& t) {
  ValueShape v{t.dtype(), true, {}, &t};
  for (int64_t d : t.shape()) v.dims.push_back(shape::fixed_dim(d));
  return v;
}

ValueShape from_info(const ValueInfo& info) {
  if (info.kind != ValueKind::Tensor) return ValueShape{};
  if (!info.has_shape) return ValueShape{info.dtype, false, {}, nullptr};
  return ValueShape{info.dtype, true, info.shape, nullptr};
}

// Combines a declared value_info with what inference found. Inferred fixed dims win: declared
// intermediate shapes in exported models are sometimes stale, and inference here is exact.
// Declared detail (a dtype, a rank, a fixed dim or a symbol) is kept where inference knows less.
ValueInfo merge(const std::string& name, const ValueInfo* declared, const ValueShape& inferred) {
  ValueInfo out = declared ? *declared : ValueInfo{};
  out.name = name;
  if (inferred.dtype != DType::Undefined) out.dtype = inferred.dtype;
  if (!inferred.has_shape) return out;
  if (!out.has_shape || out.shape.size() != inferred.dims.size()) {
    out.has_shape = true;
    out.shape = inferred.dims;
    return out;
  }
  for (size_t i = 0; i < out.shape.size(); ++i) {
    const Dim& d = inferred.dims[i];
    if (d.is_fixed() || (!out.shape[i].is_fixed() && out.shape[i].symbol.empty())) out.shape[i] = d;
  }
  return out;
}

}  // namespace

Status infer_shapes(Graph& graph, const Model& model) {
  Result<std::vector<size_t>> order = topological_order(graph);
  if (!order) return Status::ok();  // Plan::compile reports a malformed graph with more context

  // Only trusted sources feed the rules: graph inputs (checked against feeds at run time),
  // initializers and inferred outputs. Declared intermediate value_infos are not used as
  // inputs, so a stale one can never cause a false error.
  std::map<std::string, ValueShape> known;
  for (const auto& [name, tensor] : graph.initializers) known[name] = from_tensor(tensor);
  for (const ValueInfo& input : graph.inputs) known[input.name] = from_info(input);

  const int64_t opset = model.opset("");
  for (size_t index : *order) {
    const Node& node = graph.nodes[index];
    shape::ShapeRule rule = is_default_domain(node.domain) ? shape::find_shape_rule(node.op_type) : nullptr;
    if (!rule || node.outputs.empty()) continue;
    std::vector<ValueShape> inputs;
    for (const std::string& name : node.inputs) {
      auto it = name.empty() ? known.end() : known.find(name);
      inputs.push_back(it == known.end() ? ValueShape{} : it->second);
    }
    std::vector<ValueShape> outputs(node.outputs.size());
    WISP_RETURN_IF_ERROR(rule(shape::RuleInput{node, opset, inputs}, outputs));
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      const std::string& name = node.outputs[i];
      if (name.empty() || !outputs[i].known()) continue;
      known[name] = outputs[i];
      auto it = graph.value_infos.find(name);
      if (it != graph.value_infos.end() && it->second.kind != ValueKind::Tensor) continue;
      graph.value_infos[name] = merge(name, it == graph.value_infos.end() ? nullptr : &it->second, outputs[i]);
    }
  }
  return Status::ok();
}

}  // namespace wisp
