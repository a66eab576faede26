#include "core/ops/op.h"
#include "core/ops/random/random_ops.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_random_ops(OpRegistry& registry) {
  random_ops::register_distribution_ops(registry);
  random_ops::register_bernoulli_ops(registry);
}

}  // namespace wisp
