// Standalone check of the SIMD layer and the GEMM kernels for targets the Catch2 unit tests
// do not run on: built by tests/simd/neon_qemu.sh for AArch64 (run under qemu-aarch64) and
// by tests/simd/wasm_relaxed.sh for wasm32-wasi with relaxed SIMD (run under Node). Checks
// the baseline vector type F32x, then the whole GEMM (packing, blocking, epilogues, GEMV
// paths) against a double-precision reference. Exit code 0 when every check passed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "core/kernels/gemm.h"
#include "simd/vec.h"

namespace {

int g_failures = 0;
int g_checks = 0;
#define CHECK(cond)                                                          \
  do {                                                                       \
    ++g_checks;                                                              \
    if (!(cond)) {                                                           \
      if (g_failures++ < 20) std::printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                        \
  } while (0)

#include "tests/simd/backend_checks.inc"

using namespace wisp::kernels;

void check_gemm(int64_t m, int64_t n, int64_t k, bool ta, bool tb, int mode, bool epilogue, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const int64_t lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
  std::vector<float> a(size_t((ta ? k : m) * lda)), b(size_t((tb ? n : k) * ldb)), c(size_t(m * ldc));
  std::vector<float> rb(static_cast<size_t>(m)), cb(static_cast<size_t>(n));
  for (auto* v : {&a, &b, &c, &rb, &cb})
    for (auto& x : *v) x = dist(rng);
  const MatrixView av{a.data(), lda, ta}, bv{b.data(), ldb, tb};
  GemmEpilogue ep;
  if (epilogue) {
    ep.alpha = 0.5f, ep.beta = -1.0f, ep.row_bias = rb.data(), ep.col_bias = cb.data(), ep.clamp_min = 0.0f;
  }
  std::vector<float> expected = c;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p) s += double(av.at(i, p)) * double(bv.at(p, j));
      double x = ep.alpha * s + (ep.beta != 0.0f ? ep.beta * c[size_t(i * ldc + j)] : 0.0);
      if (ep.row_bias) x += rb[size_t(i)];
      if (ep.col_bias) x += cb[size_t(j)];
      expected[size_t(i * ldc + j)] = float(std::max(x, double(ep.clamp_min)));
    }
  std::vector<float> out = c;
  if (mode == 0) {
    gemm(m, n, k, av, bv, out.data(), ldc, ep, nullptr);
  } else if (mode == 1) {
    const PackedB pb(bv, k, n);
    gemm(m, av, pb, out.data(), ldc, ep, nullptr);
  } else {
    const PackedA pa(av, m, k);
    gemm(pa, n, bv, out.data(), ldc, ep, nullptr);
  }
  int bad = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      const float e = expected[size_t(i * ldc + j)], g = out[size_t(i * ldc + j)];
      const float tol = j < n ? 1e-4f * std::sqrt(float(k) + 1) + 1e-5f * std::abs(e) : 0.0f;
      if (!(std::abs(g - e) <= tol) && bad++ < 3)
        std::printf("  m=%lld n=%lld k=%lld ta=%d tb=%d mode=%d: C(%lld,%lld) = %g, expected %g\n", (long long)m,
                    (long long)n, (long long)k, ta, tb, mode, (long long)i, (long long)j, g, e);
    }
  CHECK(bad == 0);
}

}  // namespace

int main() {
  std::printf("SIMD backend: %s (%d lanes); GEMM kernels: %s (mr x nr = %lld x %lld)\n", wisp::simd::F32x::kName,
              wisp::simd::F32x::kLanes, gemm_isa_name(), (long long)gemm_mr(), (long long)gemm_nr());
  check_backend<wisp::simd::F32x>();
  check_backend<wisp::simd::ScalarF32<4>>();
  std::mt19937 rng(5);
  const int64_t shapes[][3] = {{1, 1, 1},   {7, 13, 5},  {8, 12, 9},    {9, 25, 300}, {33, 70, 41},
                               {1, 300, 77}, {1, 20, 9}, {150, 1, 130}, {17, 1, 3},   {40, 100, 520}};
  for (const auto& s : shapes)
    for (int t = 0; t < 4; ++t)
      for (int mode = 0; mode < 3; ++mode) check_gemm(s[0], s[1], s[2], t & 1, t & 2, mode, (t + mode) & 1, rng);
  std::printf("%d checks, %d failed\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}
