// Wisp's graph IR: what both loaders (.onnx, .wisp) produce and what the optimizer and the
// executor consume. Values are referred to by name, as in ONNX; the executor maps names
// to slots once when it compiles a plan.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/tensor/tensor.h"

namespace wisp {

struct Graph;

// One dimension of a declared shape: a fixed extent, or a symbolic name ("batch"), or unknown.
struct Dim {
  int64_t value = -1;  // >= 0 when fixed
  std::string symbol;  // non-empty when symbolic
  bool is_fixed() const { return value >= 0; }
};

// What kind of value a graph input/output holds. For sequences and optionals, dtype and shape
// describe the tensors inside.
enum class ValueKind : uint8_t { Tensor, Sequence, OptionalTensor, OptionalSequence };
const char* value_kind_name(ValueKind kind);  // "tensor", "sequence", "optional tensor", ...

// Declared type of a graph input/output or an intermediate value.
struct ValueInfo {
  std::string name;
  DType dtype = DType::Undefined;
  bool has_shape = false;  // false: rank unknown
  std::vector<Dim> shape;
  ValueKind kind = ValueKind::Tensor;
};

struct Attribute {
  enum class Kind { Float, Int, String, Tensor, Graph, Floats, Ints, Strings, Tensors, Graphs, Type };
  Kind kind = Kind::Int;
  float f = 0;
  int64_t i = 0;
  std::string s;
  wisp::Tensor t;
  std::shared_ptr<wisp::Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<wisp::Tensor> tensors;
  std::vector<std::shared_ptr<wisp::Graph>> graphs;
  ValueInfo type;  // Kind::Type (a TypeProto, e.g. Optional's element type); its name is unused
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;                // "" is the default ai.onnx domain
  std::vector<std::string> inputs;   // "" marks an omitted optional input
  std::vector<std::string> outputs;  // "" marks an omitted optional output
  std::map<std::string, Attribute> attributes;

  bool has_attr(const std::string& key) const { return attributes.count(key) != 0; }
  const Attribute* attr(const std::string& key) const;
  // Typed getters with defaults; the Result forms fail when the attribute has the wrong kind.
  Result<int64_t> attr_int(const std::string& key, int64_t fallback) const;
  Result<float> attr_float(const std::string& key, float fallback) const;
  Result<std::string> attr_string(const std::string& key, const std::string& fallback) const;
  Result<std::vector<int64_t>> attr_ints(const std::string& key, std::vector<int64_t> fallback = {}) const;
  Result<std::vector<float>> attr_floats(const std::string& key, std::vector<float> fallback = {}) const;
  Result<std::vector<std::string>> attr_strings(const std::string& key, std::vector<std::string> fallback = {}) const;
  // "node 'name' (OpType): " for error messages.
  std::string context() const;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<ValueInfo> inputs;   // excludes initializers
  std::vector<ValueInfo> outputs;
  std::map<std::string, Tensor> initializers;
  std::map<std::string, ValueInfo> value_infos;  // declared types of intermediates, if any
};

// A loaded model: the main graph plus metadata. `keepalive` holds the file bytes or
// mapping that initializers borrow from.
struct Model {
  int64_t ir_version = 0;
  std::map<std::string, int64_t> opsets;  // domain -> version ("" and "ai.onnx" both mean default)
  std::string producer_name;
  std::string producer_version;
  std::map<std::string, std::string> metadata;
  Graph graph;
  std::shared_ptr<const void> keepalive;

  int64_t opset(const std::string& domain) const;
};

// Node indices in an order where every node comes after the producers of its inputs.
// Values in `available` (graph inputs, initializers, outer-scope values) need no producer.
// Fails on a cycle, a value produced twice, or an input that nothing produces.
Result<std::vector<size_t>> topological_order(const Graph& graph,
                                              const std::vector<std::string>& outer_scope = {});

// Fails when the fixed dimensions of a declared shape (graph input/output, value_info) are
// negative or multiply to more than `max_elements`: no such value can ever be computed, and
// shape rules would otherwise do arithmetic on absurd extents.
Status check_declared_shape(const ValueInfo& info, int64_t max_elements);

// Names a subgraph reads from enclosing scopes (used by If/Loop/Scan), recursively.
std::vector<std::string> captured_values(const Graph& graph);

}  // namespace wisp
