// HannWindow, HammingWindow and BlackmanWindow (opset 17). Each is a generalised cosine window
//   w[n] = sum_k (-1)^k a_k cos(2 pi k n / N),  n in [0, size)
// with N = size when `periodic` (the default, for spectral analysis) and N = size - 1 for the
// symmetric window (filter design). The input is the scalar size; the output is 1-D of the
// dtype named by `output_datatype` (default float32).
#include <cmath>
#include <numbers>

#include "core/ops/shape/shape_util.h"
#include "core/ops/signal/signal_ops.h"

namespace wisp::signal_ops {
namespace {

struct Hann {
  static constexpr const char* name = "HannWindow";
  static constexpr const char* size_input = "HannWindow size";
  static constexpr double coeffs[] = {0.5, 0.5};
};
struct Hamming {
  static constexpr const char* name = "HammingWindow";
  static constexpr const char* size_input = "HammingWindow size";
  static constexpr double coeffs[] = {25.0 / 46.0, 1.0 - 25.0 / 46.0};
};
struct Blackman {
  static constexpr const char* name = "BlackmanWindow";
  static constexpr const char* size_input = "BlackmanWindow size";
  static constexpr double coeffs[] = {0.42, 0.5, 0.08};
};

template <typename W>
class WindowOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(dtype_, read_output_datatype(ctx.node));
    WISP_ASSIGN_OR_RETURN(int64_t periodic, ctx.node.attr_int("periodic", 1));
    WISP_CHECK_ARG(periodic == 0 || periodic == 1, W::name, " periodic must be 0 or 1, got ", periodic);
    periodic_ = periodic == 1;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(int64_t size, read_scalar_int(ctx.input(0), W::size_input));
    WISP_CHECK_ARG(size >= 0, W::name, " size must not be negative, got ", size);
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype_, Shape{size}));
    const int64_t period = periodic_ ? size : size - 1;
    if (period == 0) {
      // A symmetric window of one sample would divide by zero (0/0 angle); like numpy and
      // torch, it is the single value 1.
      if (size == 1) shape_ops::set_from_double(*out, 0, 1.0);
      return Status::ok();
    }
    const double step = 2.0 * std::numbers::pi / double(period);
    for (int64_t n = 0; n < size; ++n) {
      double v = 0, sign = 1;
      int64_t k = 0;
      for (double a : W::coeffs) {
        // Reducing k*n modulo the period in integers keeps the angle small and exact.
        const int64_t phase = (k * n) % period;
        v += sign * a * std::cos(step * double(phase));
        sign = -sign;
        ++k;
      }
      shape_ops::set_from_double(*out, n, v);
    }
    return Status::ok();
  }

 private:
  DType dtype_ = DType::Float32;
  bool periodic_ = true;
};

}  // namespace

void register_window_ops(OpRegistry& r) {
  r.add<WindowOp<Hann>>("HannWindow", "", 17);
  r.add<WindowOp<Hamming>>("HammingWindow", "", 17);
  r.add<WindowOp<Blackman>>("BlackmanWindow", "", 17);
}

}  // namespace wisp::signal_ops
