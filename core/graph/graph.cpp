#include "core/graph/graph.h"

#include <set>
#include <unordered_map>
#include <unordered_set>

namespace wisp {

const char* value_kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::Tensor: return "tensor";
    case ValueKind::Sequence: return "sequence";
    case ValueKind::OptionalTensor: return "optional tensor";
    case ValueKind::OptionalSequence: return "optional sequence";
  }
  return "?";
}

const Attribute* Node::attr(const std::string& key) const {
  auto it = attributes.find(key);
  return it == attributes.end() ? nullptr : &it->second;
}

std::string Node::context() const { return "node '" + name + "' (" + op_type + "): "; }

namespace {
Status wrong_kind(const Node& node, const std::string& key, const char* expected) {
  return invalid_model(node.context(), "attribute '", key, "' is not ", expected);
}
}  // namespace

Result<int64_t> Node::attr_int(const std::string& key, int64_t fallback) const {
  const Attribute* a = attr(key);
  if (!a) return fallback;
  if (a->kind != Attribute::Kind::Int) return wrong_kind(*this, key, "an int");
  return a->i;
}

Result<float> Node::attr_float(const std::string& key, float fallback) const {
  const Attribute* a = attr(key);
  if (!a) return fallback;
  if (a->kind == Attribute::Kind::Int) return float(a->i);  // some exporters write 1 for 1.0
  if (a->kind != Attribute::Kind::Float) return wrong_kind(*this, key, "a float");
  return a->f;
}

Result<std::string> Node::attr_string(const std::string& key, const std::string& fallback) const {
  const Attribute* a = attr(key);
  if (!a) return fallback;
  if (a->kind != Attribute::Kind::String) return wrong_kind(*this, key, "a string");
  return a->s;
}

Result<std::vector<int64_t>> Node::attr_ints(const std::string& key, std::vector<int64_t> fallback) const {
  const Attribute* a = attr(key);
  if (!a) return fallback;
  if (a->kind != Attribute::Kind::Ints) return wrong_kind(*this, key, "a list of ints");
  return a->ints;
}

Result<std::vector<float>> Node::attr_floats(const std::string& key, std::vector<float> fallback) const {
  const Attribute* a = attr(key);
  if (!a) return fallback;
  if (a->kind != Attribute::Kind::Floats) return wrong_kind(*this, key, "a list of floats");
  return a->floats;
}

Result<std::vector<std::string>> Node::attr_strings(const std::string& key,
                                                    std::vector<std::string> fallback) const {
  const Attribute* a = attr(key);
  if (!a) return fallback;
  if (a->kind != Attribute::Kind::Strings) return wrong_kind(*this, key, "a list of strings");
  return a->strings;
}

int64_t Model::opset(const std::string& domain) const {
  auto it = opsets.find(domain);
  if (it == opsets.end() && (domain.empty() || domain == "ai.onnx")) {
    it = opsets.find(domain.empty() ? "ai.onnx" : "");
  }
  return it == opsets.end() ? 0 : it->second;
}

Result<std::vector<size_t>> topological_order(const Graph& graph, const std::vector<std::string>& outer_scope) {
  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const std::string& out : graph.nodes[i].outputs) {
      if (out.empty()) continue;
      if (!producer.emplace(out, i).second) {
        return invalid_model("value '", out, "' is produced by more than one node");
      }
    }
  }
  std::unordered_set<std::string> available(outer_scope.begin(), outer_scope.end());
  for (const ValueInfo& in : graph.inputs) available.insert(in.name);
  for (const auto& [name, _] : graph.initializers) available.insert(name);

  // Kahn's algorithm, keeping the file order among ready nodes so runs are deterministic.
  std::vector<size_t> pending(graph.nodes.size(), 0);
  std::vector<std::vector<size_t>> consumers(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    std::set<size_t> deps;
    auto add_dep = [&](const std::string& name) -> Status {
      if (name.empty()) return Status::ok();
      auto it = producer.find(name);
      if (it != producer.end()) {
        if (!available.count(name)) deps.insert(it->second);
      } else if (!available.count(name)) {
        // Subgraph nodes may read from outer scopes we were not told about; only the
        // top-level caller knows, so treat unknown names as outer values here when the
        // caller passed a scope, and as errors otherwise.
        return invalid_model(graph.nodes[i].context(), "input '", name, "' is not produced by any node",
                             " and is not a graph input or initializer");
      }
      return Status::ok();
    };
    for (const std::string& in : graph.nodes[i].inputs) WISP_RETURN_IF_ERROR(add_dep(in));
    // Values captured by subgraphs are implicit inputs of this node.
    for (const auto& [_, attr] : graph.nodes[i].attributes) {
      std::vector<std::shared_ptr<Graph>> subs = attr.graphs;
      if (attr.g) subs.push_back(attr.g);
      for (const auto& sub : subs) {
        for (const std::string& name : captured_values(*sub)) {
          if (producer.count(name) || available.count(name)) WISP_RETURN_IF_ERROR(add_dep(name));
        }
      }
    }
    deps.erase(i);
    pending[i] = deps.size();
    for (size_t d : deps) consumers[d].push_back(i);
  }
  std::vector<size_t> order;
  order.reserve(graph.nodes.size());
  std::set<size_t> ready;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (pending[i] == 0) ready.insert(i);
  }
  while (!ready.empty()) {
    size_t n = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(n);
    for (size_t c : consumers[n]) {
      if (--pending[c] == 0) ready.insert(c);
    }
  }
  if (order.size() != graph.nodes.size()) {
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (pending[i] != 0) return invalid_model("the graph has a cycle through ", graph.nodes[i].context());
    }
  }
  return order;
}

std::vector<std::string> captured_values(const Graph& graph) {
  std::unordered_set<std::string> local;
  for (const ValueInfo& in : graph.inputs) local.insert(in.name);
  for (const auto& [name, _] : graph.initializers) local.insert(name);
  for (const Node& node : graph.nodes) {
    for (const std::string& out : node.outputs) local.insert(out);
  }
  std::vector<std::string> captured;
  std::unordered_set<std::string> seen;
  auto add = [&](const std::string& name) {
    if (!name.empty() && !local.count(name) && seen.insert(name).second) captured.push_back(name);
  };
  for (const Node& node : graph.nodes) {
    for (const std::string& in : node.inputs) add(in);
    for (const auto& [_, attr] : node.attributes) {
      std::vector<std::shared_ptr<Graph>> subs = attr.graphs;
      if (attr.g) subs.push_back(attr.g);
      for (const auto& sub : subs) {
        for (const std::string& name : captured_values(*sub)) add(name);
      }
    }
  }
  for (const ValueInfo& out : graph.outputs) add(out.name);
  return captured;
}

Status check_declared_shape(const ValueInfo& info, int64_t max_elements) {
  Shape fixed;
  for (const Dim& d : info.shape) {
    if (d.value < -1) return invalid_model("value '", info.name, "' declares a negative dimension ", d.value);
    if (d.is_fixed()) fixed.push_back(d.value);
  }
  Result<int64_t> n = checked_numel(fixed, max_elements);
  if (!n) return invalid_model("value '", info.name, "' declares a shape that is too large: ", n.status().message());
  return Status::ok();
}

}  // namespace wisp
