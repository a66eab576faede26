// MelWeightMatrix (opset 17): the [dft_length/2 + 1, num_mel_bins] matrix that maps a one-sided
// magnitude spectrum onto triangular mel-scale bands. Following the ONNX definition, the mel
// range [mel(lower), mel(upper)] (mel(f) = 2595 log10(1 + f/700)) is sampled at
// num_mel_bins + 2 points spaced by (range / (num_mel_bins + 2)); each point is mapped back to
// hertz and then to a spectrogram bin floor((dft_length + 1) * hz / sample_rate). Band i rises
// linearly from bin[i] to 1 at bin[i+1] and falls back to 0 at bin[i+2].
#include <algorithm>
#include <cmath>

#include "core/ops/shape/shape_util.h"
#include "core/ops/signal/signal_ops.h"

namespace wisp::signal_ops {
namespace {

// Reads a one-element float tensor named `what`.
Result<double> read_scalar_float(const Tensor& t, const char* what) {
  WISP_CHECK_ARG(dtype_is_float(t.dtype()), what, " must be a float scalar, got ", t.describe());
  WISP_CHECK_ARG(t.numel() == 1 && t.rank() <= 1, what, " must be a scalar, got ", t.describe());
  return t.get_as_double(0);
}

// floor(a / b) as numpy's floor division of floats computes it: exactly, from fmod, so a
// quotient just below an integer is not rounded up to it first.
double floor_divide(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1.0;
  double q = std::floor(div);
  if (div - q > 0.5) q += 1.0;
  return q;
}

class MelWeightMatrixOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(dtype_, read_output_datatype(ctx.node));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(int64_t num_mel_bins, read_scalar_int(ctx.input(0), "MelWeightMatrix num_mel_bins"));
    WISP_ASSIGN_OR_RETURN(int64_t dft_length, read_scalar_int(ctx.input(1), "MelWeightMatrix dft_length"));
    WISP_ASSIGN_OR_RETURN(int64_t sample_rate, read_scalar_int(ctx.input(2), "MelWeightMatrix sample_rate"));
    WISP_ASSIGN_OR_RETURN(double lower, read_scalar_float(ctx.input(3), "MelWeightMatrix lower_edge_hertz"));
    WISP_ASSIGN_OR_RETURN(double upper, read_scalar_float(ctx.input(4), "MelWeightMatrix upper_edge_hertz"));
    WISP_CHECK_ARG(num_mel_bins >= 1, "MelWeightMatrix num_mel_bins must be positive, got ", num_mel_bins);
    WISP_CHECK_ARG(dft_length >= 1, "MelWeightMatrix dft_length must be positive, got ", dft_length);
    WISP_CHECK_ARG(sample_rate >= 1, "MelWeightMatrix sample_rate must be positive, got ", sample_rate);
    WISP_CHECK_ARG(std::isfinite(lower) && std::isfinite(upper) && 0 <= lower && lower <= upper,
                   "MelWeightMatrix needs 0 <= lower_edge_hertz <= upper_edge_hertz, got ", lower, " and ", upper);

    const int64_t spectrogram_bins = dft_length / 2 + 1;
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype_, Shape{spectrogram_bins, num_mel_bins}));

    // Band edges as spectrogram bin indices (non-decreasing since lower <= upper).
    const int64_t points = num_mel_bins + 2;
    const double low_mel = 2595.0 * std::log10(1.0 + lower / 700.0);
    const double high_mel = 2595.0 * std::log10(1.0 + upper / 700.0);
    const double mel_step = (high_mel - low_mel) / double(points);
    std::vector<int64_t> edge(static_cast<size_t>(points));
    for (int64_t p = 0; p < points; ++p) {
      double hz = 700.0 * (std::pow(10.0, (double(p) * mel_step + low_mel) / 2595.0) - 1.0);
      // Capped so a huge upper edge cannot overflow the conversion (such bins fall off the
      // matrix anyway).
      double bin = std::min(floor_divide(double(dft_length + 1) * hz, double(sample_rate)), 1e18);
      edge[size_t(p)] = int64_t(bin);
    }

    std::vector<double> w(static_cast<size_t>(spectrogram_bins * num_mel_bins), 0.0);
    // Bins past the last spectrogram row (possible for odd dft_length or a high upper edge)
    // have no row to land in and are dropped.
    auto set = [&](int64_t row, int64_t band, double v) {
      if (row >= 0 && row < spectrogram_bins) w[size_t(row * num_mel_bins + band)] = v;
    };
    for (int64_t i = 0; i < num_mel_bins; ++i) {
      const int64_t left = edge[size_t(i)], center = edge[size_t(i + 1)], right = edge[size_t(i + 2)];
      if (center == left) {
        set(center, i, 1.0);
      } else {
        for (int64_t j = left; j <= std::min(center, spectrogram_bins - 1); ++j) {
          set(j, i, double(j - left) / double(center - left));
        }
      }
      for (int64_t j = center; j < std::min(right, spectrogram_bins); ++j) {
        set(j, i, double(right - j) / double(right - center));
      }
    }
    for (int64_t k = 0; k < out->numel(); ++k) shape_ops::set_from_double(*out, k, w[size_t(k)]);
    return Status::ok();
  }

 private:
  DType dtype_ = DType::Float32;
};

}  // namespace

void register_mel_ops(OpRegistry& r) { r.add<MelWeightMatrixOp>("MelWeightMatrix", "", 17); }

}  // namespace wisp::signal_ops
