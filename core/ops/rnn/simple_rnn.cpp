// RNN: Ht = f(Xt Wi + Ht-1 Ri + Wbi + Rbi), f defaulting to Tanh.
#include <algorithm>

#include "core/ops/rnn/rnn_common.h"
#include "core/ops/rnn/rnn_ops.h"

namespace wisp::rnn {
namespace {

class RnnOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(attrs_, parse_attrs(ctx.node, {"Tanh"}));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(RnnProblem p, load_problem(ctx, attrs_, 1, false));
    std::vector<float> y(size_t(p.seq * p.dirs * p.batch * p.hidden), 0.0f);
    std::vector<float> yh = p.h0;
    for (int64_t d = 0; d < p.dirs; ++d) run_direction(p, d, attrs_.reverse_only || d == 1, y, yh);
    WISP_RETURN_IF_ERROR(write_sequence_output(ctx, 0, p, attrs_, y));
    return write_state_output(ctx, 1, p, attrs_, yh);
  }

 private:
  void run_direction(const RnnProblem& p, int64_t d, bool backward, std::vector<float>& y,
                     std::vector<float>& h_all) const {
    const int64_t H = p.hidden;
    const std::vector<float> xw = project_inputs(p, d, 1, true);
    const float* R = p.r.data() + d * H * H;
    const Activation& f = attrs_.activations[size_t(d)];
    std::vector<float> pre(static_cast<size_t>(H));
    for (int64_t b = 0; b < p.batch; ++b) {
      float* h = h_all.data() + (d * p.batch + b) * H;
      const int64_t len = p.lens[size_t(b)];
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = time_index(s, len, backward);
        std::copy_n(xw.data() + (t * p.batch + b) * H, H, pre.data());
        matvec_add(R, h, H, H, pre.data());
        for (int64_t j = 0; j < H; ++j) h[j] = f(clip_value(pre[size_t(j)], attrs_.clip));
        std::copy_n(h, H, y.data() + ((t * p.dirs + d) * p.batch + b) * H);
      }
    }
  }

  RnnAttrs attrs_;
};

}  // namespace

void add_rnn_op(OpRegistry& registry) { registry.add<RnnOp>("RNN"); }

}  // namespace wisp::rnn
