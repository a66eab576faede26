#include "core/ops/conv/conv_attributes.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_conv_ops(OpRegistry& registry) {
  conv::register_conv(registry);
  conv::register_conv_transpose(registry);
  conv::register_quantized_conv(registry);
}

}  // namespace wisp
