// HardSwish as Paddle and some PyTorch exports write it, x * Clip(x + 3, 0, 6) / 6 (the
// division may also be a multiplication by 1/6): four nodes become one HardSwish, which a
// following pass can fuse into the Conv producing x.
#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"

namespace wisp::opt {

namespace {

struct HardSwishMatch {
  std::string x;
  size_t add = 0, clip = 0, mul = 0;
};

bool match(const Graph& graph, const GraphIndex& index, int64_t opset, const Node& last, HardSwishMatch& m) {
  if (last.inputs.size() != 2 || last.outputs.size() != 1) return false;
  // ... / 6  or  ... * (1/6)
  std::string product;
  if (is_op(last, "Div") && is_float_constant(graph, last.inputs[1], 6.0)) {
    product = last.inputs[0];
  } else if (is_op(last, "Mul")) {
    for (int i = 0; i < 2; ++i) {
      if (is_float_constant(graph, last.inputs[size_t(i)], 1.0 / 6.0, 1e-6)) product = last.inputs[size_t(1 - i)];
    }
  }
  if (product.empty()) return false;
  const size_t* mul = index.sole_producer(product);
  if (!mul || !is_op(graph.nodes[*mul], "Mul") || graph.nodes[*mul].inputs.size() != 2) return false;
  // x * Clip(x + 3, 0, 6), either order
  for (int side = 0; side < 2; ++side) {
    const std::string& x = graph.nodes[*mul].inputs[size_t(side)];
    const size_t* clip = index.sole_producer(graph.nodes[*mul].inputs[size_t(1 - side)]);
    float lo = 0, hi = 0;
    if (!clip || !clip_bounds(graph, graph.nodes[*clip], opset, lo, hi) || lo != 0.0f || hi != 6.0f) continue;
    const size_t* add = index.sole_producer(graph.nodes[*clip].inputs[0]);
    if (!add || !is_op(graph.nodes[*add], "Add")) continue;
    if (!is_float_constant(graph, other_input(graph.nodes[*add], x), 3.0)) continue;
    m = {x, *add, *clip, *mul};
    return true;
  }
  return false;
}

}  // namespace

int fuse_hardswish(Model& model) {
  Graph& graph = model.graph;
  const int64_t opset = model.opset("");
  GraphIndex index(graph);
  std::vector<bool> dead(graph.nodes.size(), false), touched(graph.nodes.size(), false);
  int count = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    HardSwishMatch m;
    if (touched[i] || !match(graph, index, opset, graph.nodes[i], m)) continue;
    if (touched[m.add] || touched[m.clip] || touched[m.mul]) continue;
    dead[m.add] = dead[m.clip] = dead[m.mul] = true;
    touched[m.add] = touched[m.clip] = touched[m.mul] = touched[i] = true;
    Node& node = graph.nodes[i];
    node.op_type = "HardSwish";
    node.domain = "";
    node.inputs = {m.x};
    node.attributes.clear();
    ++count;
  }
  if (count) erase_dead(graph, dead);
  return count;
}

}  // namespace wisp::opt
