#include "core/optimizer/optimizer.h"

#include <set>

#include "core/optimizer/constant_folding.h"

namespace wisp {

namespace {

// Turns Constant nodes into initializers so they cost nothing at run time and later passes
// (and kernels prepacking weights) see them as constants.
int hoist_constants(Graph& graph) {
  std::vector<Node> kept;
  int hoisted = 0;
  for (Node& node : graph.nodes) {
    const Attribute* value = node.attr("value");
    if (node.op_type == "Constant" && canonical_domain(node.domain).empty() && value &&
        value->kind == Attribute::Kind::Tensor && node.outputs.size() == 1) {
      graph.initializers[node.outputs[0]] = value->t;
      ++hoisted;
      continue;
    }
    kept.push_back(std::move(node));
  }
  graph.nodes = std::move(kept);
  return hoisted;
}

// Drops initializers nothing reads any more (e.g. the inputs of folded nodes), so their
// memory is released; names read from subgraphs count as read.
int remove_unused_initializers(Graph& graph) {
  std::set<std::string> used;
  for (const Node& node : graph.nodes) {
    used.insert(node.inputs.begin(), node.inputs.end());
    for (const auto& [_, attribute] : node.attributes) {
      std::vector<const Graph*> subgraphs;
      if (attribute.kind == Attribute::Kind::Graph && attribute.g) subgraphs.push_back(attribute.g.get());
      if (attribute.kind == Attribute::Kind::Graphs) {
        for (const auto& g : attribute.graphs) subgraphs.push_back(g.get());
      }
      for (const Graph* sub : subgraphs) {
        for (const std::string& name : captured_values(*sub)) used.insert(name);
      }
    }
  }
  for (const ValueInfo& output : graph.outputs) used.insert(output.name);
  int removed = 0;
  for (auto it = graph.initializers.begin(); it != graph.initializers.end();) {
    if (used.count(it->first)) {
      ++it;
    } else {
      it = graph.initializers.erase(it);
      ++removed;
    }
  }
  return removed;
}

}  // namespace

Result<OptimizeStats> optimize_model(Model& model, const OpRegistry& registry, const Limits& limits) {
  OptimizeStats stats;
  stats.constants_hoisted = hoist_constants(model.graph);
  WISP_ASSIGN_OR_RETURN(stats.nodes_folded, fold_constants(model, registry, limits));
  stats.initializers_removed = remove_unused_initializers(model.graph);
  return stats;
}

}  // namespace wisp
