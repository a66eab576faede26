#include "core/ops/control/control_ops.h"
#include "core/ops/op.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_control_ops(OpRegistry& registry) {
  control::add_if_op(registry);
  control::add_loop_op(registry);
  control::add_scan_ops(registry);
  control::add_sequence_ops(registry);
  control::add_sequence_map_op(registry);
  control::add_optional_ops(registry);
}

}  // namespace wisp
