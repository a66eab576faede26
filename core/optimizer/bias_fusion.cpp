// A bias added after a GEMM-based op costs a full pass over its output; the GEMM epilogue
// adds it for free while the output tile is in registers.
//  - Conv -> Add(constant with one value per output channel, or one value): merged into the
//    Conv's bias input.
//  - MatMul (float32) -> Add(constant 1-D of N): the bias becomes the MatMul's Wisp-only third
//    input (see core/ops/linalg/matmul.cpp). Batched MatMuls keep their semantics: the bias
//    is added to every row of every product, as the broadcast Add did.
//  - Gemm without C -> Add(constant [N] or [1, N]): the bias becomes C (beta 1).
#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"
#include "core/ops/linalg/fused_activation.h"

namespace wisp::opt {

namespace {

// The number of trailing values of `t` after leading 1s; true when every dim but the one at
// `axis_from_end` (1 = last) is 1.
bool only_dim(const Tensor& t, int64_t axis_from_end) {
  for (int64_t i = 0; i < t.rank(); ++i) {
    if (i != t.rank() - axis_from_end && t.dim(i) != 1) return false;
  }
  return true;
}

bool fuse_conv(Graph& graph, Node& conv, const Tensor& c) {
  if (conv.inputs.size() > 3) return false;  // has a residual input (residual_fusion.cpp)
  const Tensor* w = conv.inputs.size() > 1 ? constant(graph, conv.inputs[1]) : nullptr;
  if (!w || w->dtype() != DType::Float32 || w->rank() < 3) return false;
  const int64_t cout = w->dim(0), spatial = w->rank() - 2;
  // [Cout, 1, ...] with one 1 per spatial dim (or fewer leading dims), or a single value;
  // either way no wider than the Conv output, so the Add does not broadcast it.
  const bool per_channel = c.numel() == cout && c.rank() >= spatial + 1 && c.rank() <= w->rank() &&
                           only_dim(c, spatial + 1);
  if (!(per_channel || (c.numel() == 1 && c.rank() <= w->rank()))) return false;
  const Tensor* old_bias = conv.inputs.size() > 2 && !conv.inputs[2].empty() ? constant(graph, conv.inputs[2]) : nullptr;
  if (conv.inputs.size() > 2 && !conv.inputs[2].empty() &&
      (!old_bias || old_bias->dtype() != DType::Float32 || old_bias->numel() != cout)) {
    return false;
  }
  Result<Tensor> bias = Tensor::empty(DType::Float32, {cout});
  if (!bias) return false;
  for (int64_t o = 0; o < cout; ++o) {
    bias->data<float>()[o] = (old_bias ? old_bias->data<float>()[o] : 0.0f) + c.data<float>()[per_channel ? o : 0];
  }
  const std::string name = fresh_name(graph, conv.outputs[0] + "_bias");
  graph.initializers[name] = std::move(*bias);
  conv.inputs.resize(3);
  conv.inputs[2] = name;
  return true;
}

// N of a MatMul whose output ends in dim N: from a constant B, or the declared output shape.
int64_t matmul_columns(const Graph& graph, const Node& matmul) {
  if (const Tensor* b = constant(graph, matmul.inputs[1])) return b->rank() >= 2 ? b->dim(-1) : -1;
  const ValueInfo* out = known_info(graph, matmul.outputs[0]);
  const int64_t b_rank = known_rank(graph, matmul.inputs[1]);
  if (b_rank < 2 || !out || !out->has_shape || out->shape.empty() || !out->shape.back().is_fixed()) return -1;
  return out->shape.back().value;
}

bool fuse_matmul(Graph& graph, Node& matmul, const std::string& c_name, const Tensor& c) {
  // (c is float32, and Add needs both sides of one type: the MatMul is float32.)
  if (matmul.inputs.size() != 2) return false;
  const int64_t n = matmul_columns(graph, matmul);
  // 1-D of N: broadcasting adds it to every row and leaves the output shape as it is.
  if (n < 1 || c.rank() != 1 || c.dim(0) != n) return false;
  matmul.inputs.push_back(c_name);
  return true;
}

bool fuse_gemm(Graph& graph, Node& gemm, const std::string& c_name, const Tensor& c) {
  // (Fewer than two inputs, from a malformed file, is the op's error to report, not a fusion.)
  if (gemm.inputs.size() < 2 || (gemm.inputs.size() > 2 && !gemm.inputs[2].empty())) return false;
  const Tensor* b = constant(graph, gemm.inputs[1]);
  Result<int64_t> trans_b = gemm.attr_int("transB", 0);
  if (!b || b->rank() != 2 || !trans_b) return false;
  const int64_t n = *trans_b ? b->dim(0) : b->dim(1);
  if (c.rank() < 1 || c.rank() > 2 || c.dim(-1) != n || (c.rank() == 2 && c.dim(0) != 1)) return false;
  gemm.inputs.resize(3);
  gemm.inputs[2] = c_name;
  gemm.attributes["beta"] = float_attr(1.0f);
  return true;
}

// The Add's constant float operand `c_name` becomes the bias of a Conv, MatMul or Gemm.
bool fold_bias(Graph& graph, Node& producer, const std::string& /*produced*/, const std::string& c_name) {
  const Tensor* c = constant(graph, c_name);
  if (!c || c->dtype() != DType::Float32 || producer.inputs.size() < 2) return false;
  if (is_op(producer, "Conv")) return fuse_conv(graph, producer, *c);
  if (is_op(producer, "MatMul")) return fuse_matmul(graph, producer, c_name, *c);
  if (is_op(producer, "Gemm")) return fuse_gemm(graph, producer, c_name, *c);
  return false;
}

}  // namespace

int fuse_bias(Graph& graph) {
  return fold_nodes(graph, [](Graph& g, const GraphIndex& index, size_t i, std::vector<bool>& touched) {
    return fold_add_into_producer(g, index, i, touched, fold_bias);
  });
}

}  // namespace wisp::opt
