#include "core/ops/nn/nn_ops.h"
#include "core/ops/op.h"
#include "core/ops/register_all.h"

namespace wisp {

void register_nn_ops(OpRegistry& registry) {
  nn::register_pooling_kernels(registry);
  nn::register_normalization_kernels(registry);
  nn::register_softmax_kernels(registry);
  nn::register_dropout_kernels(registry);
  nn::register_nms_kernels(registry);
  nn::register_einsum_kernels(registry);
  nn::register_loss_kernels(registry);
}

}  // namespace wisp
