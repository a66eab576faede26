#include "core/optimizer/rewrite_util.h"

#include <cmath>
#include <limits>

#include "core/ops/linalg/fused_activation.h"

namespace wisp::opt {

GraphIndex::GraphIndex(const Graph& graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    for (const std::string& out : node.outputs) {
      if (!out.empty()) producer[out] = i;
    }
    for (const std::string& in : node.inputs) {
      if (in.empty()) continue;
      consumers[in].push_back(i);
      uses[in] += 1;
    }
    for (const auto& [_, attribute] : node.attributes) {
      std::vector<const Graph*> subgraphs;
      if (attribute.kind == Attribute::Kind::Graph && attribute.g) subgraphs.push_back(attribute.g.get());
      if (attribute.kind == Attribute::Kind::Graphs) {
        for (const auto& g : attribute.graphs) if (g) subgraphs.push_back(g.get());
      }
      // A capture is a read the index cannot see as a node input: it pins the value.
      for (const Graph* sub : subgraphs) {
        for (const std::string& name : captured_values(*sub)) uses[name] += 2;
      }
    }
  }
  for (const ValueInfo& output : graph.outputs) uses[output.name] += 2;
}

int GraphIndex::use_count(const std::string& name) const {
  auto it = uses.find(name);
  return it == uses.end() ? 0 : it->second;
}

const size_t* GraphIndex::sole_producer(const std::string& name) const {
  if (use_count(name) != 1) return nullptr;
  auto it = producer.find(name);
  return it == producer.end() ? nullptr : &it->second;
}

const size_t* GraphIndex::sole_consumer(const std::string& name) const {
  if (use_count(name) != 1) return nullptr;
  auto it = consumers.find(name);
  return it == consumers.end() || it->second.size() != 1 ? nullptr : &it->second[0];
}

bool is_default_domain(const Node& node) { return node.domain.empty() || node.domain == "ai.onnx"; }

bool is_op(const Node& node, const char* op_type, const char* domain) {
  if (node.op_type != op_type) return false;
  const std::string d = node.domain == "ai.onnx" ? "" : node.domain;
  return d == domain;
}

const Tensor* constant(const Graph& graph, const std::string& name) {
  auto it = graph.initializers.find(name);
  return it == graph.initializers.end() ? nullptr : &it->second;
}

bool constant_scalar(const Graph& graph, const std::string& name, double& value) {
  const Tensor* t = constant(graph, name);
  if (!t || t->numel() != 1 || (t->dtype() != DType::Float32 && t->dtype() != DType::Float64)) return false;
  value = t->get_as_double(0);
  return true;
}

const ValueInfo* known_info(const Graph& graph, const std::string& name) {
  for (const ValueInfo& input : graph.inputs) {
    if (input.name == name) return &input;
  }
  auto it = graph.value_infos.find(name);
  return it == graph.value_infos.end() ? nullptr : &it->second;
}

int64_t known_rank(const Graph& graph, const std::string& name) {
  if (const Tensor* t = constant(graph, name)) return t->rank();
  const ValueInfo* info = known_info(graph, name);
  return info && info->kind == ValueKind::Tensor && info->has_shape ? int64_t(info->shape.size()) : -1;
}

DType known_dtype(const Graph& graph, const std::string& name) {
  if (const Tensor* t = constant(graph, name)) return t->dtype();
  const ValueInfo* info = known_info(graph, name);
  return info && info->kind == ValueKind::Tensor ? info->dtype : DType::Undefined;
}

std::string fresh_name(const Graph& graph, const std::string& base) {
  std::set<std::string> taken;
  for (const Node& node : graph.nodes) {
    taken.insert(node.outputs.begin(), node.outputs.end());
  }
  for (int i = 0;; ++i) {
    std::string name = base + "_wisp" + std::to_string(i);
    if (!taken.count(name) && !graph.initializers.count(name) && !known_info(graph, name)) return name;
  }
}

Attribute int_attr(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Int;
  a.i = v;
  return a;
}

Attribute float_attr(float v) {
  Attribute a;
  a.kind = Attribute::Kind::Float;
  a.f = v;
  return a;
}

Attribute string_attr(const std::string& v) {
  Attribute a;
  a.kind = Attribute::Kind::String;
  a.s = v;
  return a;
}

Attribute floats_attr(std::vector<float> v) {
  Attribute a;
  a.kind = Attribute::Kind::Floats;
  a.floats = std::move(v);
  return a;
}

Attribute ints_attr(std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::Ints;
  a.ints = std::move(v);
  return a;
}

int fold_nodes(Graph& graph, const FoldIntoNeighbour& fold) {
  GraphIndex index(graph);
  std::vector<bool> dead(graph.nodes.size(), false), touched(graph.nodes.size(), false);
  int count = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (touched[i] || !fold(graph, index, i, touched)) continue;
    dead[i] = true;
    ++count;
  }
  if (count) erase_dead(graph, dead);
  return count;
}

bool fold_add_into_producer(Graph& graph, const GraphIndex& index, size_t add_index, std::vector<bool>& touched,
                            FoldAddOperand fold) {
  const Node& add = graph.nodes[add_index];
  if (touched[add_index] || !is_op(add, "Add") || add.inputs.size() != 2 || add.outputs.size() != 1) return false;
  for (int side = 0; side < 2; ++side) {
    const std::string& produced = add.inputs[size_t(side)];
    const std::string& other = add.inputs[size_t(1 - side)];
    const size_t* p = index.sole_producer(produced);
    if (!p || touched[*p] || produced == other) continue;
    Node& producer = graph.nodes[*p];
    if (producer.outputs.size() != 1 || producer.has_attr(linalg::kActivationAttr)) continue;
    if (!fold(graph, producer, produced, other)) continue;
    producer.outputs[0] = add.outputs[0];
    touched[add_index] = touched[*p] = true;
    return true;
  }
  return false;
}

int erase_dead(Graph& graph, const std::vector<bool>& dead) {
  std::vector<Node> kept;
  kept.reserve(graph.nodes.size());
  int removed = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (dead[i]) {
      ++removed;
    } else {
      kept.push_back(std::move(graph.nodes[i]));
    }
  }
  graph.nodes = std::move(kept);
  return removed;
}

}  // namespace wisp::opt

namespace wisp::opt {

std::string other_input(const Node& node, const std::string& known) {
  if (node.inputs.size() != 2) return "";
  if (node.inputs[0] == known) return node.inputs[1];
  if (node.inputs[1] == known) return node.inputs[0];
  return "";
}

bool is_float_constant(const Graph& graph, const std::string& name, double expected, double tolerance) {
  const Tensor* t = constant(graph, name);
  double v = 0;
  return t && t->dtype() == DType::Float32 && constant_scalar(graph, name, v) && std::abs(v - expected) <= tolerance;
}

void import_domain(Model& model, const std::string& domain) {
  if (!model.opsets.count(domain)) model.opsets[domain] = 1;
}

}  // namespace wisp::opt

namespace wisp::opt {

bool clip_bounds(const Graph& graph, const Node& clip, int64_t opset, float& lo, float& hi) {
  lo = -std::numeric_limits<float>::infinity();
  hi = std::numeric_limits<float>::infinity();
  if (!is_op(clip, "Clip") || clip.inputs.empty()) return false;
  if (opset != 0 && opset < 11) {
    Result<float> a = clip.attr_float("min", lo), b = clip.attr_float("max", hi);
    if (!a || !b) return false;
    lo = *a;
    hi = *b;
  } else {
    for (size_t i = 1; i < clip.inputs.size() && i < 3; ++i) {
      if (clip.inputs[i].empty()) continue;
      const Tensor* t = constant(graph, clip.inputs[i]);
      if (!t || t->dtype() != DType::Float32 || t->numel() != 1) return false;
      (i == 1 ? lo : hi) = t->data<float>()[0];
    }
  }
  return lo <= hi;  // also false for NaN bounds
}

}  // namespace wisp::opt
