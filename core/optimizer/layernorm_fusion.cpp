// Layer normalisation as exported from its definition,
//   d = x - ReduceMean(x);  y = d / Sqrt(ReduceMean(d ^ 2) + eps) * gamma + beta
// (nine nodes, each a pass over the tensor) becomes one LayerNormalization over the last axis.
// d ^ 2 may be Pow(d, 2) or Mul(d, d); the final Add of beta is optional.
#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"

namespace wisp::opt {

namespace {

// The single axis a keepdims ReduceMean reduces (attribute before opset 18, constant input
// from 18), normalised against `rank` when that is known; false when it is not one axis.
bool reduced_axis(const Graph& graph, const Node& node, int64_t rank, int64_t& axis) {
  if (!is_op(node, "ReduceMean") || node.inputs.empty() || node.outputs.size() != 1) return false;
  Result<int64_t> keepdims = node.attr_int("keepdims", 1);
  if (!keepdims || *keepdims != 1) return false;
  std::vector<int64_t> axes;
  if (node.inputs.size() > 1 && !node.inputs[1].empty()) {
    const Tensor* t = constant(graph, node.inputs[1]);
    if (!t || t->dtype() != DType::Int64) return false;
    for (int64_t i = 0; i < t->numel(); ++i) axes.push_back(t->data<int64_t>()[i]);
  } else {
    Result<std::vector<int64_t>> a = node.attr_ints("axes", {});
    if (!a) return false;
    axes = *a;
  }
  if (axes.size() != 1) return false;
  axis = axes[0];
  if (axis >= 0 && rank >= 0) axis -= rank;
  return axis == -1;
}

// A constant float32 vector usable as LayerNormalization's Scale / B: rank 1, matching the
// last dim of x when that is known.
bool is_param(const Graph& graph, const std::string& name, int64_t last_dim) {
  const Tensor* t = constant(graph, name);
  if (!t || t->dtype() != DType::Float32 || t->rank() != 1) return false;
  return last_dim < 0 ? t->dim(0) > 1 : t->dim(0) == last_dim;
}

const Node* sole_consumer_node(const Graph& graph, const GraphIndex& index, const std::string& name, size_t* at) {
  const size_t* i = index.sole_consumer(name);
  if (!i) return nullptr;
  *at = *i;
  return &graph.nodes[*i];
}

}  // namespace

int fuse_layernorm(Model& model) {
  Graph& graph = model.graph;
  GraphIndex index(graph);
  std::vector<bool> dead(graph.nodes.size(), false), touched(graph.nodes.size(), false);
  int count = 0;
  for (size_t i0 = 0; i0 < graph.nodes.size(); ++i0) {
    const Node& mean1 = graph.nodes[i0];
    if (touched[i0] || !is_op(mean1, "ReduceMean") || mean1.inputs.empty()) continue;
    const std::string x = mean1.inputs[0];
    const int64_t rank = known_rank(graph, x);
    int64_t axis = 0;
    if (!reduced_axis(graph, mean1, rank, axis) || known_dtype(graph, x) != DType::Float32) continue;
    const ValueInfo* info = known_info(graph, x);
    const int64_t last_dim =
        info && info->has_shape && !info->shape.empty() && info->shape.back().is_fixed() ? info->shape.back().value : -1;
    size_t i_sub = 0, i_sq = 0, i_mean2 = 0, i_add = 0, i_sqrt = 0, i_div = 0, i_mul = 0, i_bias = 0;
    // d = x - mean
    const Node* sub = sole_consumer_node(graph, index, mean1.outputs[0], &i_sub);
    if (!sub || !is_op(*sub, "Sub") || sub->inputs.size() != 2 || sub->inputs[0] != x || sub->outputs.size() != 1) continue;
    const std::string d = sub->outputs[0];
    // d is read twice: by the square and by the Div (Mul(d, d) reads it in both slots).
    auto readers = index.consumers.find(d);
    if (readers == index.consumers.end() || index.use_count(d) != int(readers->second.size())) continue;
    std::vector<size_t> r = readers->second;
    const Node* div = nullptr;
    const Node* square = nullptr;
    for (size_t k : r) {
      const Node& n = graph.nodes[k];
      if (is_op(n, "Div") && n.inputs.size() == 2 && n.inputs[0] == d) div = &n, i_div = k;
      else if ((is_op(n, "Pow") && n.inputs.size() == 2 && n.inputs[0] == d && is_float_constant(graph, n.inputs[1], 2.0)) ||
               (is_op(n, "Mul") && n.inputs.size() == 2 && n.inputs[0] == d && n.inputs[1] == d))
        square = &n, i_sq = k;
    }
    const size_t expected_reads = square && is_op(*square, "Mul") ? 3 : 2;
    if (!div || !square || r.size() != expected_reads) continue;
    // var = ReduceMean(d^2) over the same axis; Sqrt(var + eps)
    const Node* mean2 = sole_consumer_node(graph, index, square->outputs[0], &i_mean2);
    int64_t axis2 = 0;
    if (!mean2 || !reduced_axis(graph, *mean2, rank, axis2) || mean2->inputs[0] != square->outputs[0]) continue;
    const Node* add = sole_consumer_node(graph, index, mean2->outputs[0], &i_add);
    double eps = 0;
    if (!add || !is_op(*add, "Add") || !constant_scalar(graph, other_input(*add, mean2->outputs[0]), eps)) continue;
    const Node* sqrt = sole_consumer_node(graph, index, add->outputs[0], &i_sqrt);
    if (!sqrt || !is_op(*sqrt, "Sqrt") || div->inputs[1] != sqrt->outputs[0] || index.use_count(sqrt->outputs[0]) != 1) continue;
    // * gamma (+ beta)
    const Node* mul = sole_consumer_node(graph, index, div->outputs[0], &i_mul);
    if (!mul || !is_op(*mul, "Mul")) continue;
    const std::string gamma = other_input(*mul, div->outputs[0]);
    if (!is_param(graph, gamma, last_dim)) continue;
    std::string beta;
    size_t last = i_mul;
    const Node* bias = sole_consumer_node(graph, index, mul->outputs[0], &i_bias);
    if (bias && is_op(*bias, "Add")) {
      const std::string b = other_input(*bias, mul->outputs[0]);
      if (is_param(graph, b, last_dim) && constant(graph, gamma)->dim(0) == constant(graph, b)->dim(0)) {
        beta = b;
        last = i_bias;
      }
    }
    std::vector<size_t> removed = {i0, i_sub, i_sq, i_mean2, i_add, i_sqrt, i_div};
    if (last != i_mul) removed.push_back(i_mul);
    bool free = !touched[last];
    for (size_t k : removed) free &= !touched[k];
    if (!free) continue;
    for (size_t k : removed) dead[k] = touched[k] = true;
    touched[last] = true;
    Node& ln = graph.nodes[last];
    ln.op_type = "LayerNormalization";
    ln.domain = "";
    ln.inputs = {x, gamma};
    if (!beta.empty()) ln.inputs.push_back(beta);
    ln.attributes.clear();
    ln.attributes["axis"] = int_attr(-1);
    ln.attributes["epsilon"] = float_attr(float(eps));
    ++count;
  }
  if (count) erase_dead(graph, dead);
  return count;
}

}  // namespace wisp::opt
