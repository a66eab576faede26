// SiLU / Swish, x * Sigmoid(x), becomes one node: com.microsoft.QuickGelu computes
// x * sigmoid(alpha * x), which with alpha = 1 is exactly SiLU. Paddle exports Swish as
// x * Sigmoid(beta * x) with a scalar beta (usually 1), which is QuickGelu with alpha = beta.
// A following pass may fuse the result further into the Conv / MatMul producing x.
#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"

namespace wisp::opt {

namespace {

// For Sigmoid's input `s`: x and beta when `s` is x itself or x * beta (beta a float32 scalar
// constant, the product read only by the Sigmoid).
bool sigmoid_argument(const Graph& graph, const GraphIndex& index, const std::string& s, const std::string& x,
                      float& beta, const size_t*& scale_node) {
  scale_node = nullptr;
  beta = 1.0f;
  if (s == x) return true;
  const size_t* p = index.sole_producer(s);
  if (!p || !is_op(graph.nodes[*p], "Mul")) return false;
  const std::string c = other_input(graph.nodes[*p], x);
  const Tensor* t = c.empty() ? nullptr : constant(graph, c);
  if (!t || t->dtype() != DType::Float32 || t->numel() != 1 || t->rank() > 1) return false;
  beta = t->data<float>()[0];
  scale_node = p;
  return true;
}

}  // namespace

int fuse_silu(Model& model) {
  Graph& graph = model.graph;
  GraphIndex index(graph);
  std::vector<bool> dead(graph.nodes.size(), false), touched(graph.nodes.size(), false);
  int count = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& mul = graph.nodes[i];
    if (touched[i] || !is_op(mul, "Mul") || mul.inputs.size() != 2 || mul.outputs.size() != 1) continue;
    for (int side = 0; side < 2; ++side) {
      const std::string x = mul.inputs[size_t(side)];
      const size_t* sig_index = index.sole_producer(mul.inputs[size_t(1 - side)]);
      if (!sig_index || touched[*sig_index]) continue;
      const Node& sig = graph.nodes[*sig_index];
      if (!is_op(sig, "Sigmoid") || sig.inputs.size() != 1) continue;
      float beta = 1.0f;
      const size_t* scale = nullptr;
      if (!sigmoid_argument(graph, index, sig.inputs[0], x, beta, scale) || (scale && touched[*scale])) continue;
      // QuickGelu is a float kernel; Mul / Sigmoid of other types stay as they are.
      if (known_dtype(graph, x) != DType::Float32) continue;
      dead[*sig_index] = touched[*sig_index] = touched[i] = true;
      if (scale) dead[*scale] = touched[*scale] = true;
      mul.op_type = "QuickGelu";
      mul.domain = "com.microsoft";
      mul.inputs = {x};
      mul.attributes.clear();
      mul.attributes["alpha"] = float_attr(beta);
      ++count;
      break;
    }
  }
  if (count) {
    erase_dead(graph, dead);
    import_domain(model, "com.microsoft");
  }
  return count;
}

}  // namespace wisp::opt
