// Unit tests of DFT and the window functions beyond the ONNX backend cases (which use short
// power-of-two signals): a prime length (direct sum), a long non power of two (Bluestein),
// zero-padding / truncation, other axes, inverse(DFT(x)) == x, and the window formulas.
#include <cmath>
#include <complex>
#include <numbers>
#include <random>

#include "tests/unit/op_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

using Complex = std::complex<double>;

// X[k] = sum_j x[j] exp(-+2 pi i j k / n) over all j < x.size(), for k < n, written out as the
// textbook O(n^2) double sum (jk is reduced mod n so the angle stays small and accurate).
std::vector<Complex> direct_dft(const std::vector<Complex>& x, int64_t n, bool inverse = false) {
  std::vector<Complex> out(static_cast<size_t>(n));
  const double sign = inverse ? 1.0 : -1.0;
  for (int64_t k = 0; k < n; ++k) {
    Complex acc = 0;
    for (int64_t j = 0; j < int64_t(x.size()) && j < n; ++j) {
      const double angle = sign * 2.0 * std::numbers::pi * double((j * k) % n) / double(n);
      acc += x[size_t(j)] * Complex(std::cos(angle), std::sin(angle));
    }
    out[size_t(k)] = inverse ? acc / double(n) : acc;
  }
  return out;
}

std::vector<Complex> random_signal(int64_t n, bool complex, std::mt19937& rng) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<Complex> x(static_cast<size_t>(n));
  for (auto& v : x) v = Complex(dist(rng), complex ? dist(rng) : 0.0);
  return x;
}

// x as a [1, n, 1] (real) or [1, n, 2] (complex) tensor of type T.
template <typename T>
Tensor signal_tensor(const std::vector<Complex>& x, bool complex) {
  std::vector<T> v;
  for (const Complex& c : x) {
    v.push_back(T(c.real()));
    if (complex) v.push_back(T(c.imag()));
  }
  return Tensor::from_vector<T>({1, int64_t(x.size()), complex ? 2 : 1}, v);
}

// Reads a [..., n, 2] output line starting at element `offset`, `stride` elements apart.
std::vector<Complex> read_complex(const Tensor& t, int64_t n, int64_t offset = 0, int64_t stride = 2) {
  std::vector<Complex> out(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    out[size_t(k)] = Complex(t.get_as_double(offset + k * stride), t.get_as_double(offset + k * stride + 1));
  }
  return out;
}

void check_complex(const std::vector<Complex>& actual, const std::vector<Complex>& expected, double tol) {
  REQUIRE(actual.size() == expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    INFO("bin " << k << ": " << actual[k] << " vs " << expected[k]);
    CHECK(std::abs(actual[k] - expected[k]) <= tol);
  }
}

OpTest dft(const Tensor& x) {
  OpTest t{"DFT"};
  t.inputs = {x};
  return t;
}

OpTest window(const std::string& op, int64_t size, int64_t periodic, DType dtype = DType::Float64) {
  OpTest t{op};
  t.inputs = {Tensor::from_vector<int64_t>({}, {size})};
  t.attr("periodic", periodic);
  t.attr("output_datatype", int64_t(dtype));
  return t;
}

}  // namespace

TEST_CASE("DFT of prime and non power of two lengths matches the direct sum", "[signal]") {
  std::mt19937 rng(17);
  // 7 takes the direct path, 1000 Bluestein's algorithm, 1024 radix 2, 97 (prime) Bluestein.
  for (int64_t n : {int64_t(7), int64_t(1000), int64_t(1024), int64_t(97), int64_t(1)}) {
    for (bool complex : {false, true}) {
      INFO("n " << n << " complex " << complex);
      const std::vector<Complex> x = random_signal(n, complex, rng);
      const std::vector<Complex> expected = direct_dft(x, n);
      // float64: agrees with the double reference to rounding (errors grow like log n).
      Tensor y = run_ok(dft(signal_tensor<double>(x, complex)))[0];
      REQUIRE(y.dtype() == DType::Float64);
      REQUIRE(y.shape() == Shape{1, n, 2});
      check_complex(read_complex(y, n), expected, 1e-9);
      // float32: the op computes in double as well.
      Tensor y32 = run_ok(dft(signal_tensor<float>(x, complex)))[0];
      REQUIRE(y32.dtype() == DType::Float32);
      // The reference from the float-rounded samples; then only the output rounding remains
      // (|X[k]| is about sqrt(n), so the rounding error about sqrt(n) * 6e-8).
      std::vector<Complex> x32;
      for (const Complex& c : x) x32.emplace_back(float(c.real()), float(c.imag()));
      check_complex(read_complex(y32, n), direct_dft(x32, n), 1e-6 * std::sqrt(double(n)));
    }
  }
}

TEST_CASE("DFT: onesided, dft_length padding and truncation, other axes", "[signal]") {
  std::mt19937 rng(5);
  SECTION("onesided keeps the first n/2 + 1 bins") {
    for (int64_t n : {int64_t(7), int64_t(1000), int64_t(8)}) {
      INFO("n " << n);
      const std::vector<Complex> x = random_signal(n, false, rng);
      OpTest t = dft(signal_tensor<double>(x, false));
      t.attr("onesided", int64_t(1));
      Tensor y = run_ok(t)[0];
      REQUIRE(y.shape() == Shape{1, n / 2 + 1, 2});
      std::vector<Complex> expected = direct_dft(x, n);
      expected.resize(size_t(n / 2 + 1));
      check_complex(read_complex(y, n / 2 + 1), expected, 1e-9);
    }
  }
  SECTION("dft_length zero-pads or truncates the signal") {
    const std::vector<Complex> x = random_signal(7, true, rng);
    for (int64_t len : {int64_t(12), int64_t(5), int64_t(7), int64_t(100)}) {
      INFO("dft_length " << len);
      OpTest t = dft(signal_tensor<double>(x, true));
      t.inputs.push_back(Tensor::from_vector<int64_t>({}, {len}));
      Tensor y = run_ok(t)[0];
      REQUIRE(y.shape() == Shape{1, len, 2});
      // direct_dft uses the first min(7, len) samples: zeros beyond the signal, none beyond len.
      check_complex(read_complex(y, len), direct_dft(x, len), 1e-9);
    }
  }
  SECTION("a transform along an inner axis of a batch") {
    // x is [2, 3, 7, 2]; axis 2 (opset 17 attribute) transforms the 2 * 3 lines of 7 samples.
    std::vector<std::vector<Complex>> lines;
    std::vector<double> v(2 * 3 * 7 * 2);
    for (int64_t line = 0; line < 6; ++line) {
      lines.push_back(random_signal(7, true, rng));
      for (int64_t j = 0; j < 7; ++j) {
        v[size_t((line * 7 + j) * 2)] = lines.back()[size_t(j)].real();
        v[size_t((line * 7 + j) * 2 + 1)] = lines.back()[size_t(j)].imag();
      }
    }
    OpTest t = dft(Tensor::from_vector<double>({2, 3, 7, 2}, v));
    t.attr("axis", int64_t(2));
    Tensor y = run_ok(t)[0];
    REQUIRE(y.shape() == Shape{2, 3, 7, 2});
    for (int64_t line = 0; line < 6; ++line) {
      INFO("line " << line);
      check_complex(read_complex(y, 7, line * 14), direct_dft(lines[size_t(line)], 7), 1e-9);
    }
    // Axis 1 of the same tensor: lines of 3 samples, 7 apart.
    t.attr("axis", int64_t(1));
    y = run_ok(t)[0];
    for (int64_t b = 0; b < 2; ++b) {
      for (int64_t i = 0; i < 7; ++i) {
        std::vector<Complex> line;
        for (int64_t j = 0; j < 3; ++j) line.push_back(lines[size_t(b * 3 + j)][size_t(i)]);
        INFO("batch " << b << " position " << i);
        check_complex(read_complex(y, 3, (b * 21 + i) * 2, 14), direct_dft(line, 3), 1e-9);
      }
    }
  }
  SECTION("opset 20: the axis is an input, by default -2") {
    const std::vector<Complex> x = random_signal(7, false, rng);
    OpTest t{"DFT", 20};
    t.inputs = {signal_tensor<double>(x, false)};
    check_complex(read_complex(run_ok(t)[0], 7), direct_dft(x, 7), 1e-9);
    t.inputs = {signal_tensor<double>(x, false), Tensor(), Tensor::from_vector<int64_t>({}, {1})};
    check_complex(read_complex(run_ok(t)[0], 7), direct_dft(x, 7), 1e-9);
  }
  SECTION("errors") {
    const Tensor x = signal_tensor<float>(random_signal(7, false, rng), false);
    OpTest t = dft(x);
    t.attr("axis", int64_t(2));  // the last dim holds the complex parts
    CHECK_THAT(run_err(t).message(), Catch::Contains("axis"));
    t = dft(x);
    t.inputs.push_back(Tensor::from_vector<int64_t>({}, {0}));
    CHECK_THAT(run_err(t).message(), Catch::Contains("dft_length"));
    t = dft(Tensor::from_vector<float>({1, 4, 3}, std::vector<float>(12, 0.0f)));
    CHECK_THAT(run_err(t).message(), Catch::Contains("last dimension"));
  }
}

TEST_CASE("DFT: the inverse of the transform is the signal", "[signal]") {
  std::mt19937 rng(23);
  for (int64_t n : {int64_t(7), int64_t(1000), int64_t(1024), int64_t(2), int64_t(65)}) {
    for (bool complex : {false, true}) {
      INFO("n " << n << " complex " << complex);
      const std::vector<Complex> x = random_signal(n, complex, rng);
      Tensor spectrum = run_ok(dft(signal_tensor<double>(x, complex)))[0];
      OpTest inv = dft(spectrum);
      inv.attr("inverse", int64_t(1));
      Tensor back = run_ok(inv)[0];
      REQUIRE(back.shape() == Shape{1, n, 2});
      // Real input comes back with zero imaginary parts.
      check_complex(read_complex(back, n), x, 1e-12);
      // The inverse alone is the direct sum with +i, scaled by 1/n.
      check_complex(read_complex(back, n), direct_dft(read_complex(spectrum, n), n, true), 1e-9);
    }
  }
  // With dft_length the inverse is scaled by 1 / dft_length (not by the input's length).
  const std::vector<Complex> short_x = random_signal(7, true, rng);
  for (int64_t len : {int64_t(12), int64_t(5)}) {
    INFO("inverse with dft_length " << len);
    OpTest t = dft(signal_tensor<double>(short_x, true));
    t.attr("inverse", int64_t(1));
    t.inputs.push_back(Tensor::from_vector<int64_t>({}, {len}));
    check_complex(read_complex(run_ok(t)[0], len), direct_dft(short_x, len, true), 1e-9);
  }
  // In float32 the round trip is exact to float rounding.
  const std::vector<Complex> x = random_signal(1000, true, rng);
  Tensor spectrum = run_ok(dft(signal_tensor<float>(x, true)))[0];
  OpTest inv = dft(spectrum);
  inv.attr("inverse", int64_t(1));
  check_complex(read_complex(run_ok(inv)[0], 1000), x, 1e-5);
}

TEST_CASE("Window functions: symmetric and periodic forms match their formulas", "[signal]") {
  struct Window {
    const char* op;
    double (*formula)(double n, double N);
  };
  const Window windows[] = {
      {"HannWindow", [](double n, double N) { return 0.5 - 0.5 * std::cos(2 * std::numbers::pi * n / N); }},
      // ONNX: alpha = 25/46, beta = 1 - alpha = 21/46.
      {"HammingWindow",
       [](double n, double N) { return 25.0 / 46.0 - 21.0 / 46.0 * std::cos(2 * std::numbers::pi * n / N); }},
      {"BlackmanWindow",
       [](double n, double N) {
         return 0.42 - 0.5 * std::cos(2 * std::numbers::pi * n / N) + 0.08 * std::cos(4 * std::numbers::pi * n / N);
       }},
  };
  for (const Window& w : windows) {
    for (int64_t size : {int64_t(2), int64_t(8), int64_t(9), int64_t(10), int64_t(1000)}) {
      INFO(w.op << " size " << size);
      // Periodic (the default): N = size, w[n] = w[size - n], the first `size` samples of the
      // symmetric window of size + 1.
      Tensor p = run_ok(window(w.op, size, 1))[0];
      REQUIRE(p.dtype() == DType::Float64);
      REQUIRE(p.shape() == Shape{size});
      // Symmetric: N = size - 1, w[n] = w[size - 1 - n], starting and ending at the same value.
      Tensor s = run_ok(window(w.op, size, 0))[0];
      REQUIRE(s.shape() == Shape{size});
      Tensor s_longer = run_ok(window(w.op, size + 1, 0))[0];
      for (int64_t n = 0; n < size; ++n) {
        INFO("n " << n);
        CHECK(std::abs(p.get_as_double(n) - w.formula(double(n), double(size))) < 1e-12);
        CHECK(std::abs(s.get_as_double(n) - w.formula(double(n), double(size - 1))) < 1e-12);
        CHECK(std::abs(s.get_as_double(n) - s.get_as_double(size - 1 - n)) < 1e-12);
        if (n > 0) CHECK(std::abs(p.get_as_double(n) - p.get_as_double(size - n)) < 1e-12);
        CHECK(std::abs(p.get_as_double(n) - s_longer.get_as_double(n)) < 1e-12);
      }
      // The two forms differ: the symmetric window ends where it started, the periodic one
      // one sample earlier (by ~1e-5 for size 1000, by much more for short windows).
      CHECK(std::abs(p.get_as_double(size - 1) - s.get_as_double(size - 1)) > 1e-7);
    }
  }
  // Known values: the symmetric Hann window of 5 is 0, 0.5, 1, 0.5, 0; the periodic one of 4 is
  // 0, 0.5, 1, 0.5; Hamming starts at 25/46 - 21/46 = 2/23 and peaks at 1.
  check_tensor(run_ok(window("HannWindow", 5, 0, DType::Float32))[0], Tensor::from_vector<float>({5}, {0, 0.5f, 1, 0.5f, 0}),
               1e-6, 1e-7);
  check_tensor(run_ok(window("HannWindow", 4, 1, DType::Float32))[0], Tensor::from_vector<float>({4}, {0, 0.5f, 1, 0.5f}),
               1e-6, 1e-7);
  check_tensor(run_ok(window("HammingWindow", 3, 0, DType::Float32))[0],
               Tensor::from_vector<float>({3}, {2.0f / 23.0f, 1, 2.0f / 23.0f}), 1e-6, 1e-7);
  // Edge sizes: empty, and a symmetric window of one sample is [1].
  CHECK(run_ok(window("HannWindow", 0, 1))[0].shape() == Shape{0});
  check_tensor(run_ok(window("BlackmanWindow", 1, 0))[0], Tensor::from_vector<double>({1}, {1.0}));
  // The default output type is float32, and periodic is the default form.
  OpTest d{"HannWindow"};
  d.inputs = {Tensor::from_vector<int32_t>({}, {4})};
  check_tensor(run_ok(d)[0], Tensor::from_vector<float>({4}, {0, 0.5f, 1, 0.5f}), 1e-6, 1e-7);
}

TEST_CASE("Window functions: errors", "[signal]") {
  CHECK_THAT(run_err(window("HannWindow", -1, 1)).message(), Catch::Contains("negative"));
  CHECK_THAT(run_err(window("HammingWindow", 4, 2)).message(), Catch::Contains("periodic"));
  OpTest t = window("BlackmanWindow", 4, 1);
  t.inputs = {Tensor::from_vector<int64_t>({2}, {4, 4})};
  CHECK_THAT(run_err(t).message(), Catch::Contains("scalar"));
  t.inputs = {Tensor::scalar_of(4.0f)};
  CHECK_THAT(run_err(t).message(), Catch::Contains("int"));
  t = window("HannWindow", 4, 1, DType::String);
  CHECK_THAT(run_err(t).message(), Catch::Contains("output_datatype"));
}
