#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"

namespace wisp::opt {

int eliminate_dead_nodes(Graph& graph) {
  Result<std::vector<size_t>> order = topological_order(graph);
  if (!order) return 0;  // malformed graph: Plan::compile reports it
  GraphIndex index(graph);
  std::map<std::string, int> uses = index.uses;
  std::vector<bool> dead(graph.nodes.size(), false);
  bool any = false;
  // Consumers before producers, so removing a node can orphan its producers in the same sweep.
  for (auto it = order->rbegin(); it != order->rend(); ++it) {
    const Node& node = graph.nodes[*it];
    bool read = false;
    for (const std::string& out : node.outputs) read |= !out.empty() && uses[out] > 0;
    if (read) continue;
    dead[*it] = any = true;
    for (const std::string& in : node.inputs) {
      if (!in.empty()) uses[in] -= 1;
    }
  }
  return any ? erase_dead(graph, dead) : 0;
}

}  // namespace wisp::opt
