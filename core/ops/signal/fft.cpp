// The FFT kernel behind DFT and STFT. Everything is computed in double whatever the tensor
// dtype, so float inputs get close to correctly rounded results.
#include <cmath>
#include <numbers>

#include "core/ops/signal/signal_ops.h"

namespace wisp::signal_ops {
namespace {

// Non-power-of-two lengths up to this use the direct sum: for short transforms it is as fast
// as Bluestein (which needs three FFTs of length >= 2n) and slightly more accurate.
constexpr int64_t kMaxDirectLength = 64;
// Hard cap independent of the configured limits, so index arithmetic cannot overflow.
constexpr int64_t kMaxLength = int64_t(1) << 40;

bool is_power_of_two(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// exp(-2 pi i k / n) for k < count.
std::vector<Complex> make_twiddles(int64_t n, int64_t count) {
  std::vector<Complex> w(static_cast<size_t>(count));
  for (int64_t k = 0; k < count; ++k) {
    double angle = -2.0 * std::numbers::pi * double(k) / double(n);
    w[size_t(k)] = Complex(std::cos(angle), std::sin(angle));
  }
  return w;
}

}  // namespace

Result<FftPlan> FftPlan::create(int64_t n, int64_t max_elements) {
  WISP_CHECK_ARG(n >= 1, "DFT length must be positive, got ", n);
  WISP_CHECK_ARG(n <= kMaxLength && n <= max_elements, "DFT length ", n, " exceeds the tensor size limit");
  FftPlan plan;
  plan.n_ = n;
  if (is_power_of_two(n)) {
    plan.kind_ = Kind::Radix2;
    plan.twiddles_ = make_twiddles(n, n / 2);
  } else if (n <= kMaxDirectLength) {
    plan.kind_ = Kind::Direct;
    plan.twiddles_ = make_twiddles(n, n);
  } else {
    plan.kind_ = Kind::Bluestein;
    int64_t m = 1;
    while (m < 2 * n - 1) m <<= 1;
    WISP_CHECK_ARG(m <= max_elements, "DFT length ", n, " needs a work buffer beyond the tensor size limit");
    plan.m_ = m;
    plan.twiddles_ = make_twiddles(m, m / 2);
    // chirp[k] = exp(-pi i k^2 / n). k^2 is reduced mod 2n exactly in integers (the angle is
    // periodic with period 2n), which keeps the angle small and accurate for large k.
    plan.chirp_.resize(size_t(n));
    int64_t q = 0;  // k^2 mod 2n
    for (int64_t k = 0; k < n; ++k) {
      double angle = -std::numbers::pi * double(q) / double(n);
      plan.chirp_[size_t(k)] = Complex(std::cos(angle), std::sin(angle));
      q = (q + 2 * k + 1) % (2 * n);
    }
    // The convolution kernel conj(chirp[|k|]) laid out circularly over m, then transformed.
    plan.kernel_.assign(size_t(m), Complex(0, 0));
    plan.kernel_[0] = std::conj(plan.chirp_[0]);
    for (int64_t k = 1; k < n; ++k) {
      plan.kernel_[size_t(k)] = plan.kernel_[size_t(m - k)] = std::conj(plan.chirp_[size_t(k)]);
    }
    radix2(plan.kernel_.data(), m, plan.twiddles_);
  }
  return plan;
}

// Iterative in-place radix-2 FFT of power-of-two length n; `twiddles` holds
// exp(-2 pi i k / n) for k < n/2.
void FftPlan::radix2(Complex* d, int64_t n, const std::vector<Complex>& twiddles) {
  // Bit-reversal permutation.
  for (int64_t i = 1, j = 0; i < n; ++i) {
    int64_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(d[i], d[j]);
  }
  for (int64_t len = 2; len <= n; len <<= 1) {
    const int64_t half = len / 2, step = n / len;
    for (int64_t i = 0; i < n; i += len) {
      for (int64_t k = 0; k < half; ++k) {
        Complex u = d[i + k];
        Complex v = d[i + k + half] * twiddles[size_t(k * step)];
        d[i + k] = u + v;
        d[i + k + half] = u - v;
      }
    }
  }
}

void FftPlan::forward(Complex* data, std::vector<Complex>& scratch) const {
  switch (kind_) {
    case Kind::Radix2:
      radix2(data, n_, twiddles_);
      return;
    case Kind::Direct: {
      scratch.assign(size_t(n_), Complex(0, 0));
      for (int64_t k = 0; k < n_; ++k) {
        Complex acc(0, 0);
        int64_t idx = 0;  // j * k mod n, advanced incrementally
        for (int64_t j = 0; j < n_; ++j) {
          acc += data[j] * twiddles_[size_t(idx)];
          idx += k;
          if (idx >= n_) idx -= n_;
        }
        scratch[size_t(k)] = acc;
      }
      for (int64_t k = 0; k < n_; ++k) data[k] = scratch[size_t(k)];
      return;
    }
    case Kind::Bluestein: {
      // X[k] = chirp[k] * sum_j (x[j] chirp[j]) conj(chirp[k - j]): a convolution done as
      // FFT, pointwise product with the precomputed kernel, inverse FFT (via conjugation).
      scratch.assign(size_t(m_), Complex(0, 0));
      for (int64_t k = 0; k < n_; ++k) scratch[size_t(k)] = data[k] * chirp_[size_t(k)];
      radix2(scratch.data(), m_, twiddles_);
      for (int64_t k = 0; k < m_; ++k) scratch[size_t(k)] = std::conj(scratch[size_t(k)] * kernel_[size_t(k)]);
      radix2(scratch.data(), m_, twiddles_);
      const double scale = 1.0 / double(m_);
      for (int64_t k = 0; k < n_; ++k) data[k] = std::conj(scratch[size_t(k)]) * scale * chirp_[size_t(k)];
      return;
    }
  }
}

void FftPlan::transform(Complex* data, bool inverse, std::vector<Complex>& scratch) const {
  if (!inverse) {
    forward(data, scratch);
    return;
  }
  // The inverse transform is conj(forward(conj(x))).
  for (int64_t k = 0; k < n_; ++k) data[k] = std::conj(data[k]);
  forward(data, scratch);
  for (int64_t k = 0; k < n_; ++k) data[k] = std::conj(data[k]);
}

}  // namespace wisp::signal_ops
