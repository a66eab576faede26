// GEMM / GEMV micro-benchmark over every kernel set this CPU can run.
//
//   wisp_gemm_bench [--isa NAME] [--threads N] [--size S] [--reps R] [--gemv-k K] [--gemv-n N]
//                   [--cpu-time]
//
// Prints best-of-R GFLOP/s for an S x S x S multiply (B prepacked, and both operands packed
// on the fly) and GB/s for a 1 x K times K x N GEMV (B prepacked, B row-major, B transposed),
// counting the bytes of B read once. Best-of because the machine may be shared.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/kernels/gemm.h"
#include "simd/vec.h"

using namespace wisp;
using namespace wisp::kernels;

namespace {

bool g_cpu_time = false;

double process_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Best of `reps` runs: wall time, or with --cpu-time the CPU time of the process divided by
// the threads (on a machine shared with other jobs the wall time mostly measures waiting).
template <class F>
double best_seconds(int reps, int threads, const F& fn) {
  fn();  // warm-up (packing buffers, page faults)
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_seconds();
    fn();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = (process_cpu_seconds() - c0) / threads;
    best = std::min(best, g_cpu_time ? cpu : wall);
  }
  return best;
}

std::vector<float> random_values(size_t n) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string only;
  int threads = 1, reps = 10;
  int64_t s = 1024, gk = 4096, gn = 4096;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value after %s\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--isa")) only = next();
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(next());
    else if (!std::strcmp(argv[i], "--size")) s = std::atoll(next());
    else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(next());
    else if (!std::strcmp(argv[i], "--gemv-k")) gk = std::atoll(next());
    else if (!std::strcmp(argv[i], "--gemv-n")) gn = std::atoll(next());
    else if (!std::strcmp(argv[i], "--cpu-time")) g_cpu_time = true;
    else {
      std::fprintf(stderr, "usage: %s [--isa NAME] [--threads N] [--size S] [--reps R] [--gemv-k K] [--gemv-n N] [--cpu-time]\n",
                   argv[0]);
      return 2;
    }
  }
  ThreadPool pool(threads);
  ThreadPool* tp = threads > 1 ? &pool : nullptr;
  std::printf("baseline SIMD backend: %s; GEMM kernels available:", simd::backend_name());
  for (const char* n : gemm_isa_names()) std::printf(" %s", n);
  std::printf(" (active: %s); threads %d, best of %d %s\n", gemm_isa_name(), threads, reps,
              g_cpu_time ? "by CPU time" : "by wall time");

  const auto a = random_values(size_t(s * s)), b = random_values(size_t(s * s));
  std::vector<float> c(size_t(s * s));
  const auto x = random_values(size_t(gk)), w = random_values(size_t(gk * gn));
  std::vector<float> y(static_cast<size_t>(gn));

  for (const char* isa : gemm_isa_names()) {
    if (!only.empty() && only != isa) continue;
    set_gemm_isa(isa);
    const double flop = 2.0 * double(s) * double(s) * double(s);
    const PackedB pb({b.data(), s, false}, s, s);
    const double t_pre = best_seconds(reps, threads, [&] { gemm(s, {a.data(), s, false}, pb, c.data(), s, {}, tp); });
    const double t_all =
        best_seconds(reps, threads, [&] { gemm(s, s, s, {a.data(), s, false}, {b.data(), s, false}, c.data(), s, {}, tp); });
    std::printf("%-7s gemm %lldx%lldx%lld: %6.1f GFLOP/s B prepacked, %6.1f GFLOP/s packing both (mr x nr = %lld x %lld)\n",
                isa, (long long)s, (long long)s, (long long)s, flop / t_pre * 1e-9, flop / t_all * 1e-9,
                (long long)gemm_mr(), (long long)gemm_nr());
    const double bytes = 4.0 * double(gk) * double(gn);
    const PackedB pw({w.data(), gn, false}, gk, gn);
    const double g_pre = best_seconds(reps, threads, [&] { gemm(1, {x.data(), gk, false}, pw, y.data(), gn, {}, tp); });
    const double g_raw =
        best_seconds(reps, threads, [&] { gemm(1, gn, gk, {x.data(), gk, false}, {w.data(), gn, false}, y.data(), gn, {}, tp); });
    // The same weights read as B^T (stored N x K, e.g. Gemm transB = 1).
    const double g_t =
        best_seconds(reps, threads, [&] { gemm(1, gn, gk, {x.data(), gk, false}, {w.data(), gk, true}, y.data(), gn, {}, tp); });
    std::printf("%-7s gemv 1x%lld * %lldx%lld: %5.1f GB/s B prepacked, %5.1f GB/s B row-major, %5.1f GB/s B transposed\n",
                isa, (long long)gk, (long long)gk, (long long)gn, bytes / g_pre * 1e-9, bytes / g_raw * 1e-9,
                bytes / g_t * 1e-9);
  }
  return 0;
}
