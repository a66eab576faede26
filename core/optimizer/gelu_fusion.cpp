// GELU as exported from its definition, 0.5 * x * (1 + erf(x / sqrt(2))): six nodes that each
// read and write the whole tensor become one com.microsoft.Gelu. The pattern is matched from
// the Erf outwards; the three usual placements of the 0.5 factor are accepted, and
// x / sqrt(2) may also be x * (1 / sqrt(2)).
#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"

namespace wisp::opt {

namespace {

constexpr double kSqrt2 = 1.4142135623730951, kSqrtHalf = 0.7071067811865476;

struct Match {
  std::string x;
  std::vector<size_t> removed;  // nodes replaced by the Gelu
  size_t last = 0;              // the node whose output the Gelu writes
};

bool match(const Graph& graph, const GraphIndex& index, size_t erf_index, Match& m) {
  const Node& erf = graph.nodes[erf_index];
  if (!is_op(erf, "Erf") || erf.inputs.size() != 1 || erf.outputs.size() != 1) return false;
  // x / sqrt(2) or x * (1 / sqrt(2))
  const size_t* scale_index = index.sole_producer(erf.inputs[0]);
  if (!scale_index) return false;
  const Node& scale = graph.nodes[*scale_index];
  if (is_op(scale, "Div") && scale.inputs.size() == 2 && is_float_constant(graph, scale.inputs[1], kSqrt2, 1e-4)) {
    m.x = scale.inputs[0];
  } else if (is_op(scale, "Mul") && scale.inputs.size() == 2) {
    for (int i = 0; i < 2; ++i) {
      if (is_float_constant(graph, scale.inputs[size_t(i)], kSqrtHalf, 1e-4)) m.x = scale.inputs[size_t(1 - i)];
    }
  }
  if (m.x.empty() || constant(graph, m.x)) return false;
  // 1 + erf
  const size_t* add_index = index.sole_consumer(erf.outputs[0]);
  if (!add_index || !is_op(graph.nodes[*add_index], "Add")) return false;
  const Node& add = graph.nodes[*add_index];
  if (!is_float_constant(graph, other_input(add, erf.outputs[0]), 1.0) || add.outputs.size() != 1) return false;
  // The two multiplications by x and by 0.5, in any of the usual orders.
  const size_t* m1_index = index.sole_consumer(add.outputs[0]);
  if (!m1_index || !is_op(graph.nodes[*m1_index], "Mul")) return false;
  const Node& m1 = graph.nodes[*m1_index];
  const std::string other = other_input(m1, add.outputs[0]);
  if (other.empty() || m1.outputs.size() != 1) return false;
  m.removed = {*scale_index, erf_index, *add_index};
  if (other == m.x || is_float_constant(graph, other, 0.5)) {
    // (x * (1 + erf)) * 0.5  or  (0.5 * (1 + erf)) * x
    const size_t* m2_index = index.sole_consumer(m1.outputs[0]);
    if (!m2_index || !is_op(graph.nodes[*m2_index], "Mul")) return false;
    const std::string last = other_input(graph.nodes[*m2_index], m1.outputs[0]);
    const bool ok = other == m.x ? is_float_constant(graph, last, 0.5) : last == m.x;
    if (!ok) return false;
    m.removed.push_back(*m1_index);
    m.last = *m2_index;
    return true;
  }
  // (x * 0.5) * (1 + erf)
  const size_t* half_index = index.sole_producer(other);
  if (!half_index || !is_op(graph.nodes[*half_index], "Mul")) return false;
  if (!is_float_constant(graph, other_input(graph.nodes[*half_index], m.x), 0.5)) return false;
  m.removed.push_back(*half_index);
  m.last = *m1_index;
  return true;
}

}  // namespace

int fuse_gelu(Model& model) {
  Graph& graph = model.graph;
  GraphIndex index(graph);
  std::vector<bool> dead(graph.nodes.size(), false), touched(graph.nodes.size(), false);
  int count = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Match m;
    if (touched[i] || !match(graph, index, i, m)) continue;
    bool free = !touched[m.last];
    for (size_t r : m.removed) free &= !touched[r];
    if (!free) continue;
    for (size_t r : m.removed) dead[r] = touched[r] = true;
    touched[m.last] = true;
    Node& gelu = graph.nodes[m.last];
    gelu.op_type = "Gelu";
    gelu.domain = "com.microsoft";
    gelu.inputs = {m.x};
    gelu.attributes.clear();
    ++count;
  }
  if (count) {
    erase_dead(graph, dead);
    import_domain(model, "com.microsoft");
  }
  return count;
}

}  // namespace wisp::opt
