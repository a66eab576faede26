// Unit tests of the SIMD layer: every backend compiled into this build against scalar math.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "simd/vec.h"

using namespace wisp::simd;

namespace {

template <class V>
void check_backend() {
  constexpr int L = V::kLanes;
  INFO("backend " << V::kName);
  alignas(64) float a[L], b[L], c[L], out[L];
  for (int i = 0; i < L; ++i) {
    a[i] = 1.5f * float(i) - 3.0f;
    b[i] = 0.25f * float(i * i) + 1.0f;
    c[i] = -2.0f + float(i);
  }
  const V va = V::load(a), vb = V::loadu(b), vc = V::loadu(c);
  (va + vb).storeu(out);
  for (int i = 0; i < L; ++i) CHECK(out[i] == a[i] + b[i]);
  (va - vb).storeu(out);
  for (int i = 0; i < L; ++i) CHECK(out[i] == a[i] - b[i]);
  (va * vb).store(out);
  for (int i = 0; i < L; ++i) CHECK(out[i] == a[i] * b[i]);
  V::fma(va, vb, vc).storeu(out);
  for (int i = 0; i < L; ++i) CHECK(out[i] == Approx(a[i] * b[i] + c[i]));
  V::max(va, vc).storeu(out);
  for (int i = 0; i < L; ++i) CHECK(out[i] == std::max(a[i], c[i]));
  V::min(va, vc).storeu(out);
  for (int i = 0; i < L; ++i) CHECK(out[i] == std::min(a[i], c[i]));
  V::broadcast(7.0f).storeu(out);
  for (int i = 0; i < L; ++i) CHECK(out[i] == 7.0f);
  V::zero().storeu(out);
  for (int i = 0; i < L; ++i) CHECK(out[i] == 0.0f);

  float sum = 0, mx = b[0];
  for (int i = 0; i < L; ++i) sum += b[i], mx = std::max(mx, b[i]);
  CHECK(vb.reduce_add() == Approx(sum));
  CHECK(vb.reduce_max() == mx);

  // Partial loads read only n values and zero the rest; partial stores write only n.
  for (int n = 0; n <= L; ++n) {
    std::vector<float> src(size_t(n) + 1, 5.0f);  // one guard element past n
    src[size_t(n)] = 99.0f;
    V::load_partial(src.data(), n).storeu(out);
    for (int i = 0; i < L; ++i) CHECK(out[i] == (i < n ? 5.0f : 0.0f));
    std::vector<float> dst(size_t(L) + 1, -1.0f);
    V::broadcast(3.0f).store_partial(dst.data(), n);
    for (int i = 0; i <= L; ++i) CHECK(dst[size_t(i)] == (i < n ? 3.0f : -1.0f));
  }
}

}  // namespace

TEST_CASE("SIMD layer: scalar backends", "[simd]") {
  check_backend<ScalarF32<1>>();
  check_backend<ScalarF32<4>>();
}

TEST_CASE("SIMD layer: compiled-in native backend", "[simd]") {
  check_backend<F32x>();
  CHECK(std::string(backend_name()) == F32x::kName);
#if defined(__AVX2__) && defined(__FMA__)
  CHECK(F32x::kLanes == 8);
  check_backend<Avx2F32>();
#endif
}
