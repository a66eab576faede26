// Deep comparison of two Models for tests: returns "" when equal, else a description of the
// first difference found ("graph.nodes[3].attributes['axis'].i: 1 vs 2").
#pragma once

#include <cstring>
#include <string>

#include "core/graph/graph.h"

namespace wisp::test {

inline std::string tensor_difference(const Tensor& a, const Tensor& b) {
  if (a.defined() != b.defined()) return "defined: " + std::to_string(a.defined()) + " vs " + std::to_string(b.defined());
  if (!a.defined()) return "";
  if (a.dtype() != b.dtype()) return std::string("dtype: ") + dtype_name(a.dtype()) + " vs " + dtype_name(b.dtype());
  if (a.shape() != b.shape()) return "shape: " + shape_to_string(a.shape()) + " vs " + shape_to_string(b.shape());
  if (a.dtype() == DType::String) {
    for (int64_t i = 0; i < a.numel(); ++i) {
      if (a.strings()[i] != b.strings()[i]) return "string element " + std::to_string(i);
    }
    return "";
  }
  if (a.nbytes() && std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) != 0) return "data bytes differ";
  return "";
}

inline std::string graph_difference(const Graph& a, const Graph& b, const std::string& at);

inline std::string value_info_difference(const ValueInfo& a, const ValueInfo& b) {
  if (a.name != b.name) return "name: '" + a.name + "' vs '" + b.name + "'";
  if (a.dtype != b.dtype) return "dtype of '" + a.name + "'";
  if (a.has_shape != b.has_shape) return "has_shape of '" + a.name + "'";
  if (a.shape.size() != b.shape.size()) return "rank of '" + a.name + "'";
  for (size_t i = 0; i < a.shape.size(); ++i) {
    if (a.shape[i].value != b.shape[i].value || a.shape[i].symbol != b.shape[i].symbol) {
      return "dim " + std::to_string(i) + " of '" + a.name + "'";
    }
  }
  return "";
}

inline std::string value_infos_difference(const std::vector<ValueInfo>& a, const std::vector<ValueInfo>& b,
                                          const std::string& at) {
  if (a.size() != b.size()) return at + ": count " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    std::string d = value_info_difference(a[i], b[i]);
    if (!d.empty()) return at + "[" + std::to_string(i) + "]." + d;
  }
  return "";
}

inline std::string attribute_difference(const Attribute& a, const Attribute& b, const std::string& at) {
  using Kind = Attribute::Kind;
  if (a.kind != b.kind) return at + ".kind";
  switch (a.kind) {
    case Kind::Float:
      if (std::memcmp(&a.f, &b.f, sizeof a.f) != 0) return at + ".f";
      break;
    case Kind::Int:
      if (a.i != b.i) return at + ".i: " + std::to_string(a.i) + " vs " + std::to_string(b.i);
      break;
    case Kind::String:
      if (a.s != b.s) return at + ".s";
      break;
    case Kind::Tensor: {
      std::string d = tensor_difference(a.t, b.t);
      if (!d.empty()) return at + ".t " + d;
      break;
    }
    case Kind::Graph:
      if (!a.g || !b.g) return at + ".g missing";
      return graph_difference(*a.g, *b.g, at + ".g");
    case Kind::Floats:
      if (a.floats.size() != b.floats.size() ||
          (!a.floats.empty() && std::memcmp(a.floats.data(), b.floats.data(), a.floats.size() * 4) != 0)) {
        return at + ".floats";
      }
      break;
    case Kind::Ints:
      if (a.ints != b.ints) return at + ".ints";
      break;
    case Kind::Strings:
      if (a.strings != b.strings) return at + ".strings";
      break;
    case Kind::Tensors:
      if (a.tensors.size() != b.tensors.size()) return at + ".tensors count";
      for (size_t i = 0; i < a.tensors.size(); ++i) {
        std::string d = tensor_difference(a.tensors[i], b.tensors[i]);
        if (!d.empty()) return at + ".tensors[" + std::to_string(i) + "] " + d;
      }
      break;
    case Kind::Graphs:
      if (a.graphs.size() != b.graphs.size()) return at + ".graphs count";
      for (size_t i = 0; i < a.graphs.size(); ++i) {
        std::string d = graph_difference(*a.graphs[i], *b.graphs[i], at + ".graphs[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      break;
    case Kind::Type: {
      std::string d = value_info_difference(a.type, b.type);
      if (!d.empty()) return at + ".type." + d;
      break;
    }
  }
  return "";
}

inline std::string graph_difference(const Graph& a, const Graph& b, const std::string& at) {
  if (a.name != b.name) return at + ".name";
  if (a.nodes.size() != b.nodes.size()) return at + ".nodes count";
  for (size_t n = 0; n < a.nodes.size(); ++n) {
    const Node& x = a.nodes[n];
    const Node& y = b.nodes[n];
    std::string here = at + ".nodes[" + std::to_string(n) + "]";
    if (x.name != y.name || x.op_type != y.op_type || x.domain != y.domain) return here + " name/op_type/domain";
    if (x.inputs != y.inputs) return here + ".inputs";
    if (x.outputs != y.outputs) return here + ".outputs";
    if (x.attributes.size() != y.attributes.size()) return here + ".attributes count";
    for (const auto& [key, attr] : x.attributes) {
      auto it = y.attributes.find(key);
      if (it == y.attributes.end()) return here + ".attributes['" + key + "'] missing";
      std::string d = attribute_difference(attr, it->second, here + ".attributes['" + key + "']");
      if (!d.empty()) return d;
    }
  }
  std::string d = value_infos_difference(a.inputs, b.inputs, at + ".inputs");
  if (d.empty()) d = value_infos_difference(a.outputs, b.outputs, at + ".outputs");
  if (!d.empty()) return d;
  if (a.value_infos.size() != b.value_infos.size()) return at + ".value_infos count";
  for (const auto& [name, info] : a.value_infos) {
    auto it = b.value_infos.find(name);
    if (it == b.value_infos.end()) return at + ".value_infos['" + name + "'] missing";
    d = value_info_difference(info, it->second);
    if (!d.empty()) return at + ".value_infos." + d;
  }
  if (a.initializers.size() != b.initializers.size()) return at + ".initializers count";
  for (const auto& [name, tensor] : a.initializers) {
    auto it = b.initializers.find(name);
    if (it == b.initializers.end()) return at + ".initializers['" + name + "'] missing";
    d = tensor_difference(tensor, it->second);
    if (!d.empty()) return at + ".initializers['" + name + "'] " + d;
  }
  return "";
}

inline std::string model_difference(const Model& a, const Model& b) {
  if (a.ir_version != b.ir_version) return "ir_version";
  if (a.opsets != b.opsets) return "opsets";
  if (a.producer_name != b.producer_name || a.producer_version != b.producer_version) return "producer";
  if (a.metadata != b.metadata) return "metadata";
  return graph_difference(a.graph, b.graph, "graph");
}

}  // namespace wisp::test
