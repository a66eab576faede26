// Conv -> Add(residual) (ResNet's skip connections): the residual becomes the Conv's
// Wisp-only fourth input, which the Conv copies into its output block by block for the
// GEMM to accumulate onto (see core/ops/conv/conv.cpp). The Add's pass over three tensors
// goes away, and the Relu that usually follows can then fuse into the Conv too.
#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"
#include "core/ops/linalg/fused_activation.h"

namespace wisp::opt {

namespace {

// True when both values are known to have the same shape (equal fixed dims or equal symbols),
// so that the Add does not broadcast.
bool same_shape(const Graph& graph, const std::string& a, const std::string& b) {
  const ValueInfo* x = known_info(graph, a);
  const ValueInfo* y = known_info(graph, b);
  if (!x || !y || !x->has_shape || !y->has_shape || x->shape.size() != y->shape.size()) return false;
  for (size_t i = 0; i < x->shape.size(); ++i) {
    const Dim &p = x->shape[i], &q = y->shape[i];
    const bool equal = (p.is_fixed() && q.is_fixed() && p.value == q.value) ||
                       (!p.is_fixed() && !q.is_fixed() && !p.symbol.empty() && p.symbol == q.symbol);
    if (!equal) return false;
  }
  return true;
}

}  // namespace

int fuse_residual(Graph& graph) {
  GraphIndex index(graph);
  std::vector<bool> dead(graph.nodes.size(), false), touched(graph.nodes.size(), false);
  int count = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& add = graph.nodes[i];
    if (touched[i] || !is_op(add, "Add") || add.inputs.size() != 2 || add.outputs.size() != 1) continue;
    for (int side = 0; side < 2; ++side) {
      const std::string& y = add.inputs[size_t(side)];
      const std::string& z = add.inputs[size_t(1 - side)];
      const size_t* p = index.sole_producer(y);
      if (!p || touched[*p] || z == y || constant(graph, z)) continue;
      Node& conv = graph.nodes[*p];
      if (!is_op(conv, "Conv") || conv.outputs.size() != 1 || conv.inputs.size() < 2 || conv.inputs.size() > 3 ||
          conv.has_attr(linalg::kActivationAttr) || !same_shape(graph, y, z)) {
        continue;
      }
      conv.inputs.resize(4);  // keeps an absent bias as ""
      conv.inputs[3] = z;
      conv.outputs[0] = add.outputs[0];
      dead[i] = touched[i] = touched[*p] = true;
      ++count;
      break;
    }
  }
  if (count) erase_dead(graph, dead);
  return count;
}

}  // namespace wisp::opt
