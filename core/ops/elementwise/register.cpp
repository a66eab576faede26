#include "core/ops/elementwise/families.h"
#include "core/ops/op.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_elementwise_ops(OpRegistry& registry) {
  elementwise::register_arithmetic_ops(registry);
  elementwise::register_logic_ops(registry);
  elementwise::register_math_ops(registry);
  elementwise::register_activation_ops(registry);
  elementwise::register_cast_ops(registry);
}

}  // namespace wisp
