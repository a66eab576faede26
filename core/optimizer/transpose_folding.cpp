// A GEMM reads either operand transposed for free (MatrixView::transposed), so a Transpose
// that only swaps the two dims of a matrix feeding Gemm is folded into transA / transB. A
// MatMul whose operands are both known to be 2-D is Gemm's case, so a transposed operand
// turns it into a Gemm. Transposes of constants are already gone (constant folding); the
// Transpose node left without readers is removed by dead-node elimination.
#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"

namespace wisp::opt {

namespace {

// The input of a Transpose of a matrix producing `name`, or "" when `name` is not one.
std::string transposed_source(const Graph& graph, const GraphIndex& index, const std::string& name) {
  auto it = index.producer.find(name);
  if (it == index.producer.end()) return "";
  const Node& t = graph.nodes[it->second];
  if (!is_op(t, "Transpose") || t.inputs.size() != 1 || t.outputs.size() != 1) return "";
  const int64_t rank = known_rank(graph, t.inputs[0]);
  Result<std::vector<int64_t>> perm = t.attr_ints("perm", {});
  if (!perm) return "";
  // No perm reverses the dims: a swap for a matrix.
  const bool swap = perm->empty() ? rank == 2 : (*perm == std::vector<int64_t>{1, 0});
  return swap ? t.inputs[0] : "";
}

bool toggle(Node& node, const char* key) {
  Result<int64_t> v = node.attr_int(key, 0);
  if (!v) return false;
  node.attributes[key] = int_attr(*v ? 0 : 1);
  return true;
}

}  // namespace

int fold_transposes(Graph& graph) {
  GraphIndex index(graph);
  int count = 0;
  for (Node& node : graph.nodes) {
    const bool gemm = is_op(node, "Gemm"), matmul = is_op(node, "MatMul");
    if ((!gemm && !matmul) || node.inputs.size() < 2) continue;
    std::string sources[2] = {transposed_source(graph, index, node.inputs[0]),
                              transposed_source(graph, index, node.inputs[1])};
    if (sources[0].empty() && sources[1].empty()) continue;
    if (matmul) {
      // Only a product of two matrices is a Gemm (no batch dims, no 1-D promotion), and
      // only float32 takes the fast path that makes this worthwhile.
      bool matrices = true;
      for (int i = 0; i < 2; ++i) matrices &= !sources[i].empty() || known_rank(graph, node.inputs[i]) == 2;
      if (!matrices || node.inputs.size() > 2 || known_dtype(graph, node.inputs[0]) != DType::Float32) continue;
      node.op_type = "Gemm";
    }
    for (int i = 0; i < 2; ++i) {
      if (sources[i].empty()) continue;
      if (!toggle(node, i == 0 ? "transA" : "transB")) continue;
      node.inputs[size_t(i)] = sources[i];
      ++count;
    }
  }
  return count;
}

}  // namespace wisp::opt
