#include "core/ops/op.h"
#include "core/ops/reduce/reduce_ops.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_reduce_ops(OpRegistry& registry) {
  reduce::register_reduce_kernels(registry);
  reduce::register_arg_kernels(registry);
  reduce::register_topk_kernels(registry);
  reduce::register_cumsum_kernels(registry);
}

}  // namespace wisp
