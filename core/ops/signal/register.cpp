#include "core/ops/op.h"
#include "core/ops/register_all.h"
#include "core/ops/signal/signal_ops.h"

namespace wisp {

void register_signal_ops(OpRegistry& registry) {
  signal_ops::register_dft_ops(registry);
  signal_ops::register_stft_ops(registry);
  signal_ops::register_window_ops(registry);
  signal_ops::register_mel_ops(registry);
}

}  // namespace wisp
