// Conv followed by a multiplication (or division) by a constant with one value per output
// channel, or a single value: the factor moves into the weights and the bias, as
// conv(x, W * s) + b * s = (conv(x, W) + b) * s. Paddle exports write the affine part of
// their layers (scale, then bias) this way after every Conv; the Add that usually follows is
// merged into the bias by bias_fusion.cpp.
#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"
#include "core/ops/linalg/fused_activation.h"

namespace wisp::opt {

namespace {

// The per-output-channel factor of `c` for a Conv with weights `w`, or false.
bool channel_factors(const Tensor& w, const Tensor& c, bool divide, std::vector<float>& factors) {
  const int64_t cout = w.dim(0), spatial = w.rank() - 2;
  if (c.dtype() != DType::Float32 || c.rank() > w.rank()) return false;
  bool per_channel = c.numel() == cout && c.rank() >= spatial + 1;
  for (int64_t i = 0; per_channel && i < c.rank(); ++i) {
    per_channel = i == c.rank() - spatial - 1 || c.dim(i) == 1;
  }
  if (!per_channel && c.numel() != 1) return false;
  factors.resize(size_t(cout));
  for (int64_t o = 0; o < cout; ++o) {
    const float v = c.data<float>()[per_channel ? o : 0];
    if (divide && v == 0.0f) return false;  // keep x / 0 (inf / NaN) as the model computes it
    factors[size_t(o)] = divide ? 1.0f / v : v;
  }
  return true;
}

bool try_fold_scale(Graph& graph, const GraphIndex& index, size_t mul_index, std::vector<bool>& touched) {
  const Node& mul = graph.nodes[mul_index];
  const bool divide = is_op(mul, "Div");
  if (!(divide || is_op(mul, "Mul")) || mul.inputs.size() != 2 || mul.outputs.size() != 1) return false;
  for (int side = 0; side < 2; ++side) {
    if (divide && side == 1) break;  // c / conv is not a scaling
    const std::string& y = mul.inputs[size_t(side)];
    const Tensor* c = constant(graph, mul.inputs[size_t(1 - side)]);
    const size_t* p = index.sole_producer(y);
    if (!c || !p || touched[*p]) continue;
    Node& conv = graph.nodes[*p];
    if (!is_op(conv, "Conv") || conv.outputs.size() != 1 || conv.inputs.size() < 2 || conv.inputs.size() > 3 ||
        conv.has_attr(linalg::kActivationAttr)) {
      continue;
    }
    const Tensor* w = constant(graph, conv.inputs[1]);
    if (!w || w->dtype() != DType::Float32 || w->rank() < 3) continue;
    const int64_t cout = w->dim(0);
    const bool has_bias = conv.inputs.size() > 2 && !conv.inputs[2].empty();
    const Tensor* bias = has_bias ? constant(graph, conv.inputs[2]) : nullptr;
    if (has_bias && (!bias || bias->dtype() != DType::Float32 || bias->numel() != cout)) continue;
    std::vector<float> factors;
    if (!channel_factors(*w, *c, divide, factors)) continue;

    Result<Tensor> new_w = Tensor::empty(DType::Float32, w->shape());
    Result<Tensor> new_b = Tensor::empty(DType::Float32, {cout});
    if (!new_w || !new_b) continue;
    const int64_t per_channel = cout ? w->numel() / cout : 0;
    for (int64_t o = 0; o < cout; ++o) {
      for (int64_t i = 0; i < per_channel; ++i) {
        new_w->data<float>()[o * per_channel + i] = w->data<float>()[o * per_channel + i] * factors[size_t(o)];
      }
    }
    const std::string w_name = fresh_name(graph, conv.inputs[1] + "_scaled");
    graph.initializers[w_name] = std::move(*new_w);
    conv.inputs[1] = w_name;
    if (bias) {
      for (int64_t o = 0; o < cout; ++o) new_b->data<float>()[o] = bias->data<float>()[o] * factors[size_t(o)];
      const std::string b_name = fresh_name(graph, conv.inputs[2] + "_scaled");
      graph.initializers[b_name] = std::move(*new_b);
      conv.inputs[2] = b_name;
    }
    conv.outputs[0] = mul.outputs[0];
    touched[*p] = touched[mul_index] = true;
    return true;
  }
  return false;
}

}  // namespace

int fold_conv_scale(Graph& graph) { return fold_nodes(graph, try_fold_scale); }

}  // namespace wisp::opt
