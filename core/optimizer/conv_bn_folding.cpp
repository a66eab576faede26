// BatchNormalization in inference mode is y = s * (x - mean) + b with s = scale / sqrt(var + eps)
// per channel. After a Conv with weights W and bias c, that equals a Conv with weights
// W[o] * s[o] and bias (c[o] - mean[o]) * s[o] + b[o]: the BN node disappears.
#include <cmath>

#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"
#include "core/ops/linalg/fused_activation.h"

namespace wisp::opt {

namespace {

// A constant float32 vector of `n` values, or nullptr.
const float* channel_vector(const Graph& graph, const Node& node, size_t input, int64_t n) {
  if (input >= node.inputs.size()) return nullptr;
  const Tensor* t = constant(graph, node.inputs[input]);
  if (!t || t->dtype() != DType::Float32 || t->rank() != 1 || t->dim(0) != n) return nullptr;
  return t->data<float>();
}

bool try_fold(Graph& graph, const GraphIndex& index, size_t bn_index, std::vector<bool>& touched) {
  Node& bn = graph.nodes[bn_index];
  if (!is_op(bn, "BatchNormalization") || bn.inputs.size() != 5 || bn.outputs.empty()) return false;
  // Inference mode only: training outputs (running mean / var) must be absent.
  for (size_t o = 1; o < bn.outputs.size(); ++o) {
    if (!bn.outputs[o].empty()) return false;
  }
  Result<int64_t> training = bn.attr_int("training_mode", 0);
  Result<int64_t> spatial = bn.attr_int("spatial", 1);
  Result<float> epsilon = bn.attr_float("epsilon", 1e-5f);
  if (!training || *training != 0 || !spatial || *spatial != 1 || !epsilon) return false;

  const size_t* conv_index = index.sole_producer(bn.inputs[0]);
  if (!conv_index || touched[*conv_index]) return false;
  Node& conv = graph.nodes[*conv_index];
  if (!is_op(conv, "Conv") || conv.outputs.size() != 1 || conv.inputs.size() < 2 || conv.inputs.size() > 3 ||
      conv.has_attr(linalg::kActivationAttr)) {
    return false;
  }
  const Tensor* w = constant(graph, conv.inputs[1]);
  if (!w || w->dtype() != DType::Float32 || w->rank() < 3) return false;
  const int64_t cout = w->dim(0);
  const bool has_bias = conv.inputs.size() > 2 && !conv.inputs[2].empty();
  const float* old_bias = has_bias ? channel_vector(graph, conv, 2, cout) : nullptr;
  if (has_bias && !old_bias) return false;
  const float* scale = channel_vector(graph, bn, 1, cout);
  const float* shift = channel_vector(graph, bn, 2, cout);
  const float* mean = channel_vector(graph, bn, 3, cout);
  const float* var = channel_vector(graph, bn, 4, cout);
  if (!scale || !shift || !mean || !var) return false;

  Result<Tensor> new_w = Tensor::empty(DType::Float32, w->shape());
  Result<Tensor> new_b = Tensor::empty(DType::Float32, {cout});
  if (!new_w || !new_b) return false;
  const int64_t per_channel = cout ? w->numel() / cout : 0;
  for (int64_t o = 0; o < cout; ++o) {
    // In double: the folded constants should round once, not accumulate float error.
    const double s = double(scale[o]) / std::sqrt(double(var[o]) + double(*epsilon));
    const float* src = w->data<float>() + o * per_channel;
    float* dst = new_w->data<float>() + o * per_channel;
    for (int64_t i = 0; i < per_channel; ++i) dst[i] = float(double(src[i]) * s);
    new_b->data<float>()[o] = float((double(old_bias ? old_bias[o] : 0.0f) - double(mean[o])) * s + double(shift[o]));
  }
  const std::string w_name = fresh_name(graph, conv.inputs[1] + "_bn");
  graph.initializers[w_name] = std::move(*new_w);
  const std::string b_name = fresh_name(graph, bn.outputs[0] + "_bias");
  graph.initializers[b_name] = std::move(*new_b);
  conv.inputs.resize(3);
  conv.inputs[1] = w_name;
  conv.inputs[2] = b_name;
  conv.outputs[0] = bn.outputs[0];
  touched[*conv_index] = touched[bn_index] = true;
  return true;
}

}  // namespace

int fold_conv_batchnorm(Graph& graph) { return fold_nodes(graph, try_fold); }

}  // namespace wisp::opt
