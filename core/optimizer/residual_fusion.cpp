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

// A computed operand `z` of the Conv output's shape becomes the Conv's residual input.
bool fold_residual(Graph& graph, Node& conv, const std::string& y, const std::string& z) {
  if (constant(graph, z) || !is_op(conv, "Conv") || conv.inputs.size() < 2 || conv.inputs.size() > 3 ||
      !same_shape(graph, y, z)) {
    return false;
  }
  conv.inputs.resize(4);  // keeps an absent bias as ""
  conv.inputs[3] = z;
  return true;
}

}  // namespace

int fuse_residual(Graph& graph) {
  return fold_nodes(graph, [](Graph& g, const GraphIndex& index, size_t i, std::vector<bool>& touched) {
    return fold_add_into_producer(g, index, i, touched, fold_residual);
  });
}

}  // namespace wisp::opt
