// One registration function per operator family (folder under core/ops/).
#pragma once

namespace wisp {

class OpRegistry;

void register_elementwise_ops(OpRegistry& registry);  // core/ops/elementwise/
void register_nn_ops(OpRegistry& registry);           // core/ops/nn/: pooling, normalisation, softmax
void register_conv_ops(OpRegistry& registry);         // core/ops/conv/: Conv, ConvTranspose
void register_linalg_ops(OpRegistry& registry);       // core/ops/linalg/: MatMul, Gemm
void register_shape_ops(OpRegistry& registry);        // core/ops/shape/: reshape, slice, gather, ...
void register_reduce_ops(OpRegistry& registry);       // core/ops/reduce/
void register_control_ops(OpRegistry& registry);      // core/ops/control/: If, Loop, Scan
void register_rnn_ops(OpRegistry& registry);          // core/ops/rnn/: LSTM, GRU, RNN
void register_quantize_ops(OpRegistry& registry);     // core/ops/quantize/: QuantizeLinear, DequantizeLinear
void register_signal_ops(OpRegistry& registry);       // core/ops/signal/: DFT, STFT, windows
void register_text_ops(OpRegistry& registry);         // core/ops/text/: StringNormalizer, TfIdfVectorizer
void register_random_ops(OpRegistry& registry);       // core/ops/random/: RandomUniform, Bernoulli
void register_contrib_ops(OpRegistry& registry);      // core/ops/contrib/: com.microsoft transformer ops

inline void register_all_ops(OpRegistry& registry) {
  register_elementwise_ops(registry);
  register_nn_ops(registry);
  register_conv_ops(registry);
  register_linalg_ops(registry);
  register_shape_ops(registry);
  register_reduce_ops(registry);
  register_control_ops(registry);
  register_rnn_ops(registry);
  register_quantize_ops(registry);
  register_signal_ops(registry);
  register_text_ops(registry);
  register_random_ops(registry);
  register_contrib_ops(registry);
}

}  // namespace wisp
