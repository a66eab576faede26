// Registration hooks of the recurrent family, one per file.
#pragma once

namespace wisp {

class OpRegistry;

namespace rnn {
void add_lstm_op(OpRegistry& registry);  // lstm.cpp
void add_gru_op(OpRegistry& registry);   // gru.cpp
void add_rnn_op(OpRegistry& registry);   // simple_rnn.cpp
}  // namespace rnn

}  // namespace wisp
