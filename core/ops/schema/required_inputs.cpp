#include "core/ops/schema/required_inputs.h"

#include <cstdint>
#include <string_view>

#include "core/ops/op.h"

namespace wisp {

namespace {

struct RequiredInputs {
  std::string_view op_type;
  int since_version;
  uint32_t mask;  // bit i: input i is required
};

constexpr RequiredInputs kRequiredInputs[] = {
#include "core/ops/schema/required_inputs.inc"
};

// The mask of the newest version at or below `opset` (sorted by op type, then version).
const RequiredInputs* find(std::string_view op_type, int opset) {
  const RequiredInputs* best = nullptr;
  for (const RequiredInputs& row : kRequiredInputs) {
    if (row.op_type != op_type) continue;
    if (opset == 0 || row.since_version <= opset || !best) best = &row;
  }
  return best;
}

}  // namespace

Status check_required_inputs(const Node& node, int opset) {
  if (!canonical_domain(node.domain).empty()) return Status::ok();
  const RequiredInputs* row = find(node.op_type, opset);
  if (!row) return Status::ok();
  for (size_t i = 0; i < 32; ++i) {
    if (!(row->mask >> i & 1u)) continue;
    if (i >= node.inputs.size() || node.inputs[i].empty()) {
      return invalid_model(node.context(), node.op_type, " needs input ", i, " but the node ",
                           i >= node.inputs.size() ? "has only " + std::to_string(node.inputs.size()) + " inputs"
                                                   : std::string("leaves it empty"));
    }
  }
  return Status::ok();
}

}  // namespace wisp
