#include "core/ops/linalg/linalg_ops.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_linalg_ops(OpRegistry& registry) {
  linalg::register_matmul_ops(registry);
  linalg::register_quantized_matmul_ops(registry);
  linalg::register_det_ops(registry);
}

}  // namespace wisp
