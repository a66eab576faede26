// Shared machinery of the recurrent ops (RNN, GRU, LSTM): attributes, activation functions,
// conversion of inputs to float in the canonical layout 0, and writing the outputs back.
// All math runs in float; float16/bfloat16/double inputs are converted on the way in and out.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/ops/op.h"

namespace wisp::rnn {

// One activation function with its alpha/beta (see the LSTM spec's list).
struct Activation {
  enum class Kind { Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu,
                    Softsign, Softplus };
  Kind kind = Kind::Sigmoid;
  float alpha = 0, beta = 0;
  float operator()(float x) const;
  // x[i] = f(clip(x[i])) for n values; Sigmoid and Tanh through the vectorisable
  // approximations of core/ops/elementwise/fast_math.h (a few ulp).
  void apply(float* x, int64_t n, float clip) const;
};

// Attributes common to the three ops.
struct RnnAttrs {
  int64_t hidden_size = 0;  // 0: taken from R's shape
  int64_t num_directions = 1;
  bool reverse_only = false;  // direction == "reverse"
  float clip = 0;             // 0: no clipping
  int64_t layout = 0;
  std::vector<Activation> activations;  // per_direction * num_directions, direction-major
};

// Parses direction, hidden_size, clip, layout and the activation list (with
// `defaults` used per direction when `activations` is absent).
Result<RnnAttrs> parse_attrs(const Node& node, const std::vector<std::string>& defaults);

// Read-only float values of an input: the tensor's own data when it is float32 already (no
// copy: the weights of a model are read in place on every run), else a converted copy.
class FloatData {
 public:
  FloatData() = default;
  FloatData(const FloatData&) = delete;  // `data_` may point into `owned_`
  FloatData& operator=(const FloatData&) = delete;
  FloatData(FloatData&& other) noexcept { *this = std::move(other); }
  FloatData& operator=(FloatData&& other) noexcept {
    const bool own = other.data_ == other.owned_.data();
    owned_ = std::move(other.owned_);
    data_ = own ? owned_.data() : other.data_;
    return *this;
  }
  // Views float32 tensors, converts float64/float16/bfloat16 ones.
  static Result<FloatData> of(const Tensor& t, const char* what);
  static FloatData from(std::vector<float> values);
  const float* data() const { return data_; }

 private:
  const float* data_ = nullptr;
  std::vector<float> owned_;
};

// The inputs of a run as float, in layout 0.
struct RnnProblem {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1;
  FloatData x;              // [seq, batch, input]
  FloatData w;              // [dirs, gates*hidden, input]
  FloatData r;              // [dirs, gates*hidden, hidden]
  FloatData b;              // [dirs, 2*gates*hidden] (zeros when absent)
  std::vector<float> h0;    // [dirs, batch, hidden]  (zeros when absent)
  std::vector<float> c0;    // [dirs, batch, hidden]  (LSTM only)
  FloatData p;              // [dirs, 3*hidden]       (LSTM only, zeros when absent)
  std::vector<int64_t> lens;  // [batch]
  DType dtype = DType::Float32;
  ThreadPool* threads = nullptr;  // the run's threads (the matrix products may use them)
};

// Reads X, W, R, B, sequence_lens, initial_h (inputs 0-5) and for LSTM initial_c and P (6-7),
// validating every shape against the others.
Result<RnnProblem> load_problem(const OpContext& ctx, const RnnAttrs& attrs, int64_t gates, bool lstm);

// X_t * W_d^T + Wb_d (+ Rb_d when `add_recurrent_bias`) for every (t, b): [seq*batch, gates*hidden],
// as one matrix product over all time steps.
std::vector<float> project_inputs(const RnnProblem& p, int64_t d, int64_t gates, bool add_recurrent_bias);

// out[row] += sum_k m[row, k] * v[k] for a row-major [rows, cols] matrix (the GEMV kernel).
void matvec_add(const float* m, const float* v, int64_t rows, int64_t cols, float* out);

// Clamps to [-clip, clip] when clip > 0.
inline float clip_value(float x, float clip) {
  if (clip <= 0) return x;
  return x < -clip ? -clip : (x > clip ? clip : x);
}

// The time index of step `s` for a sequence of length `len`, walking forward or backward.
inline int64_t time_index(int64_t s, int64_t len, bool backward) { return backward ? len - 1 - s : s; }

// Writes Y [seq, dirs, batch, hidden] and a state [dirs, batch, hidden] to outputs in the
// attribute's layout and the problem's dtype (when the output is wanted).
Status write_sequence_output(OpContext& ctx, size_t index, const RnnProblem& p, const RnnAttrs& attrs,
                             const std::vector<float>& y);
Status write_state_output(OpContext& ctx, size_t index, const RnnProblem& p, const RnnAttrs& attrs,
                          const std::vector<float>& state);

}  // namespace wisp::rnn
