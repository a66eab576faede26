// An activation after Conv / Gemm / MatMul is applied by that op itself (attribute
// wisp_activation, see core/ops/linalg/fused_activation.h): Relu and Clip as the GEMM
// epilogue's clamp, the others on each output block right after the GEMM wrote it. Either
// way the activation's separate pass over memory and its output buffer disappear.
#include "core/optimizer/passes.h"
#include "core/optimizer/rewrite_util.h"
#include "core/ops/linalg/fused_activation.h"

namespace wisp::opt {

namespace {

struct Activation {
  std::string name;
  std::vector<float> params;
};

// What `node` computes as a fusable activation of its first input, if it is one.
bool as_activation(const Graph& graph, const Node& node, int64_t opset, Activation& act) {
  if (node.inputs.empty() || node.outputs.size() != 1) return false;
  if (is_default_domain(node)) {
    if (node.op_type == "Clip") {
      act.name = "Clip";
      float lo = 0, hi = 0;
      if (!clip_bounds(graph, node, opset, lo, hi)) return false;
      act.params = {lo, hi};
      return true;
    }
    if (node.inputs.size() != 1) return false;
    if (node.op_type == "Relu" || node.op_type == "Sigmoid" || node.op_type == "HardSwish") {
      act.name = node.op_type;
      return true;
    }
    if (node.op_type == "LeakyRelu") {
      Result<float> alpha = node.attr_float("alpha", 0.01f);
      act = {"LeakyRelu", {alpha ? *alpha : 0.0f}};
      return bool(alpha);
    }
    if (node.op_type == "HardSigmoid") {
      Result<float> alpha = node.attr_float("alpha", 0.2f), beta = node.attr_float("beta", 0.5f);
      if (!alpha || !beta) return false;
      act = {"HardSigmoid", {*alpha, *beta}};
      return true;
    }
    if (node.op_type == "Gelu") {
      Result<std::string> approximate = node.attr_string("approximate", "none");
      if (!approximate || (*approximate != "none" && *approximate != "tanh")) return false;
      act.name = *approximate == "tanh" ? "GeluTanh" : "Gelu";
      return true;
    }
    return false;
  }
  if (node.domain != "com.microsoft" || node.inputs.size() != 1) return false;
  if (node.op_type == "Gelu" || node.op_type == "FastGelu") {
    act.name = node.op_type == "Gelu" ? "Gelu" : "GeluTanh";
    return true;
  }
  if (node.op_type == "QuickGelu") {
    Result<float> alpha = node.attr_float("alpha", 1.702f);
    act.name = "SiLU";
    return alpha && *alpha == 1.0f;
  }
  return false;
}

}  // namespace

int fuse_activations(Model& model) {
  const int64_t opset = model.opset("");
  // The activation node folds into its producer, which takes over its output.
  return fold_nodes(model.graph, [opset](Graph& graph, const GraphIndex& index, size_t i, std::vector<bool>& touched) {
    Activation act;
    const Node& node = graph.nodes[i];
    if (!as_activation(graph, node, opset, act)) return false;
    const size_t* p = index.sole_producer(node.inputs[0]);
    if (!p || touched[*p]) return false;
    Node& producer = graph.nodes[*p];
    // Fewer than two inputs (a malformed file) is the op's error to report at load, not a fusion.
    if (!(is_op(producer, "Conv") || is_op(producer, "Gemm") || is_op(producer, "MatMul")) ||
        producer.inputs.size() < 2 || producer.outputs.size() != 1 || producer.has_attr(linalg::kActivationAttr)) {
      return false;
    }
    // MatMul / Gemm of other types are not fused (their fused path is float32 only); Conv
    // is float32 only anyway. Either operand's known type tells.
    const bool float32 = is_op(producer, "Conv") || known_dtype(graph, producer.inputs[0]) == DType::Float32 ||
                         known_dtype(graph, producer.inputs[1]) == DType::Float32;
    if (!float32) return false;
    producer.attributes[linalg::kActivationAttr] = string_attr(act.name);
    if (!act.params.empty()) producer.attributes[linalg::kActivationParamsAttr] = floats_attr(act.params);
    producer.outputs[0] = node.outputs[0];
    touched[i] = touched[*p] = true;
    return true;
  });
}

}  // namespace wisp::opt
