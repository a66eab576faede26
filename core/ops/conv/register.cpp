#include "core/ops/op.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_conv_ops(OpRegistry& registry) {
  (void)registry;
}

}  // namespace wisp
