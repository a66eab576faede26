// Shared pieces of the signal operators (DFT, STFT, window functions, MelWeightMatrix):
// the per-file registration functions, a reusable FFT plan, and small input readers.
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

#include "core/ops/op.h"

namespace wisp::signal_ops {

using Complex = std::complex<double>;

// A precomputed discrete Fourier transform of one length n (any n >= 1). Twiddles are computed
// once in double. Powers of two use an iterative radix-2 FFT, short other lengths a direct
// O(n^2) sum over a twiddle table, and longer other lengths Bluestein's algorithm (a chirp
// convolution done with a power-of-two FFT), so every length costs O(n log n).
// The plan is immutable after create(): one plan may serve several threads at once.
class FftPlan {
 public:
  // Fails when n < 1 or the plan's tables would exceed `max_elements` complex values.
  static Result<FftPlan> create(int64_t n, int64_t max_elements);

  int64_t size() const { return n_; }

  // In place: data[k] = sum_j data[j] * exp(-+2 pi i jk / n), with the + sign when `inverse`.
  // The inverse is not scaled by 1/n. `scratch` is resized as needed and may be reused
  // across calls by one thread.
  void transform(Complex* data, bool inverse, std::vector<Complex>& scratch) const;

 private:
  enum class Kind { Radix2, Direct, Bluestein };
  void forward(Complex* data, std::vector<Complex>& scratch) const;
  static void radix2(Complex* data, int64_t n, const std::vector<Complex>& twiddles);

  Kind kind_ = Kind::Direct;
  int64_t n_ = 0;
  int64_t m_ = 0;                  // Bluestein: power-of-two convolution length >= 2n - 1
  std::vector<Complex> twiddles_;  // Radix2: exp(-2 pi i k / n), k < n/2; Direct: k < n;
                                   // Bluestein: the same for the length-m inner FFT
  std::vector<Complex> chirp_;     // Bluestein: exp(-pi i k^2 / n), k < n
  std::vector<Complex> kernel_;    // Bluestein: FFT of the conjugate chirp, length m
};

// Reads a one-element int32/int64 tensor (a scalar input) named `what`.
Result<int64_t> read_scalar_int(const Tensor& t, const char* what);

// Reads the `output_datatype` attribute (default float32), checking it is a numeric dtype.
Result<DType> read_output_datatype(const Node& node);

void register_dft_ops(OpRegistry& registry);     // dft.cpp: DFT
void register_stft_ops(OpRegistry& registry);    // stft.cpp: STFT
void register_window_ops(OpRegistry& registry);  // windows.cpp: Hann/Hamming/BlackmanWindow
void register_mel_ops(OpRegistry& registry);     // mel.cpp: MelWeightMatrix

}  // namespace wisp::signal_ops
