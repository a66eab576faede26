#include "core/ops/op.h"
#include "core/ops/register_all.h"
#include "core/ops/rnn/rnn_ops.h"

namespace wisp {

void register_rnn_ops(OpRegistry& registry) {
  rnn::add_lstm_op(registry);
  rnn::add_gru_op(registry);
  rnn::add_rnn_op(registry);
}

}  // namespace wisp
