#include "core/ops/contrib/contrib_ops.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_contrib_ops(OpRegistry& registry) {
  contrib::register_contrib_activation_ops(registry);
  contrib::register_contrib_normalization_ops(registry);
  contrib::register_contrib_rotary_ops(registry);
  contrib::register_contrib_attention_ops(registry);
}

}  // namespace wisp
