// LSTM (gate order i, o, f, c; peepholes i, o, f):
//   i = f(Xt Wi + Ht-1 Ri + Pi . Ct-1 + Wbi + Rbi)     f' = f(... Pf . Ct-1 ...)  (or 1 - i)
//   c~ = g(Xt Wc + Ht-1 Rc + Wbc + Rbc)                 Ct = f' . Ct-1 + i . c~
//   o = f(Xt Wo + Ht-1 Ro + Po . Ct + Wbo + Rbo)        Ht = o . h(Ct)
#include <algorithm>

#include "core/ops/rnn/rnn_common.h"
#include "core/ops/rnn/rnn_ops.h"

namespace wisp::rnn {
namespace {

class LstmOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(attrs_, parse_attrs(ctx.node, {"Sigmoid", "Tanh", "Tanh"}));
    WISP_ASSIGN_OR_RETURN(int64_t coupled, ctx.node.attr_int("input_forget", 0));
    input_forget_ = coupled != 0;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(RnnProblem p, load_problem(ctx, attrs_, 4, true));
    std::vector<float> y(size_t(p.seq * p.dirs * p.batch * p.hidden), 0.0f);
    std::vector<float> yh = p.h0, yc = p.c0;
    for (int64_t d = 0; d < p.dirs; ++d) run_direction(p, d, attrs_.reverse_only || d == 1, y, yh, yc);
    WISP_RETURN_IF_ERROR(write_sequence_output(ctx, 0, p, attrs_, y));
    WISP_RETURN_IF_ERROR(write_state_output(ctx, 1, p, attrs_, yh));
    return write_state_output(ctx, 2, p, attrs_, yc);
  }

 private:
  // Runs direction d over every batch entry; h and c hold the initial states on entry and the
  // final ones on exit (entries with sequence length 0 keep their initial state).
  void run_direction(const RnnProblem& p, int64_t d, bool backward, std::vector<float>& y, std::vector<float>& h_all,
                     std::vector<float>& c_all) const {
    const int64_t H = p.hidden, G = 4 * H;
    const std::vector<float> xw = project_inputs(p, d, 4, true);
    const float* R = p.r.data() + d * G * H;
    const float* Pi = p.p.data() + d * 3 * H;
    const float* Po = Pi + H;
    const float* Pf = Po + H;
    const Activation& f = attrs_.activations[size_t(d * 3)];
    const Activation& g = attrs_.activations[size_t(d * 3 + 1)];
    const Activation& h_act = attrs_.activations[size_t(d * 3 + 2)];
    const float clip = attrs_.clip;
    std::vector<float> gates(static_cast<size_t>(G));
    for (int64_t b = 0; b < p.batch; ++b) {
      float* h = h_all.data() + (d * p.batch + b) * H;
      float* c = c_all.data() + (d * p.batch + b) * H;
      const int64_t len = p.lens[size_t(b)];
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = time_index(s, len, backward);
        std::copy_n(xw.data() + (t * p.batch + b) * G, G, gates.data());
        matvec_add(R, h, G, H, gates.data());
        for (int64_t j = 0; j < H; ++j) {
          float i_gate = f(clip_value(gates[size_t(j)] + Pi[j] * c[j], clip));
          float f_gate = input_forget_ ? 1.0f - i_gate : f(clip_value(gates[size_t(2 * H + j)] + Pf[j] * c[j], clip));
          float candidate = g(clip_value(gates[size_t(3 * H + j)], clip));
          float cell = f_gate * c[j] + i_gate * candidate;
          float o_gate = f(clip_value(gates[size_t(H + j)] + Po[j] * cell, clip));
          c[j] = cell;
          h[j] = o_gate * h_act(cell);  // safe: R*h was already consumed above
        }
        std::copy_n(h, H, y.data() + ((t * p.dirs + d) * p.batch + b) * H);
      }
    }
  }

  RnnAttrs attrs_;
  bool input_forget_ = false;
};

}  // namespace

void add_lstm_op(OpRegistry& registry) { registry.add<LstmOp>("LSTM"); }

}  // namespace wisp::rnn
