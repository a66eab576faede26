// Unit tests of the SIMD layer: every backend compiled into this (baseline) build, against
// scalar math, and the GEMM kernel-set dispatch. The AVX-512 type only exists in code
// compiled for AVX-512: tests/simd/x86_check.sh runs the same checks (and the GEMM) built
// with -mavx512f; here it is covered through the GEMM tests of every kernel set.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/kernels/gemm.h"
#include "simd/vec.h"

using namespace wisp::simd;

namespace {
#include "tests/simd/backend_checks.inc"
}  // namespace

TEST_CASE("SIMD layer: scalar backends", "[simd]") {
  check_backend<ScalarF32<1>>();
  check_backend<ScalarF32<4>>();
}

TEST_CASE("SIMD layer: compiled-in native backend", "[simd]") {
  INFO("backend " << F32x::kName);
  check_backend<F32x>();
  CHECK(std::string(backend_name()) == F32x::kName);
#if defined(__AVX2__) && defined(__FMA__)
  CHECK(F32x::kLanes == 8);
  check_backend<Avx2F32>();
#endif
#if defined(__SSE4_1__)
  check_backend<Sse4F32>();
#endif
}

TEST_CASE("GEMM dispatch lists the kernel sets this CPU runs and switches between them", "[simd][gemm]") {
  using namespace wisp::kernels;
  const std::vector<const char*> names = gemm_isa_names();
  REQUIRE(!names.empty());
  const std::string original = gemm_isa_name();
  for (const char* n : names) {
    CHECK(set_gemm_isa(n));
    CHECK(std::string(gemm_isa_name()) == n);
    CHECK(gemm_mr() >= 1);
    CHECK(gemm_nr() % 4 == 0);
  }
  CHECK_FALSE(set_gemm_isa("no-such-isa"));
  CHECK(set_gemm_isa(original.c_str()));
#if defined(WISP_SIMD_DISPATCH_X86)
  // The portable reference set is always there on x86, AVX2 whenever the CPU has it.
  CHECK(std::find_if(names.begin(), names.end(), [](const char* n) { return std::string(n) == "scalar"; }) !=
        names.end());
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    CHECK(std::find_if(names.begin(), names.end(), [](const char* n) { return std::string(n) == "avx2"; }) !=
          names.end());
  }
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
    CHECK(std::string(names.front()) == "avx512");  // listed first: the default when WISP_SIMD is unset
  }
#endif
}
