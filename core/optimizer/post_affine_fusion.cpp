// A scalar multiply / add right after an op with a fused activation (Paddle exports put a
// learnable scale and bias after each activation) joins the activation as its post affine:
// y = act(x) * scale + shift, attribute wisp_activation_post (see
// core/ops/linalg/fused_activation.h). The values stay in cache, and two full passes over
// the tensor go away.
#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"
#include "core/ops/linalg/fused_activation.h"

namespace wisp::opt {

namespace {

bool try_fuse(Graph& graph, const GraphIndex& index, size_t i, std::vector<bool>& touched) {
  const Node& node = graph.nodes[i];
  const bool mul = is_op(node, "Mul"), add = is_op(node, "Add"), sub = is_op(node, "Sub"), div = is_op(node, "Div");
  if (!(mul || add || sub || div) || node.inputs.size() != 2 || node.outputs.size() != 1) return false;
  for (int side = 0; side < 2; ++side) {
    // Sub and Div only with the constant on the right (y - c, y / c).
    if ((sub || div) && side == 1) break;
    const Tensor* c = constant(graph, node.inputs[size_t(1 - side)]);
    const size_t* p = index.sole_producer(node.inputs[size_t(side)]);
    if (!c || c->dtype() != DType::Float32 || c->numel() != 1 || !p || touched[*p]) continue;
    Node& producer = graph.nodes[*p];
    if (!producer.has_attr(linalg::kActivationAttr) || producer.outputs.size() != 1) continue;
    // The scalar must not widen the output: a rank above the output's would broadcast it.
    const int64_t out_rank = known_rank(graph, producer.outputs[0]);
    if (c->rank() > 0 && (out_rank < 0 || c->rank() > out_rank)) continue;
    Result<std::vector<float>> post = producer.attr_floats(linalg::kActivationPostAttr, {1.0f, 0.0f});
    if (!post || post->size() != 2) continue;
    const float v = c->data<float>()[0];
    float scale = (*post)[0], shift = (*post)[1];
    if (mul) {
      scale *= v;
      shift *= v;
    } else if (div) {
      if (v == 0.0f) continue;
      scale /= v;
      shift /= v;
    } else {
      shift += sub ? -v : v;
    }
    producer.attributes[linalg::kActivationPostAttr] = floats_attr({scale, shift});
    producer.outputs[0] = node.outputs[0];
    touched[*p] = touched[i] = true;
    return true;
  }
  return false;
}

}  // namespace

int fuse_post_affine(Graph& graph) { return fold_nodes(graph, try_fuse); }

}  // namespace wisp::opt
