#include "core/optimizer/optimizer.h"

#include <unordered_set>

namespace wisp {

namespace {

// Turns Constant nodes into initializers so they cost nothing at run time and later passes
// (and kernels prepacking weights) see them as constants.
void hoist_constants(Graph& graph) {
  std::vector<Node> kept;
  for (Node& node : graph.nodes) {
    const Attribute* value = node.attr("value");
    if (node.op_type == "Constant" && node.domain.empty() && value && value->kind == Attribute::Kind::Tensor &&
        node.outputs.size() == 1) {
      graph.initializers[node.outputs[0]] = value->t;
      continue;
    }
    kept.push_back(std::move(node));
  }
  graph.nodes = std::move(kept);
}

}  // namespace

Status optimize_model(Model& model) {
  hoist_constants(model.graph);
  return Status::ok();
}

}  // namespace wisp
