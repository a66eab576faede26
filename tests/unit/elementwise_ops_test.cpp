#include <cmath>
#include <limits>

#include "core/ops/elementwise/broadcast.h"
#include "core/ops/elementwise/drivers.h"
#include "core/ops/elementwise/fast_math.h"
#include "tests/unit/op_test_util.h"

using namespace wisp;
using wisp::testing::check_tensor;
using wisp::testing::OpTest;

namespace {

template <typename T>
Tensor tv(Shape shape, std::vector<T> values) {
  return Tensor::from_vector<T>(std::move(shape), values);
}
OpTest op(const std::string& type, int64_t opset, std::vector<Tensor> inputs) {
  OpTest test;
  test.op_type = type;
  test.opset = opset;
  test.inputs = std::move(inputs);
  return test;
}

Tensor f32(Shape shape, std::vector<float> values) { return tv<float>(std::move(shape), std::move(values)); }

// Runs a single-output op and returns its output (fails the test on error).
Tensor run1(const OpTest& test) {
  auto result = test.run();
  INFO(result.status().message());
  REQUIRE(result.is_ok());
  return result.value()[0];
}

Status run_error(const OpTest& test) {
  auto result = test.run();
  REQUIRE_FALSE(result.is_ok());
  return result.status();
}

std::vector<float> iota(int64_t n, float start = 0, float step = 1) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = start + step * float(i);
  return v;
}

}  // namespace

TEST_CASE("BroadcastPlan collapses dimensions", "[elementwise]") {
  using elementwise::BroadcastPlan;
  Shape a{2, 3, 4, 5}, c{3, 1, 1}, s{}, row{5};
  auto same = BroadcastPlan::make({&a, &a});
  REQUIRE(same.is_ok());
  CHECK(same->out_shape() == a);
  CHECK(same->inner_stride(0) == 1);
  CHECK(same->inner_stride(1) == 1);

  auto channel = BroadcastPlan::make({&a, &c});
  REQUIRE(channel.is_ok());
  CHECK(channel->out_shape() == a);
  CHECK(channel->inner_stride(1) == 0);
  // Runs are whole H*W planes.
  int runs = 0;
  channel->for_each_run(0, channel->numel(), [&](int64_t pos, const int64_t* off, int64_t count) {
    CHECK(count == 20);
    CHECK(off[0] == pos);
    CHECK(off[1] == (pos / 20) % 3);
    ++runs;
  });
  CHECK(runs == 6);

  auto scalar = BroadcastPlan::make({&s, &a});
  REQUIRE(scalar.is_ok());
  CHECK(scalar->inner_stride(0) == 0);

  // A range that starts and ends mid-row.
  auto rows = BroadcastPlan::make({&a, &row});
  REQUIRE(rows.is_ok());
  int64_t total = 0;
  rows->for_each_run(7, 33, [&](int64_t pos, const int64_t* off, int64_t count) {
    CHECK(off[0] == pos);
    total += count;
  });
  CHECK(total == 26);

  Shape bad{4};
  auto err = BroadcastPlan::make({&a, &bad});
  REQUIRE_FALSE(err.is_ok());
  CHECK(err.status().message().find("[2, 3, 4, 5] and [4]") != std::string::npos);
}

TEST_CASE("Add broadcasts in every direction", "[elementwise]") {
  check_tensor(run1(op("Add", 17, {f32({2, 2}, {1, 2, 3, 4}), f32({2, 2}, {10, 20, 30, 40})})),
               f32({2, 2}, {11, 22, 33, 44}));
  check_tensor(run1(op("Add", 17, {f32({2, 2}, {1, 2, 3, 4}), f32({}, {1})})), f32({2, 2}, {2, 3, 4, 5}));
  check_tensor(run1(op("Add", 17, {f32({}, {1}), f32({2, 2}, {1, 2, 3, 4})})), f32({2, 2}, {2, 3, 4, 5}));
  check_tensor(run1(op("Add", 17, {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3}, {10, 20, 30})})),
               f32({2, 3}, {11, 22, 33, 14, 25, 36}));
  check_tensor(run1(op("Add", 17, {f32({3, 1}, {1, 2, 3}), f32({1, 2}, {10, 20})})),
               f32({3, 2}, {11, 21, 12, 22, 13, 23}));
  // Empty tensors broadcast to empty outputs.
  check_tensor(run1(op("Add", 17, {f32({0, 3}, {}), f32({3}, {1, 2, 3})})), f32({0, 3}, {}));
  check_tensor(run1(op("Add", 17, {tv<uint8_t>({2}, {250, 3}), tv<uint8_t>({2}, {10, 4})})),
               tv<uint8_t>({2}, {4, 7}));
}

TEST_CASE("Large channel broadcast matches a naive loop (threaded)", "[elementwise]") {
  const int64_t n = 2, c = 16, hw = 64 * 65;
  std::vector<float> x = iota(n * c * hw, -1000.0f, 0.37f);
  std::vector<float> bias = iota(c, 1.0f, 0.5f);
  for (std::string name : {"Add", "Mul", "Div", "Sub"}) {
    std::vector<float> expected(x.size());
    for (int64_t i = 0; i < int64_t(x.size()); ++i) {
      float b = bias[size_t((i / hw) % c)];
      float a = x[size_t(i)];
      expected[size_t(i)] = name == "Add" ? a + b : name == "Mul" ? a * b : name == "Div" ? a / b : a - b;
    }
    INFO(name);
    check_tensor(run1(op(name, 17, {f32({n, c, 64, 65}, x), f32({c, 1, 1}, bias)})), f32({n, c, 64, 65}, expected));
  }
}

// The drivers take a separate loop when the output is an input exactly (in-place execution,
// drivers.h: map_run): it must give the same values, NaN included, on every path.
TEST_CASE("In-place unary and binary maps equal the out-of-place ones", "[elementwise]") {
  const int64_t c = 3, hw = 1001;  // odd lengths: vector tails
  std::vector<float> x = iota(c * hw, -700.0f, 0.77f), y = iota(c * hw, 5.0f, -0.31f), bias = {1.5f, -2.0f, 0.25f};
  x[17] = y[18] = std::numeric_limits<float>::quiet_NaN();
  const auto clip = [](float v) {
    v = v < -3.0f ? -3.0f : v;
    return v > 6.0f ? 6.0f : v;
  };
  const auto sub = [](float a, float b) { return a - b; };
  const auto same = [](const std::vector<float>& got, const std::vector<float>& want) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      INFO(i);
      CHECK((got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i]))));
    }
  };
  const int64_t n = c * hw;
  std::vector<float> apart(x.size()), inplace = x;
  elementwise::unary_map(x.data(), apart.data(), n, clip, nullptr, 64);
  elementwise::unary_map(inplace.data(), inplace.data(), n, clip, nullptr, 64);
  same(inplace, apart);

  Shape full{c, hw}, channel{c, 1};
  for (const Shape* b_shape : {&full, &channel}) {
    const std::vector<float>& b = b_shape == &full ? y : bias;
    auto plan = elementwise::BroadcastPlan::make({&full, b_shape});
    REQUIRE(plan.is_ok());
    std::vector<float> want(x.size()), over_a = x;
    elementwise::binary_broadcast(*plan, x.data(), b.data(), want.data(), sub, nullptr, 64);
    elementwise::binary_broadcast(*plan, over_a.data(), b.data(), over_a.data(), sub, nullptr, 64);
    same(over_a, want);
    if (b_shape == &full) {  // in place over b
      std::vector<float> over_b = y;
      elementwise::binary_broadcast(*plan, x.data(), over_b.data(), over_b.data(), sub, nullptr, 64);
      same(over_b, want);
    }
  }
}

// The types outside is_hot_v take drivers.h's plain strided loop: checked against a loop
// written here, with the channel operand on either side (stride 0 for a, then for b) and in
// place over each input.
template <typename T>
void check_cold_type_maps() {
  static_assert(!elementwise::is_hot_v<T>);
  const int64_t c = 3, hw = 37;
  std::vector<T> x(size_t(c * hw)), y(x.size()), channel = {T(1), T(7), T(100)};
  for (size_t i = 0; i < x.size(); ++i) x[i] = T((i * 37) % 251), y[i] = T((i * 11) % 97);
  const auto sub = [](auto a, auto b) { return decltype(a)(a - b); };
  const auto twice = [](auto v) { return decltype(v)(v + v); };
  std::vector<T> doubled(x.size()), inplace = x;
  elementwise::unary_map(x.data(), doubled.data(), c * hw, twice, nullptr, 16);
  elementwise::unary_map(inplace.data(), inplace.data(), c * hw, twice, nullptr, 16);
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(doubled[i] == T(x[i] + x[i]));
    CHECK(inplace[i] == doubled[i]);
  }
  Shape full{c, hw}, per_channel{c, 1};
  for (bool channel_first : {false, true}) {
    for (const Shape* b_shape : {&full, &per_channel}) {
      const bool broadcast = b_shape == &per_channel;
      const std::vector<T>& other = broadcast ? channel : y;
      const Shape& a_shape = channel_first && broadcast ? per_channel : full;
      const Shape& other_shape = channel_first && broadcast ? full : *b_shape;
      const std::vector<T>& a = channel_first && broadcast ? channel : x;
      const std::vector<T>& b = channel_first && broadcast ? x : other;
      auto plan = elementwise::BroadcastPlan::make({&a_shape, &other_shape});
      REQUIRE(plan.is_ok());
      std::vector<T> want(x.size()), got(x.size());
      for (int64_t i = 0; i < c * hw; ++i) {
        const T av = a.size() == x.size() ? a[size_t(i)] : a[size_t(i / hw)];
        const T bv = b.size() == x.size() ? b[size_t(i)] : b[size_t(i / hw)];
        want[size_t(i)] = T(av - bv);
      }
      elementwise::binary_broadcast(*plan, a.data(), b.data(), got.data(), sub, nullptr, 16);
      CHECK(got == want);
      // In place over whichever input has the output's shape.
      std::vector<T> over = a.size() == x.size() ? a : b;
      if (a.size() == x.size()) {
        elementwise::binary_broadcast(*plan, over.data(), b.data(), over.data(), sub, nullptr, 16);
      } else {
        elementwise::binary_broadcast(*plan, a.data(), over.data(), over.data(), sub, nullptr, 16);
      }
      CHECK(over == want);
    }
  }
}

TEST_CASE("Cold element types (uint8, double) map and broadcast like a plain loop", "[elementwise]") {
  check_cold_type_maps<uint8_t>();
  check_cold_type_maps<double>();
}

TEST_CASE("Binary ops reject bad inputs with clear errors", "[elementwise]") {
  Status s = run_error(op("Add", 17, {f32({2, 3}, iota(6)), f32({4}, iota(4))}));
  CHECK(s.code() == ErrorCode::InvalidArgument);
  CHECK(s.message().find("cannot be broadcast") != std::string::npos);
  CHECK(s.message().find("Add") != std::string::npos);

  s = run_error(op("Mul", 17, {f32({2}, {1, 2}), tv<int32_t>({2}, {1, 2})}));
  CHECK(s.message().find("input types differ") != std::string::npos);

  s = run_error(op("And", 17, {f32({2}, {1, 2}), f32({2}, {1, 2})}));
  CHECK(s.code() == ErrorCode::Unsupported);
}

TEST_CASE("Integer Div and Mod never trap", "[elementwise]") {
  check_tensor(run1(op("Div", 17, {tv<int32_t>({4}, {7, -7, 5, INT32_MIN}), tv<int32_t>({4}, {2, 2, 0, -1})})),
               tv<int32_t>({4}, {3, -3, 0, INT32_MIN}));
  check_tensor(run1(op("Mod", 17, {tv<int32_t>({4}, {7, -7, 7, -7}), tv<int32_t>({4}, {3, 3, -3, 0})})),
               tv<int32_t>({4}, {1, 2, -2, 0}));
  check_tensor(run1(op("Mod", 17, {tv<int64_t>({3}, {7, -7, 7}), tv<int64_t>({3}, {3, 3, -3})})
                        .attr("fmod", int64_t(1))),
               tv<int64_t>({3}, {1, -1, 1}));
  check_tensor(run1(op("Mod", 17, {f32({2}, {-4.5f, 4.5f}), f32({2}, {2, -2})}).attr("fmod", int64_t(1))),
               f32({2}, {-0.5f, 0.5f}));
}

TEST_CASE("Pow mixes base and exponent types", "[elementwise]") {
  check_tensor(run1(op("Pow", 15, {f32({3}, {2, 3, 4}), tv<int64_t>({3}, {2, 0, -1})})), f32({3}, {4, 1, 0.25f}));
  check_tensor(run1(op("Pow", 15, {tv<int64_t>({3}, {3, 2, -2}), tv<int64_t>({3}, {3, 40, 3})})),
               tv<int64_t>({3}, {27, int64_t(1) << 40, -8}));
  check_tensor(run1(op("Pow", 15, {tv<int32_t>({2}, {4, 9}), f32({1}, {0.5f})})), tv<int32_t>({2}, {2, 3}));
}

TEST_CASE("Variadic Sum, Mean, Max, Min", "[elementwise]") {
  Tensor a = f32({3}, {1, 5, 3}), b = f32({1}, {4}), c = f32({2, 1}, {0, 6});
  check_tensor(run1(op("Sum", 13, {a})), a);
  check_tensor(run1(op("Sum", 13, {a, b, c})), f32({2, 3}, {5, 9, 7, 11, 15, 13}));
  check_tensor(run1(op("Mean", 13, {a, b})), f32({3}, {2.5f, 4.5f, 3.5f}));
  check_tensor(run1(op("Max", 13, {a, b, c})), f32({2, 3}, {4, 5, 4, 6, 6, 6}));
  check_tensor(run1(op("Min", 13, {tv<int8_t>({2}, {-3, 7}), tv<int8_t>({2}, {2, 1})})), tv<int8_t>({2}, {-3, 1}));
}

TEST_CASE("Comparisons, logic, bitwise and Where", "[elementwise]") {
  Tensor a = f32({4}, {1, 2, 3, NAN}), b = f32({}, {2});
  check_tensor(run1(op("Equal", 13, {a, b})), tv<bool>({4}, {false, true, false, false}));
  check_tensor(run1(op("Less", 13, {a, b})), tv<bool>({4}, {true, false, false, false}));
  check_tensor(run1(op("LessOrEqual", 16, {a, b})), tv<bool>({4}, {true, true, false, false}));
  check_tensor(run1(op("Greater", 13, {a, b})), tv<bool>({4}, {false, false, true, false}));
  check_tensor(run1(op("GreaterOrEqual", 16, {a, b})), tv<bool>({4}, {false, true, true, false}));
  check_tensor(run1(op("Equal", 19, {Tensor::from_strings({2}, {"x", "y"}), Tensor::from_strings({}, {"y"})})),
               tv<bool>({2}, {false, true}));

  Tensor t = tv<bool>({2, 2}, {true, true, false, false}), u = tv<bool>({2}, {true, false});
  check_tensor(run1(op("And", 7, {t, u})), tv<bool>({2, 2}, {true, false, false, false}));
  check_tensor(run1(op("Or", 7, {t, u})), tv<bool>({2, 2}, {true, true, true, false}));
  check_tensor(run1(op("Xor", 7, {t, u})), tv<bool>({2, 2}, {false, true, true, false}));
  check_tensor(run1(op("Not", 1, {u})), tv<bool>({2}, {false, true}));

  check_tensor(run1(op("BitwiseAnd", 18, {tv<int32_t>({2}, {12, -1}), tv<int32_t>({2}, {10, 5})})),
               tv<int32_t>({2}, {8, 5}));
  check_tensor(run1(op("BitwiseNot", 18, {tv<uint8_t>({2}, {0, 15})})), tv<uint8_t>({2}, {255, 240}));
  check_tensor(run1(op("BitShift", 11, {tv<uint8_t>({3}, {1, 2, 128}), tv<uint8_t>({3}, {1, 9, 7})})
                        .attr("direction", std::string("LEFT"))),
               tv<uint8_t>({3}, {2, 0, 0}));
  check_tensor(run1(op("BitShift", 11, {tv<uint32_t>({2}, {16, 7}), tv<uint32_t>({1}, {2})})
                        .attr("direction", std::string("RIGHT"))),
               tv<uint32_t>({2}, {4, 1}));

  check_tensor(run1(op("Where", 16, {tv<bool>({2, 1}, {true, false}), f32({2}, {1, 2}), f32({}, {9})})),
               f32({2, 2}, {1, 2, 9, 9}));
  Tensor w = run1(op("Where", 16, {tv<bool>({2}, {false, true}), Tensor::from_strings({2}, {"a", "b"}),
                                     Tensor::from_strings({1}, {"z"})}));
  REQUIRE(w.dtype() == DType::String);
  CHECK(w.strings()[0] == "z");
  CHECK(w.strings()[1] == "b");
}

TEST_CASE("PRelu broadcasts the slope to X only", "[elementwise]") {
  check_tensor(run1(op("PRelu", 16, {f32({2, 2}, {-1, 2, -3, 4}), f32({2}, {0.5f, 0.1f})})),
               f32({2, 2}, {-0.5f, 2, -1.5f, 4}));
  Status s = run_error(op("PRelu", 16, {f32({2}, {-1, 2}), f32({2, 2}, {1, 1, 1, 1})}));
  CHECK(s.message().find("does not broadcast to X") != std::string::npos);
}

TEST_CASE("Unary math functions", "[elementwise]") {
  check_tensor(run1(op("Abs", 13, {tv<int16_t>({3}, {-3, 0, 4})})), tv<int16_t>({3}, {3, 0, 4}));
  check_tensor(run1(op("Neg", 13, {f32({2}, {1, -2})})), f32({2}, {-1, 2}));
  check_tensor(run1(op("Sign", 13, {f32({3}, {-2, 0, 7})})), f32({3}, {-1, 0, 1}));
  check_tensor(run1(op("Round", 11, {f32({6}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f})})),
               f32({6}, {0, 2, 2, -0, -2, 2}));
  check_tensor(run1(op("Floor", 13, {f32({2}, {-1.5f, 1.5f})})), f32({2}, {-2, 1}));
  check_tensor(run1(op("Sqrt", 13, {tv<double>({2}, {4, 9})})), tv<double>({2}, {2, 3}));
  check_tensor(run1(op("Erf", 13, {f32({2}, {0, 1})})), f32({2}, {0, std::erf(1.0f)}));
  check_tensor(run1(op("Reciprocal", 13, {f32({2}, {2, -4})})), f32({2}, {0.5f, -0.25f}));
  check_tensor(run1(op("IsNaN", 13, {f32({2}, {NAN, 1})})), tv<bool>({2}, {true, false}));
  Tensor inf = f32({3}, {INFINITY, -INFINITY, 1});
  check_tensor(run1(op("IsInf", 10, {inf})), tv<bool>({3}, {true, true, false}));
  check_tensor(run1(op("IsInf", 10, {inf}).attr("detect_negative", int64_t(0))),
               tv<bool>({3}, {true, false, false}));
  Status s = run_error(op("Sqrt", 13, {tv<int32_t>({1}, {4})}));
  CHECK(s.message().find("int32") != std::string::npos);
}

TEST_CASE("Activations are numerically stable", "[elementwise]") {
  Tensor sig = run1(op("Sigmoid", 13, {f32({4}, {-200, -20, 0, 200})}));
  CHECK(sig.data<float>()[0] == 0.0f);
  CHECK(sig.data<float>()[1] == Approx(2.0611537e-9).epsilon(1e-5));
  CHECK(sig.data<float>()[2] == 0.5f);
  CHECK(sig.data<float>()[3] == 1.0f);
  Tensor sp = run1(op("Softplus", 13, {f32({3}, {-100, 0, 100})}));
  CHECK(sp.data<float>()[0] >= 0.0f);
  CHECK(sp.data<float>()[1] == Approx(std::log(2.0f)));
  CHECK(sp.data<float>()[2] == 100.0f);

  check_tensor(run1(op("Relu", 14, {tv<int8_t>({3}, {-3, 0, 5})})), tv<int8_t>({3}, {0, 0, 5}));
  check_tensor(run1(op("LeakyRelu", 16, {f32({2}, {-2, 3})}).attr("alpha", 0.1f)), f32({2}, {-0.2f, 3}));
  check_tensor(run1(op("HardSigmoid", 6, {f32({3}, {-10, 0, 10})})), f32({3}, {0, 0.5f, 1}));
  check_tensor(run1(op("HardSwish", 14, {f32({3}, {-4, 1, 4})})), f32({3}, {0, 1.0f * (1.0f / 6 + 0.5f), 4}));
  check_tensor(run1(op("Elu", 6, {f32({2}, {-1, 2})})), f32({2}, {std::expm1(-1.0f), 2}));
  check_tensor(run1(op("Shrink", 9, {f32({3}, {-2, 0.2f, 2})}).attr("bias", 0.5f)), f32({3}, {-1.5f, 0, 1.5f}));
  check_tensor(run1(op("Gelu", 20, {f32({2}, {0, 1})})), f32({2}, {0, 0.8413447f}), 1e-5);
}

TEST_CASE("Clip with attributes, inputs and integer types", "[elementwise]") {
  Tensor x = f32({4}, {-5, 0.5f, 3, NAN});
  check_tensor(run1(op("Clip", 6, {x}).attr("min", -1.0f).attr("max", 1.0f)), f32({4}, {-1, 0.5f, 1, NAN}));
  check_tensor(run1(op("Clip", 13, {x, f32({}, {0}), Tensor()})), f32({4}, {0, 0.5f, 3, NAN}));
  check_tensor(run1(op("Clip", 13, {x, Tensor(), f32({}, {2})})), f32({4}, {-5, 0.5f, 2, NAN}));
  check_tensor(run1(op("Clip", 13, {x})), x);
  // min > max: everything becomes max.
  check_tensor(run1(op("Clip", 13, {f32({2}, {-5, 5}), f32({}, {2}), f32({}, {1})})), f32({2}, {1, 1}));
  check_tensor(run1(op("Clip", 13, {tv<int8_t>({3}, {-100, 5, 100}), tv<int8_t>({}, {-10}), tv<int8_t>({}, {10})})),
               tv<int8_t>({3}, {-10, 5, 10}));
  Status s = run_error(op("Clip", 13, {x, f32({2}, {0, 1})}));
  CHECK(s.message().find("scalar") != std::string::npos);
}

TEST_CASE("Cast between numbers, float16, bool and strings", "[elementwise]") {
  auto cast = [](Tensor in, DType to) { return run1(op("Cast", 13, {in}).attr("to", int64_t(to))); };
  check_tensor(cast(f32({5}, {1.9f, -1.9f, 1e20f, NAN, -1e20f}), DType::Int32),
               tv<int32_t>({5}, {1, -1, INT32_MAX, 0, INT32_MIN}));
  check_tensor(cast(tv<int32_t>({2}, {200, 300}), DType::Int8), tv<int8_t>({2}, {-56, 44}));
  check_tensor(cast(f32({3}, {0, -0.0f, NAN}), DType::Bool), tv<bool>({3}, {false, false, true}));
  Tensor h = cast(f32({3}, {1.5f, 65504, 1e6f}), DType::Float16);
  REQUIRE(h.dtype() == DType::Float16);
  check_tensor(cast(h, DType::Float32), f32({3}, {1.5f, 65504, INFINITY}));
  // float -> bfloat16 truncates, as the ONNX backend data expects (1.005859375 -> 1.0).
  Tensor bf = cast(f32({2}, {1.005859375f, NAN}), DType::BFloat16);
  CHECK(bf.get_as_double(0) == 1.0);
  CHECK(std::isnan(bf.get_as_double(1)));

  Tensor s = cast(Tensor::from_strings({6}, {"3.5", "1e-5", "NaN", "-INF", "+inf", "inf"}), DType::Float32);
  check_tensor(s, f32({6}, {3.5f, 1e-5f, NAN, -INFINITY, INFINITY, INFINITY}));
  check_tensor(cast(Tensor::from_strings({2}, {"9007199254740993", "100.5"}), DType::Int64),
               tv<int64_t>({2}, {9007199254740993LL, 100}));
  Tensor str = cast(f32({4}, {0.1f, 1e-5f, NAN, -INFINITY}), DType::String);
  REQUIRE(str.dtype() == DType::String);
  CHECK(str.strings()[0] == "0.1");
  CHECK(str.strings()[1] == "1e-05");
  CHECK(str.strings()[2] == "NaN");
  CHECK(str.strings()[3] == "-INF");

  check_tensor(run1(op("CastLike", 15, {f32({2}, {1.5f, 2}), tv<double>({1}, {0})})), tv<double>({2}, {1.5, 2}));
  Status err = run_error(op("Cast", 13, {f32({1}, {1})}).attr("to", int64_t(99)));
  CHECK(err.code() == ErrorCode::InvalidModel);
}

TEST_CASE("Vectorisable exp, sigmoid and tanh are accurate", "[elementwise]") {
  double worst_exp = 0, worst_sig = 0, worst_tanh = 0;
  for (float x = -80.0f; x <= 0.0f; x += 0.001953125f) {
    double e = std::exp(double(x));
    worst_exp = std::max(worst_exp, std::abs(elementwise::exp_f32(x) - e) / e);
  }
  for (float x = -30.0f; x <= 30.0f; x += 0.0009765625f) {
    double s = 1.0 / (1.0 + std::exp(-double(x)));
    worst_sig = std::max(worst_sig, std::abs(elementwise::sigmoid_f32(x) - s) / s);
    double t = std::tanh(double(x));
    worst_tanh = std::max(worst_tanh, std::abs(elementwise::tanh_f32(x) - t) / std::max(std::abs(t), 1e-30));
  }
  CHECK(worst_exp < 5e-7);
  CHECK(worst_sig < 5e-7);
  CHECK(worst_tanh < 1e-6);
  CHECK(elementwise::tanh_f32(1e-30f) == 1e-30f);
  CHECK(std::isnan(elementwise::sigmoid_f32(NAN)));
  CHECK(std::isnan(elementwise::tanh_f32(NAN)));
  CHECK(elementwise::sigmoid_f32(INFINITY) == 1.0f);
  CHECK(elementwise::tanh_f32(-INFINITY) == -1.0f);
}
