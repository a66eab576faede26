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
    // One time step works on whole gate vectors (i, o, f, c~ each H values) so that the
    // activations run as vectorised loops.
    std::vector<float> gates(static_cast<size_t>(G));
    float* gi = gates.data();
    float* go = gi + H;
    float* gf = gi + 2 * H;
    float* gc = gi + 3 * H;
    for (int64_t b = 0; b < p.batch; ++b) {
      float* h = h_all.data() + (d * p.batch + b) * H;
      float* c = c_all.data() + (d * p.batch + b) * H;
      const int64_t len = p.lens[size_t(b)];
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = time_index(s, len, backward);
        std::copy_n(xw.data() + (t * p.batch + b) * G, G, gates.data());
        matvec_add(R, h, G, H, gates.data());
        for (int64_t j = 0; j < H; ++j) gi[j] += Pi[j] * c[j];
        f.apply(gi, H, clip);
        if (input_forget_) {
          for (int64_t j = 0; j < H; ++j) gf[j] = 1.0f - gi[j];
        } else {
          for (int64_t j = 0; j < H; ++j) gf[j] += Pf[j] * c[j];
          f.apply(gf, H, clip);
        }
        g.apply(gc, H, clip);
        for (int64_t j = 0; j < H; ++j) c[j] = gf[j] * c[j] + gi[j] * gc[j];
        for (int64_t j = 0; j < H; ++j) go[j] += Po[j] * c[j];
        f.apply(go, H, clip);
        // h = o . h(C); the candidate's slot is free now and holds h(C). R*h was consumed above.
        std::copy_n(c, H, gc);
        h_act.apply(gc, H, 0.0f);
        for (int64_t j = 0; j < H; ++j) h[j] = go[j] * gc[j];
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
