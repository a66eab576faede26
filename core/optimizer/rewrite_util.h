// Helpers shared by the fusion passes: who produces and who reads each value, what is known
// about a value (constant, rank, dtype), and building attributes.
//
// Every pass works the same way: build a GraphIndex, find matches, rewrite the matched
// nodes in place and mark the ones that became redundant in `dead`, then erase_dead().
// A node may take part in one rewrite per scan (tracked with `touched`), so the index stays
// valid for the whole scan; passes rescan until nothing matches.
#pragma once

#include <functional>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/graph/graph.h"

namespace wisp::opt {

struct GraphIndex {
  explicit GraphIndex(const Graph& graph);

  std::map<std::string, size_t> producer;                // value -> index of the node writing it
  std::map<std::string, std::vector<size_t>> consumers;  // value -> nodes reading it (once per input slot)
  std::map<std::string, int> uses;                       // reads, + graph outputs, + subgraph captures

  int use_count(const std::string& name) const;
  // The node producing `name` when `name` is read by exactly one input slot (and is neither a
  // graph output nor captured), so the producer can be merged into its reader; else nullptr.
  const size_t* sole_producer(const std::string& name) const;
  // The single node reading `name` (read once, not a graph output, not captured).
  const size_t* sole_consumer(const std::string& name) const;
};

bool is_default_domain(const Node& node);
bool is_op(const Node& node, const char* op_type, const char* domain = "");

// The initializer named `name`, or nullptr.
const Tensor* constant(const Graph& graph, const std::string& name);
// True with `value` set when `name` is a constant float32/float64 tensor of one element.
bool constant_scalar(const Graph& graph, const std::string& name, double& value);
// Rank / dtype from initializers, graph inputs and value_infos; -1 / Undefined when unknown.
int64_t known_rank(const Graph& graph, const std::string& name);
DType known_dtype(const Graph& graph, const std::string& name);
// The declared or inferred shape of `name`, when known.
const ValueInfo* known_info(const Graph& graph, const std::string& name);

// A value name not yet used in the graph, derived from `base`.
std::string fresh_name(const Graph& graph, const std::string& base);

Attribute int_attr(int64_t v);
Attribute float_attr(float v);
Attribute string_attr(const std::string& v);
Attribute floats_attr(std::vector<float> v);
Attribute ints_attr(std::vector<int64_t> v);

// Removes the nodes flagged in `dead` (same length as graph.nodes); returns how many.
int erase_dead(Graph& graph, const std::vector<bool>& dead);

// Drives a pass that folds node i into another node: `fold(graph, index, i, touched)` rewrites
// the other node in place, marks both in `touched` (so neither is rewritten twice in one
// sweep) and returns true; node i is then erased. Returns how many nodes were folded away.
// (A std::function, so that a pass can give a lambda that captures, e.g., the model's opset.)
using FoldIntoNeighbour = std::function<bool(Graph&, const GraphIndex&, size_t, std::vector<bool>& touched)>;
int fold_nodes(Graph& graph, const FoldIntoNeighbour& fold);

// For passes that fold a two-input Add into the node producing one of its operands: tries
// each side of Add node `add_index` whose operand `produced` has a sole, untouched producer
// with one output and no fused activation; `fold(graph, producer, produced, other)` rewrites
// the producer to add `other` itself. On success the producer takes over the Add's output.
using FoldAddOperand = bool (*)(Graph&, Node& producer, const std::string& produced, const std::string& other);
bool fold_add_into_producer(Graph& graph, const GraphIndex& index, size_t add_index, std::vector<bool>& touched,
                            FoldAddOperand fold);

}  // namespace wisp::opt

namespace wisp::opt {

// For a two-input node reading `known` in one slot: the name in the other slot, or "".
std::string other_input(const Node& node, const std::string& known);
// True when `name` is a one-element float32 constant within `tolerance` of `expected`.
bool is_float_constant(const Graph& graph, const std::string& name, double expected, double tolerance = 1e-6);
// Declares `domain` (at version 1) when the model does not import it yet, so that a node a
// pass created in it is also valid once the model is saved.
void import_domain(Model& model, const std::string& domain);
// Clip's bounds (attributes before opset 11, optional constant float32 inputs from 11 on;
// absent bounds are infinite). False when they are not constant or min > max (the spec then
// makes every value max, which no rewrite reproduces).
bool clip_bounds(const Graph& graph, const Node& clip, int64_t opset, float& lo, float& hi);

}  // namespace wisp::opt
