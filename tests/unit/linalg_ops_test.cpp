// Unit tests of MatMul and Gemm against reference loops: broadcasting batch dims, 1-D
// operands, constant (prepacked) B, the integer/double paths, Gemm attributes and C broadcast.
#include <random>

#include "tests/unit/op_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

Tensor random_tensor(const Shape& shape, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(size_t(numel(shape)));
  for (auto& x : v) x = dist(rng);
  return Tensor::from_vector<float>(shape, v);
}

// numpy.matmul on float tensors, computed in double.
Tensor reference_matmul(const Tensor& a, const Tensor& b) {
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  Shape batch = broadcast_shapes(ab, bb).value();
  Shape out = batch;
  if (a.rank() > 1) out.push_back(m);
  if (b.rank() > 1) out.push_back(n);
  Tensor y = Tensor::zeros(DType::Float32, out).value();
  const int64_t batches = numel(batch);
  auto offset = [&](const Shape& own, int64_t index) {
    int64_t off = 0, stride = 1;
    for (int64_t d = int64_t(batch.size()) - 1; d >= 0; --d) {
      const int64_t coord = index % batch[size_t(d)];
      index /= batch[size_t(d)];
      const int64_t od = d - int64_t(batch.size() - own.size());
      if (od >= 0) {
        if (own[size_t(od)] != 1) off += coord * stride;
        stride *= own[size_t(od)];
      }
    }
    return off;
  };
  for (int64_t bi = 0; bi < batches; ++bi) {
    const float* ap = a.data<float>() + offset(ab, bi) * m * k;
    const float* bp = b.data<float>() + offset(bb, bi) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p) s += double(ap[i * k + p]) * double(bp[p * n + j]);
        y.data<float>()[(bi * m + i) * n + j] = float(s);
      }
  }
  return y;
}

}  // namespace

TEST_CASE("MatMul: broadcasting, 1-D operands and prepacked B", "[gemm]") {
  std::mt19937 rng(3);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 4}, {4, 5}},          {{7}, {7, 3}},         {{3, 7}, {7}},         {{5}, {5}},
      {{2, 3, 4}, {4, 6}},       {{4, 6}, {2, 6, 3}},   {{2, 1, 3, 4}, {5, 4, 2}}, {{1, 3, 4}, {2, 4, 5}},
      {{8, 20, 33}, {8, 33, 17}}, {{2, 70, 130}, {130, 40}}, {{3, 0, 4}, {4, 2}},  {{2, 3, 0}, {0, 4}},
      {{6}, {2, 6, 3}},
  };
  for (const auto& [sa, sb] : cases) {
    for (bool constant_b : {false, true}) {
      INFO(shape_to_string(sa) << " x " << shape_to_string(sb) << " constant B " << constant_b);
      Tensor a = random_tensor(sa, rng), b = random_tensor(sb, rng);
      OpTest t{"MatMul"};
      t.inputs = {a, b};
      t.constant_inputs = {false, constant_b};
      auto r = t.run();
      INFO(r.status().message());
      REQUIRE(r.is_ok());
      check_tensor(r.value()[0], reference_matmul(a, b), 1e-4, 1e-4);
    }
  }
}

TEST_CASE("MatMul: integer and double types, errors", "[gemm]") {
  OpTest t{"MatMul"};
  t.inputs = {Tensor::from_vector<int64_t>({2, 2}, {1, 2, 3, 4}), Tensor::from_vector<int64_t>({2}, {5, 6})};
  auto r = t.run();
  REQUIRE(r.is_ok());
  check_tensor(r.value()[0], Tensor::from_vector<int64_t>({2}, {17, 39}));
  OpTest d{"MatMul"};
  d.inputs = {Tensor::from_vector<double>({1, 2}, {0.5, 2}), Tensor::from_vector<double>({2, 1}, {4, 0.25})};
  r = d.run();
  REQUIRE(r.is_ok());
  check_tensor(r.value()[0], Tensor::from_vector<double>({1, 1}, {2.5}));
  OpTest i32{"MatMul"};
  i32.inputs = {Tensor::from_vector<int32_t>({1, 3}, {1, 2, 3}), Tensor::from_vector<int32_t>({3, 1}, {-1, 0, 2})};
  r = i32.run();
  REQUIRE(r.is_ok());
  check_tensor(r.value()[0], Tensor::from_vector<int32_t>({1, 1}, {5}));

  OpTest inner{"MatMul"};
  inner.inputs = {Tensor::from_vector<float>({2, 3}, std::vector<float>(6)), Tensor::from_vector<float>({2, 3}, std::vector<float>(6))};
  r = inner.run();
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("inner dimensions") != std::string::npos);
  OpTest batch{"MatMul"};
  batch.inputs = {Tensor::from_vector<float>({2, 1, 2}, std::vector<float>(4)),
                  Tensor::from_vector<float>({3, 2, 1}, std::vector<float>(6))};
  r = batch.run();
  REQUIRE_FALSE(r.is_ok());
  OpTest types{"MatMul"};
  types.inputs = {Tensor::from_vector<float>({1, 1}, {1}), Tensor::from_vector<double>({1, 1}, {1})};
  r = types.run();
  REQUIRE_FALSE(r.is_ok());
}

TEST_CASE("Gemm: transposes, alpha/beta, C broadcast, prepacked B", "[gemm]") {
  std::mt19937 rng(4);
  const int64_t m = 9, n = 21, k = 13;
  for (int variant = 0; variant < 32; ++variant) {
    const bool ta = variant & 1, tb = variant & 2, constant_b = variant & 4;
    const int c_kind = (variant >> 3) % 4;  // none, scalar, [N], [M, 1]
    Tensor a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, rng), b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, rng);
    Shape cs = c_kind == 1 ? Shape{} : c_kind == 2 ? Shape{n} : Shape{m, 1};
    Tensor c = random_tensor(cs, rng);
    const float alpha = 0.75f, beta = variant >= 16 ? 0.0f : -1.25f;
    OpTest t{"Gemm"};
    t.inputs = {a, b};
    if (c_kind) t.inputs.push_back(c);
    t.constant_inputs = {false, constant_b, constant_b};
    t.attr("transA", int64_t(ta));
    t.attr("transB", int64_t(tb));
    t.attr("alpha", alpha);
    t.attr("beta", beta);
    auto r = t.run();
    INFO("variant " << variant << ": " << r.status().message());
    REQUIRE(r.is_ok());
    std::vector<float> expected(size_t(m * n));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p)
          s += double(a.data<float>()[ta ? p * m + i : i * k + p]) * double(b.data<float>()[tb ? j * k + p : p * n + j]);
        double cv = c_kind == 0 ? 0.0 : c_kind == 1 ? c.data<float>()[0] : c_kind == 2 ? c.data<float>()[j] : c.data<float>()[i];
        expected[size_t(i * n + j)] = float(alpha * s + beta * cv);
      }
    check_tensor(r.value()[0], Tensor::from_vector<float>({m, n}, expected), 1e-4, 1e-4);
  }
  OpTest bad{"Gemm"};
  bad.inputs = {random_tensor({2, 3}, rng), random_tensor({2, 3}, rng)};
  auto r = bad.run();
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("inner dimensions") != std::string::npos);
  OpTest badc{"Gemm"};
  badc.inputs = {random_tensor({2, 3}, rng), random_tensor({3, 4}, rng), random_tensor({3}, rng)};
  r = badc.run();
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("broadcast") != std::string::npos);
}

TEST_CASE("MatMulInteger and QLinearMatMul", "[gemm]") {
  // A uint8 [2, 3] with per-row zero points, B int8 [3, 2] with a scalar zero point.
  Tensor a = Tensor::from_vector<uint8_t>({2, 3}, {10, 20, 30, 1, 2, 3});
  Tensor b = Tensor::from_vector<int8_t>({3, 2}, {1, -2, 3, 4, -5, 6});
  OpTest t{"MatMulInteger"};
  t.inputs = {a, b, Tensor::from_vector<uint8_t>({2}, {10, 1}), Tensor::from_vector<int8_t>({}, {1})};
  auto r = t.run();
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  // (A - za) = [[0, 10, 20], [0, 1, 2]]; (B - 1) = [[0, -3], [2, 3], [-6, 5]].
  check_tensor(r.value()[0], Tensor::from_vector<int32_t>({2, 2}, {-100, 130, -10, 13}));

  OpTest q{"QLinearMatMul"};
  q.inputs = {a, Tensor::from_vector<float>({}, {0.5f}), Tensor::from_vector<uint8_t>({}, {10}),
              b, Tensor::from_vector<float>({}, {0.25f}), Tensor::from_vector<int8_t>({}, {1}),
              Tensor::from_vector<float>({}, {2.0f}), Tensor::from_vector<uint8_t>({}, {100})};
  r = q.run();
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  // acc * 0.5 * 0.25 / 2 + 100, rounded half to even and saturated: A rows 0 then 1.
  // row 0: [0, 10, 20]·cols -> -140+... computed with the same zero points as above but za = 10.
  std::vector<int32_t> acc = {0 * 0 + 10 * 2 + 20 * -6, 0 * -3 + 10 * 3 + 20 * 5, -9 * 0 + -8 * 2 + -7 * -6,
                              -9 * -3 + -8 * 3 + -7 * 5};
  std::vector<uint8_t> expected;
  for (int32_t v : acc) expected.push_back(uint8_t(std::clamp(std::nearbyint(float(v) * 0.0625f) + 100.0f, 0.0f, 255.0f)));
  check_tensor(r.value()[0], Tensor::from_vector<uint8_t>({2, 2}, expected));

  OpTest bad{"MatMulInteger"};
  bad.inputs = {Tensor::from_vector<float>({1, 1}, {1}), Tensor::from_vector<float>({1, 1}, {1})};
  r = bad.run();
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("uint8 or int8") != std::string::npos);
}
