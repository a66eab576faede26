// STFT (opset 17): the short-time Fourier transform of signal [batch, length, 1 or 2].
// Frames of frame_length samples start every frame_step samples (only whole frames:
// frames = 1 + (length - frame_length) / frame_step); each frame is multiplied by the optional
// window and transformed. Output [batch, frames, bins, 2] with bins = frame_length/2 + 1 when
// onesided (default, real signals only), else frame_length.
#include <algorithm>

#include "core/ops/nn/float_io.h"
#include "core/ops/signal/signal_ops.h"

namespace wisp::signal_ops {
namespace {

using nn::FloatIO;

class StftOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(int64_t onesided, ctx.node.attr_int("onesided", 1));
    WISP_CHECK_ARG(onesided == 0 || onesided == 1, "STFT onesided must be 0 or 1, got ", onesided);
    onesided_ = onesided == 1;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() == 3 && (x.dim(2) == 1 || x.dim(2) == 2),
                   "STFT signal must be [batch, signal_length, 1 or 2], got ", x.describe());
    const int64_t batch = x.dim(0), length = x.dim(1), comps = x.dim(2);
    WISP_CHECK_ARG(!(onesided_ && comps == 2),
                   "STFT onesided=1 needs a real signal (last dimension 1), got ", x.describe());

    WISP_ASSIGN_OR_RETURN(int64_t step, read_scalar_int(ctx.input(1), "STFT frame_step"));
    WISP_CHECK_ARG(step >= 1, "STFT frame_step must be positive, got ", step);

    // The window, read once into double (it is short).
    std::vector<double> window;
    if (ctx.has_input(2)) {
      const Tensor& w = ctx.input(2);
      WISP_CHECK_ARG(w.rank() == 1 && dtype_is_float(w.dtype()), "STFT window must be a 1-D float tensor, got ",
                     w.describe());
      window.resize(size_t(w.numel()));
      for (int64_t j = 0; j < w.numel(); ++j) window[size_t(j)] = w.get_as_double(j);
    }
    int64_t frame_length = 0;
    if (ctx.has_input(3)) {
      WISP_ASSIGN_OR_RETURN(frame_length, read_scalar_int(ctx.input(3), "STFT frame_length"));
      WISP_CHECK_ARG(!ctx.has_input(2) || int64_t(window.size()) == frame_length, "STFT frame_length ",
                     frame_length, " differs from the window length ", window.size());
    } else if (ctx.has_input(2)) {
      frame_length = int64_t(window.size());
    } else {
      frame_length = length;  // no window and no frame_length: one frame over the whole signal
    }
    WISP_CHECK_ARG(frame_length >= 1, "STFT frame_length must be positive, got ", frame_length);
    WISP_CHECK_ARG(frame_length <= length, "STFT frame_length ", frame_length, " exceeds the signal length ",
                   length);

    const int64_t frames = 1 + (length - frame_length) / step;
    const int64_t bins = onesided_ ? frame_length / 2 + 1 : frame_length;
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), Shape{batch, frames, bins, 2}));
    if (out->numel() == 0) return Status::ok();
    WISP_ASSIGN_OR_RETURN(FftPlan plan, FftPlan::create(frame_length, ctx.limits().max_tensor_elements));

    return nn::visit_float(x.dtype(), "STFT signal", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      // One task per (batch, frame); each task owns its work buffers.
      auto run_frames = [&](int64_t begin, int64_t end) {
        std::vector<Complex> buf(static_cast<size_t>(frame_length)), scratch;
        for (int64_t t = begin; t < end; ++t) {
          const int64_t b = t / frames, f = t % frames;
          const T* in = src + (b * length + f * step) * comps;
          for (int64_t j = 0; j < frame_length; ++j) {
            double w = window.empty() ? 1.0 : window[size_t(j)];
            double re = double(IO::load(in[j * comps]));
            double im = comps == 2 ? double(IO::load(in[j * comps + 1])) : 0.0;
            buf[size_t(j)] = Complex(re * w, im * w);
          }
          plan.transform(buf.data(), /*inverse=*/false, scratch);
          T* o = dst + t * bins * 2;
          for (int64_t k = 0; k < bins; ++k) {
            o[2 * k] = IO::store(typename IO::Acc(buf[size_t(k)].real()));
            o[2 * k + 1] = IO::store(typename IO::Acc(buf[size_t(k)].imag()));
          }
        }
      };
      parallel_for(ctx.threads(), batch * frames, nn::chunk_for(frame_length * 16), run_frames);
      return Status::ok();
    });
  }

 private:
  bool onesided_ = true;
};

}  // namespace

void register_stft_ops(OpRegistry& r) { r.add<StftOp>("STFT", "", 17); }

}  // namespace wisp::signal_ops
