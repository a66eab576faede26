#include "core/ops/op.h"
#include "core/ops/quantize/quantize_ops.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_quantize_ops(OpRegistry& registry) {
  quantize::register_quantize_linear_ops(registry);
  quantize::register_dynamic_quantize_linear_ops(registry);
}

}  // namespace wisp
