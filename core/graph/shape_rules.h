// Per-operator shape rules used by static shape inference (shape_inference.h), and the few
// helpers they share. A rule reads what is known about a node's inputs and fills in what it
// can about the outputs; it fails only when fixed dimensions prove the node invalid.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/graph/graph.h"

namespace wisp::shape {

// What inference knows about one value.
struct ValueShape {
  DType dtype = DType::Undefined;
  bool has_shape = false;  // false: rank unknown
  std::vector<Dim> dims;
  const Tensor* constant = nullptr;  // the value itself, for initializers and Constant outputs

  bool known() const { return dtype != DType::Undefined || has_shape; }
  int64_t rank() const { return int64_t(dims.size()); }
};

struct RuleInput {
  const Node& node;
  int64_t opset;                          // default-domain opset (0: not declared)
  const std::vector<ValueShape>& inputs;  // one per node input; omitted inputs are unknown
};

// Fills `outputs` (sized like node.outputs, all unknown on entry).
using ShapeRule = Status (*)(const RuleInput& in, std::vector<ValueShape>& outputs);

// The rule for a default-domain op type, or nullptr (outputs stay unknown).
ShapeRule find_shape_rule(const std::string& op_type);

// Helpers shared by the rules.
Dim fixed_dim(int64_t value);
std::string dims_to_string(const ValueShape& value);  // "[N, 3, ?, 224]" or "[unknown rank]"
// Numpy broadcasting of two shapes; fails when two fixed dims differ and neither is 1.
Status broadcast_into(const Node& node, const ValueShape& a, const ValueShape& b, ValueShape& out);
// One spatial output extent of Conv/Pool per the ONNX formulas; unknown when `in` is not fixed.
Dim conv_output_dim(const Dim& in, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_begin,
                    int64_t pad_end, const std::string& auto_pad, bool ceil_mode);

}  // namespace wisp::shape
