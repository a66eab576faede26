// Unit tests of the packed GEMM kernel against a naive triple loop: odd sizes, transposes,
// strides, the epilogue (alpha, beta, biases, clamp), the prepacked-operand entry points and
// the GEMV paths, for every kernel set the runtime dispatch offers on this CPU.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "core/kernels/gemm.h"

using namespace wisp;
using namespace wisp::kernels;

namespace {

std::vector<float> random_values(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

struct Case {
  int64_t m, n, k;
  bool ta, tb;
  float alpha, beta;
  bool row_bias, col_bias, relu;
};

void run_case(const Case& t, ThreadPool* threads, int mode, std::mt19937& rng) {
  INFO("m=" << t.m << " n=" << t.n << " k=" << t.k << " ta=" << t.ta << " tb=" << t.tb << " mode=" << mode);
  // Stored matrices get padded strides to exercise `stride`.
  const int64_t a_rows = t.ta ? t.k : t.m, a_cols = t.ta ? t.m : t.k, lda = a_cols + 3;
  const int64_t b_rows = t.tb ? t.n : t.k, b_cols = t.tb ? t.k : t.n, ldb = b_cols + 1;
  const int64_t ldc = t.n + 2;
  auto a = random_values(size_t(a_rows * lda), rng), b = random_values(size_t(b_rows * ldb), rng);
  auto c = random_values(size_t(t.m * ldc), rng), rb = random_values(size_t(t.m), rng),
       cb = random_values(size_t(t.n), rng);
  MatrixView av{a.data(), lda, t.ta}, bv{b.data(), ldb, t.tb};
  GemmEpilogue ep;
  ep.alpha = t.alpha;
  ep.beta = t.beta;
  ep.row_bias = t.row_bias ? rb.data() : nullptr;
  ep.col_bias = t.col_bias ? cb.data() : nullptr;
  if (t.relu) ep.clamp_min = 0.0f;

  std::vector<float> expected = c;
  for (int64_t i = 0; i < t.m; ++i) {
    for (int64_t j = 0; j < t.n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < t.k; ++p) s += double(av.at(i, p)) * double(bv.at(p, j));
      double x = t.alpha * s + (t.beta != 0.0f ? t.beta * c[size_t(i * ldc + j)] : 0.0);
      if (t.row_bias) x += rb[size_t(i)];
      if (t.col_bias) x += cb[size_t(j)];
      if (t.relu) x = std::max(x, 0.0);
      expected[size_t(i * ldc + j)] = float(x);
    }
  }
  std::vector<float> out = c;
  if (mode == 0) {
    gemm(t.m, t.n, t.k, av, bv, out.data(), ldc, ep, threads);
  } else if (mode == 1) {
    PackedB pb(bv, t.k, t.n, threads);
    gemm(t.m, av, pb, out.data(), ldc, ep, threads);
  } else {
    PackedA pa(av, t.m, t.k, threads);
    gemm(pa, t.n, bv, out.data(), ldc, ep, threads);
  }
  int bad = 0;
  for (int64_t i = 0; i < t.m; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      const float e = expected[size_t(i * ldc + j)], g = out[size_t(i * ldc + j)];
      // Padding columns past N must be untouched.
      const float tol = j < t.n ? 1e-4f * float(std::sqrt(double(t.k) + 1)) + 1e-5f * std::abs(e) : 0.0f;
      if (!(std::abs(g - e) <= tol) && bad++ < 5) {
        INFO("C(" << i << ", " << j << ") = " << g << ", expected " << e);
        CHECK(false);
      }
    }
  }
  CHECK(bad == 0);
}

// Makes each kernel set active in turn, restoring the original one afterwards.
template <class F>
void for_each_isa(const F& fn) {
  const std::string original = gemm_isa_name();
  for (const char* isa : gemm_isa_names()) {
    INFO("kernel set " << isa);
    REQUIRE(set_gemm_isa(isa));
    fn();
  }
  set_gemm_isa(original.c_str());
}

}  // namespace

TEST_CASE("GEMM matches a naive multiply over odd sizes, transposes and epilogues", "[gemm]") {
  for_each_isa([] {
  std::mt19937 rng(42);
  ThreadPool pool(2);
  const std::vector<Case> cases = {
      {1, 1, 1, false, false, 1, 0, false, false, false},
      {1, 37, 19, false, false, 1, 0, false, false, false},     // GEMV-like
      {37, 1, 19, false, true, 1, 0, false, false, false},
      {5, 7, 3, true, false, 2.0f, 0.5f, false, false, false},
      {6, 16, 8, false, false, 1, 0, true, false, false},       // exactly one tile
      {7, 17, 9, true, true, -1.5f, 1.0f, true, true, true},
      {13, 33, 300, false, true, 1, 0, false, true, false},     // K spans two K blocks
      {73, 257, 64, false, false, 0.5f, -2.0f, true, false, true},  // two row blocks, two column blocks
      {100, 300, 513, true, false, 1, 1, false, false, false},
      {3, 5, 0, false, false, 1, 0.5f, true, true, false},      // K = 0
      {0, 5, 3, false, false, 1, 0, false, false, false},
      {15, 33, 20, false, false, 1, 0, false, false, false},    // more rows than any tile
      {29, 97, 40, true, true, 1, 0.5f, true, true, false},     // two AVX-512 tiles high, odd N
      // GEMV paths (M == 1 or N == 1): wide enough for the row-streaming and threaded splits.
      {1, 2500, 300, false, false, 1, 0, false, false, false},
      {1, 700, 1031, true, true, 0.5f, 1.0f, true, true, true},
      {1, 130, 77, false, true, -1, 0, false, true, false},
      {1, 65, 5, true, false, 2, 0.25f, true, false, true},
      {300, 1, 513, false, false, 1, 0, true, true, false},
      {257, 1, 100, true, true, 1.5f, -1.0f, false, true, true},
      {9, 1, 3, true, false, 1, 0, false, false, false},
      // A few columns (N <= kGemmFewColumns): one GEMV per column.
      {37, 3, 40, false, false, 1, 0.5f, true, true, true},
      {300, 4, 513, true, true, -0.5f, 1.0f, false, true, false},
      {7, 2, 9, false, true, 2, 0, true, false, true},
      {258, 4, 256, false, false, 1, 0, true, false, false},  // Silero VAD's STFT Conv
  };
  for (const Case& t : cases) {
    for (int mode = 0; mode < 3; ++mode) {
      run_case(t, nullptr, mode, rng);
      run_case(t, &pool, mode, rng);
    }
  }
  });
}

TEST_CASE("GEMM with a few columns reads the beta term from a separate C_in", "[gemm]") {
  // The fused residual of a Conv whose output has a few positions: C = A*B + C_in.
  for_each_isa([] {
    std::mt19937 rng(3);
    const int64_t m = 19, n = 3, k = 23, ldc_in = 5;
    auto a = random_values(size_t(m * k), rng), b = random_values(size_t(k * n), rng),
         c_in = random_values(size_t(m * ldc_in), rng), bias = random_values(size_t(m), rng);
    std::vector<float> c(size_t(m * n), 7.0f);
    GemmEpilogue ep;
    ep.beta = 1.0f;
    ep.c_in = c_in.data();
    ep.ldc_in = ldc_in;
    ep.row_bias = bias.data();
    gemm(m, n, k, {a.data(), k, false}, {b.data(), n, false}, c.data(), n, ep, nullptr);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double s = c_in[size_t(i * ldc_in + j)] + bias[size_t(i)];
        for (int64_t p = 0; p < k; ++p) s += double(a[size_t(i * k + p)]) * b[size_t(p * n + j)];
        INFO("C(" << i << ", " << j << ")");
        CHECK(std::abs(c[size_t(i * n + j)] - s) < 1e-4);
      }
    }
  });
}

TEST_CASE("GEMM random shapes", "[gemm]") {
  for_each_isa([] {
  std::mt19937 rng(7);
  ThreadPool pool(2);
  std::uniform_int_distribution<int> size(1, 90);
  for (int i = 0; i < 40; ++i) {
    Case t{size(rng), size(rng), size(rng), bool(i & 1), bool(i & 2), 1.0f, (i & 4) ? 1.0f : 0.0f, bool(i & 8),
           bool(i & 16), bool(i & 32)};
    run_case(t, (i % 3) ? &pool : nullptr, i % 3, rng);
  }
  });
}

TEST_CASE("GEMM with operands packed under another kernel set", "[gemm]") {
  // A model loaded (weights prepacked) before the active set changes must still compute right.
  std::mt19937 rng(11);
  const int64_t m = 19, n = 45, k = 37;
  auto a = random_values(size_t(m * k), rng), b = random_values(size_t(k * n), rng);
  std::vector<float> expected(size_t(m * n));
  gemm(m, n, k, {a.data(), k, false}, {b.data(), n, false}, expected.data(), n, {}, nullptr);
  const std::string original = gemm_isa_name();
  for (const char* pack_isa : gemm_isa_names()) {
    REQUIRE(set_gemm_isa(pack_isa));
    PackedA pa({a.data(), k, false}, m, k);
    PackedB pb({b.data(), n, false}, k, n);
    PackedA pa1({a.data(), k, false}, 1, k);
    for (const char* run_isa : gemm_isa_names()) {
      INFO("packed under " << pack_isa << ", run under " << run_isa);
      REQUIRE(set_gemm_isa(run_isa));
      std::vector<float> c1(size_t(m * n)), c2(size_t(m * n)), c3(size_t(m * n)), c4(static_cast<size_t>(n));
      gemm(pa, pb, c1.data(), n, {}, nullptr);
      gemm(m, {a.data(), k, false}, pb, c2.data(), n, {}, nullptr);
      gemm(pa, n, {b.data(), n, false}, c3.data(), n, {}, nullptr);
      gemm(pa1, pb, c4.data(), n, {}, nullptr);  // the M == 1 path over a repacked B
      for (size_t i = 0; i < expected.size(); ++i) {
        CHECK(c1[i] == Approx(expected[i]).margin(1e-4));
        CHECK(c2[i] == Approx(expected[i]).margin(1e-4));
        CHECK(c3[i] == Approx(expected[i]).margin(1e-4));
      }
      for (int64_t j = 0; j < n; ++j) CHECK(c4[size_t(j)] == Approx(expected[size_t(j)]).margin(1e-4));
    }
  }
  set_gemm_isa(original.c_str());
}

TEST_CASE("GEMM sums every column in the same order: equal columns give equal results", "[gemm]") {
  // The ONNX "light" model tests have constant weights and logits near 1e12 whose softmax is
  // uniform only if every column is bit-equal: a partial last B panel (N not a multiple of
  // nr) or a short thread part must not change the summation order.
  for_each_isa([] {
    std::mt19937 rng(5);
    ThreadPool pool(2);
    for (int64_t n : {1000, 1001, 37, 64, 65, 130, 200}) {
      for (int64_t m : {1, 3, 7}) {
        const int64_t k = 515;
        INFO("m=" << m << " n=" << n);
        auto a = random_values(size_t(m * k), rng);
        for (float& v : a) v *= 1e6f;  // large magnitudes: any reordering shows in the last bits
        auto col = random_values(size_t(k), rng);
        std::vector<float> b(size_t(k * n));
        for (int64_t p = 0; p < k; ++p)
          for (int64_t j = 0; j < n; ++j) b[size_t(p * n + j)] = col[size_t(p)];
        PackedB pb({b.data(), n, false}, k, n);
        PackedA pa({a.data(), k, false}, m, k);
        for (ThreadPool* threads : {static_cast<ThreadPool*>(nullptr), &pool}) {
          for (int mode = 0; mode < 3; ++mode) {
            std::vector<float> c(size_t(m * n), -1.0f);
            if (mode == 0) gemm(m, n, k, {a.data(), k, false}, {b.data(), n, false}, c.data(), n, {}, threads);
            if (mode == 1) gemm(m, {a.data(), k, false}, pb, c.data(), n, {}, threads);
            if (mode == 2) gemm(pa, pb, c.data(), n, {}, threads);
            int bad = 0;
            for (int64_t i = 0; i < m; ++i)
              for (int64_t j = 1; j < n; ++j) bad += c[size_t(i * n + j)] != c[size_t(i * n)];
            INFO("mode " << mode << (threads ? " threaded" : ""));
            CHECK(bad == 0);
          }
        }
      }
    }
  });
}

TEST_CASE("PackedB::set_row fills the packed form row by row", "[gemm]") {
  std::mt19937 rng(3);
  const int64_t k = 11, n = 29, m = 9;
  auto a = random_values(size_t(m * k), rng), b = random_values(size_t(k * n), rng);
  PackedB by_rows;
  by_rows.resize(k, n);
  for (int64_t r = k - 1; r >= 0; --r) by_rows.set_row(r, b.data() + r * n);
  std::vector<float> c1(size_t(m * n)), c2(size_t(m * n));
  gemm(m, {a.data(), k, false}, by_rows, c1.data(), n, {}, nullptr);
  gemm(m, n, k, {a.data(), k, false}, {b.data(), n, false}, c2.data(), n, {}, nullptr);
  CHECK(c1 == c2);
}

// Not run by default: `wisp_unit_tests "[.bench]"` prints GFLOP/s.
TEST_CASE("GEMM benchmark 512x512x512", "[.bench]") {
  std::mt19937 rng(1);
  const int64_t s = 512;
  auto a = random_values(size_t(s * s), rng), b = random_values(size_t(s * s), rng);
  std::vector<float> c(size_t(s * s));
  for (int threads : {1, 2}) {
    ThreadPool pool(threads);
    PackedB pb({b.data(), s, false}, s, s);
    for (int prepacked = 0; prepacked < 2; ++prepacked) {
      auto once = [&] {
        if (prepacked) {
          gemm(s, {a.data(), s, false}, pb, c.data(), s, {}, &pool);
        } else {
          gemm(s, s, s, {a.data(), s, false}, {b.data(), s, false}, c.data(), s, {}, &pool);
        }
      };
      once();
      const int reps = 20;
      // CPU time of the process too: on a loaded machine wall time understates the kernel.
      const std::clock_t cpu0 = std::clock();
      auto t0 = std::chrono::steady_clock::now();
      for (int r = 0; r < reps; ++r) once();
      double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
      double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC / reps;
      const double flop = 2.0 * s * s * s;
      std::printf("gemm 512^3 threads=%d %s: %.1f GFLOP/s wall (%.3f ms), %.1f GFLOP/s per CPU-second\n", threads,
                  prepacked ? "prepacked B" : "packing both", flop / sec * 1e-9, sec * 1e3, flop / cpu * 1e-9);
    }
  }
}
