// GRU (gate order z, r, h):
//   z = f(Xt Wz + Ht-1 Rz + Wbz + Rbz)      r = f(Xt Wr + Ht-1 Rr + Wbr + Rbr)
//   h~ = g(Xt Wh + (r . Ht-1) Rh + Rbh + Wbh)          linear_before_reset = 0
//   h~ = g(Xt Wh + r . (Ht-1 Rh + Rbh) + Wbh)          linear_before_reset != 0
//   Ht = (1 - z) . h~ + z . Ht-1
#include <algorithm>

#include "core/ops/rnn/rnn_common.h"
#include "core/ops/rnn/rnn_ops.h"

namespace wisp::rnn {
namespace {

class GruOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(attrs_, parse_attrs(ctx.node, {"Sigmoid", "Tanh"}));
    WISP_ASSIGN_OR_RETURN(int64_t lbr, ctx.node.attr_int("linear_before_reset", 0));
    linear_before_reset_ = lbr != 0;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(RnnProblem p, load_problem(ctx, attrs_, 3, false));
    std::vector<float> y(size_t(p.seq * p.dirs * p.batch * p.hidden), 0.0f);
    std::vector<float> yh = p.h0;
    for (int64_t d = 0; d < p.dirs; ++d) run_direction(p, d, attrs_.reverse_only || d == 1, y, yh);
    WISP_RETURN_IF_ERROR(write_sequence_output(ctx, 0, p, attrs_, y));
    return write_state_output(ctx, 1, p, attrs_, yh);
  }

 private:
  void run_direction(const RnnProblem& p, int64_t d, bool backward, std::vector<float>& y,
                     std::vector<float>& h_all) const {
    const int64_t H = p.hidden, G = 3 * H;
    const std::vector<float> xw = project_inputs(p, d, 3, false);  // the R bias is added below
    const float* R = p.r.data() + d * G * H;
    const float* Rh = R + 2 * H * H;
    const float* Rb = p.b.data() + d * 2 * G + G;
    const Activation& f = attrs_.activations[size_t(d * 2)];
    const Activation& g = attrs_.activations[size_t(d * 2 + 1)];
    const float clip = attrs_.clip;
    std::vector<float> zr(static_cast<size_t>(2 * H)), lin(static_cast<size_t>(H)), gated(static_cast<size_t>(H));
    for (int64_t b = 0; b < p.batch; ++b) {
      float* h = h_all.data() + (d * p.batch + b) * H;
      const int64_t len = p.lens[size_t(b)];
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = time_index(s, len, backward);
        const float* x = xw.data() + (t * p.batch + b) * G;
        std::copy_n(Rb, 2 * H, zr.data());
        matvec_add(R, h, 2 * H, H, zr.data());
        for (int64_t j = 0; j < 2 * H; ++j) zr[size_t(j)] = f(clip_value(x[j] + zr[size_t(j)], clip));
        const float* z = zr.data();
        const float* r = zr.data() + H;
        std::copy_n(Rb + 2 * H, H, lin.data());
        if (linear_before_reset_) {
          matvec_add(Rh, h, H, H, lin.data());
          for (int64_t j = 0; j < H; ++j) lin[size_t(j)] *= r[j];
        } else {
          for (int64_t j = 0; j < H; ++j) gated[size_t(j)] = r[j] * h[j];
          matvec_add(Rh, gated.data(), H, H, lin.data());
        }
        for (int64_t j = 0; j < H; ++j) {
          float candidate = g(clip_value(x[2 * H + j] + lin[size_t(j)], clip));
          h[j] = (1.0f - z[j]) * candidate + z[j] * h[j];
        }
        std::copy_n(h, H, y.data() + ((t * p.dirs + d) * p.batch + b) * H);
      }
    }
  }

  RnnAttrs attrs_;
  bool linear_before_reset_ = false;
};

}  // namespace

void add_gru_op(OpRegistry& registry) { registry.add<GruOp>("GRU"); }

}  // namespace wisp::rnn
