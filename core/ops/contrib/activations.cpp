#include "core/ops/contrib/contrib_ops.h"

namespace wisp::contrib {

void register_contrib_activation_ops(OpRegistry& registry) {}

}  // namespace wisp::contrib
