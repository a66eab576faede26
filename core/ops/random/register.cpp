#include "core/ops/op.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_random_ops(OpRegistry& registry) {
}

}  // namespace wisp
