// Unit tests of the random generators (RandomUniform, RandomUniformLike, RandomNormal,
// RandomNormalLike, Bernoulli): seeding, output type and shape, value ranges, sample statistics
// and attribute errors. The ONNX backend suite cannot check any of this, because the values
// of random outputs are not fixed by the spec.
//
// The statistical checks use ~100k draws and bounds of several standard errors. Most of them
// run with a fixed seed (so they are deterministic); the unseeded ones use bounds wide enough
// (>= 6 standard errors) that a correct generator fails them with probability below 1e-8.
#include <algorithm>
#include <cmath>
#include <memory>

#include "tests/unit/op_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

constexpr int64_t kDraws = 100000;

// All elements of `t` as doubles.
std::vector<double> values_of(const Tensor& t) {
  std::vector<double> v(size_t(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[size_t(i)] = t.get_as_double(i);
  return v;
}

bool same_values(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && values_of(a) == values_of(b);
}

struct Moments {
  double mean = 0, stddev = 0;
};

Moments moments(const std::vector<double>& v) {
  Moments m;
  for (double x : v) m.mean += x;
  m.mean /= double(v.size());
  double ss = 0;
  for (double x : v) ss += (x - m.mean) * (x - m.mean);
  m.stddev = std::sqrt(ss / double(v.size() - 1));
  return m;
}

OpTest random_uniform(Shape shape) {
  OpTest t{"RandomUniform"};
  t.attr("shape", std::vector<int64_t>(shape.begin(), shape.end()));
  return t;
}

OpTest random_normal(Shape shape) {
  OpTest t{"RandomNormal"};
  t.attr("shape", std::vector<int64_t>(shape.begin(), shape.end()));
  return t;
}

OpTest like(const std::string& op, const Tensor& input) {
  OpTest t{op};
  t.inputs = {input};
  return t;
}

Tensor filled(DType dtype, Shape shape, double value) {
  Tensor t = Tensor::zeros(dtype, shape).value();
  const int64_t n = t.numel();
  visit_numeric_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      for (int64_t i = 0; i < n; ++i) t.data<T>()[i] = T(value);
    }
  });
  return t;
}

// Runs the node of `t` twice in ONE session (OpTest::run builds a new session each time), to
// check that nothing is frozen at load time (e.g. by constant folding) or carried between runs.
std::pair<Tensor, Tensor> run_one_session_twice(const OpTest& t) {
  Model model;
  model.opsets[""] = t.opset;
  Node node;
  node.name = "test_node";
  node.op_type = t.op_type;
  node.attributes = t.attributes;
  NamedTensors feeds;
  for (size_t i = 0; i < t.inputs.size(); ++i) {
    const std::string name = "in" + std::to_string(i);
    node.inputs.push_back(name);
    ValueInfo vi;
    vi.name = name;
    vi.dtype = t.inputs[i].dtype();
    model.graph.inputs.push_back(vi);
    feeds.emplace_back(name, t.inputs[i]);
  }
  node.outputs = {"out0"};
  ValueInfo out;
  out.name = "out0";
  model.graph.outputs.push_back(out);
  model.graph.nodes.push_back(node);
  auto session = Session::from_model(std::move(model));
  INFO(session.status().message());
  REQUIRE(session.is_ok());
  auto first = session.value()->run(feeds);
  auto second = session.value()->run(feeds);
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  return {first.value()[0].second, second.value()[0].second};
}

// The ops under test and a node of each that makes `shape`-shaped float32 output.
std::vector<std::pair<std::string, OpTest>> all_generators(const Shape& shape) {
  return {
      {"RandomUniform", random_uniform(shape)},
      {"RandomNormal", random_normal(shape)},
      {"RandomUniformLike", like("RandomUniformLike", filled(DType::Float32, shape, 0))},
      {"RandomNormalLike", like("RandomNormalLike", filled(DType::Float32, shape, 0))},
      {"Bernoulli", like("Bernoulli", filled(DType::Float32, shape, 0.5))},
  };
}

}  // namespace

TEST_CASE("Random ops: a seed makes runs repeat, no seed makes them differ", "[random]") {
  for (auto [name, t] : all_generators({16, 64})) {
    INFO(name);
    // Unseeded: two sessions and two runs of one session all give different outputs (1024
    // draws; for Bernoulli(0.5) two equal outputs have probability 2^-1024).
    {
      const Tensor a = run_ok(t)[0], b = run_ok(t)[0];
      CHECK_FALSE(same_values(a, b));
      auto [c, d] = run_one_session_twice(t);
      CHECK_FALSE(same_values(c, d));
    }
    // Seeded: the same outputs from separate sessions and from repeated runs of one session.
    t.attr("seed", 42.0f);
    const Tensor a = run_ok(t)[0], b = run_ok(t)[0];
    CHECK(same_values(a, b));
    auto [c, d] = run_one_session_twice(t);
    CHECK(same_values(c, d));
    CHECK(same_values(a, c));
    // Another seed, even a nearby float, is another stream.
    t.attr("seed", 42.5f);
    CHECK_FALSE(same_values(a, run_ok(t)[0]));
  }
}

TEST_CASE("Random ops: output type and shape follow the attributes and the input", "[random]") {
  SECTION("plain forms: shape attribute, dtype default float32") {
    for (const char* op : {"RandomUniform", "RandomNormal"}) {
      INFO(op);
      OpTest t{op};
      t.attr("shape", std::vector<int64_t>{2, 3, 5});
      Tensor y = run_ok(t)[0];
      CHECK(y.dtype() == DType::Float32);
      CHECK(y.shape() == Shape{2, 3, 5});
      for (DType dt : {DType::Float64, DType::Float16, DType::BFloat16, DType::Float32}) {
        t.attr("dtype", int64_t(dt));
        y = run_ok(t)[0];
        CHECK(y.dtype() == dt);
        CHECK(y.shape() == Shape{2, 3, 5});
      }
      // A scalar and an empty shape.
      t.attr("shape", std::vector<int64_t>{});
      CHECK(run_ok(t)[0].shape() == Shape{});
      CHECK(run_ok(t)[0].numel() == 1);
      t.attr("shape", std::vector<int64_t>{3, 0});
      CHECK(run_ok(t)[0].shape() == Shape{3, 0});
    }
  }
  SECTION("Like forms: the input's shape and type unless dtype is given") {
    for (const char* op : {"RandomUniformLike", "RandomNormalLike"}) {
      INFO(op);
      OpTest t = like(op, filled(DType::Float64, {4, 1, 3}, 0));
      Tensor y = run_ok(t)[0];
      CHECK(y.dtype() == DType::Float64);
      CHECK(y.shape() == Shape{4, 1, 3});
      t.attr("dtype", int64_t(DType::Float16));
      y = run_ok(t)[0];
      CHECK(y.dtype() == DType::Float16);
      CHECK(y.shape() == Shape{4, 1, 3});
      // With dtype given the input's type does not matter, only its shape.
      t.inputs = {Tensor::from_vector<int64_t>({2, 2}, {1, 2, 3, 4})};
      t.attr("dtype", int64_t(DType::Float32));
      y = run_ok(t)[0];
      CHECK(y.dtype() == DType::Float32);
      CHECK(y.shape() == Shape{2, 2});
    }
  }
  SECTION("Bernoulli: the input's type unless dtype is given, always 0 or 1") {
    Tensor p = filled(DType::Float64, {3, 7}, 0.5);
    OpTest t = like("Bernoulli", p);
    Tensor y = run_ok(t)[0];
    CHECK(y.dtype() == DType::Float64);
    CHECK(y.shape() == Shape{3, 7});
    for (DType dt : {DType::Bool, DType::Int32, DType::Int64, DType::UInt8, DType::Float16, DType::Float32}) {
      INFO(dtype_name(dt));
      t.attr("dtype", int64_t(dt));
      y = run_ok(t)[0];
      CHECK(y.dtype() == dt);
      CHECK(y.shape() == Shape{3, 7});
      for (double v : values_of(y)) CHECK((v == 0.0 || v == 1.0));
    }
  }
}

TEST_CASE("RandomUniform: values lie in [low, high) with the right mean and stddev", "[random]") {
  const float low = -2.5f, high = 4.0f;
  const double mean = (low + high) / 2.0, sd = (high - low) / std::sqrt(12.0);
  for (bool seeded : {true, false}) {
    for (bool like_form : {false, true}) {
      INFO("seeded " << seeded << " like " << like_form);
      OpTest t = like_form ? like("RandomUniformLike", filled(DType::Float32, {kDraws}, 0)) : random_uniform({kDraws});
      t.attr("low", low).attr("high", high);
      if (seeded) t.attr("seed", 7.0f);
      const std::vector<double> v = values_of(run_ok(t)[0]);
      REQUIRE(v.size() == size_t(kDraws));
      const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
      CHECK(*lo_it >= low);
      CHECK(*hi_it < high);
      // The draws fill the range: with 100k draws the extremes are within 0.1% of the ends.
      CHECK(*lo_it < low + 0.001 * (high - low));
      CHECK(*hi_it > high - 0.001 * (high - low));
      const Moments m = moments(v);
      // Standard error of the mean: sd / sqrt(n) (~0.006 here); of the stddev for a uniform
      // distribution ~ sd * sqrt(0.2 / n). Allow 6 of each.
      CHECK(std::abs(m.mean - mean) < 6 * sd / std::sqrt(double(kDraws)));
      CHECK(std::abs(m.stddev - sd) < 6 * sd * std::sqrt(0.2 / double(kDraws)));
      // Each tenth of the range gets a tenth of the draws (binomial SE ~0.00095).
      std::vector<int64_t> bins(10, 0);
      for (double x : v) ++bins[size_t(std::min(9.0, std::floor((x - low) / (high - low) * 10)))];
      for (int64_t count : bins) CHECK(std::abs(double(count) / double(kDraws) - 0.1) < 0.006);
    }
  }
}

TEST_CASE("RandomUniform: low precision outputs never reach high", "[random]") {
  // In float16 / bfloat16 a draw just below `high` rounds up to `high` itself; it must be kept
  // below, the range being half-open.
  for (DType dt : {DType::Float16, DType::BFloat16}) {
    for (auto [low, high] : {std::pair{0.0f, 1.0f}, std::pair{-1.0f, 0.0f}, std::pair{100.0f, 101.0f}}) {
      INFO(dtype_name(dt) << " [" << low << ", " << high << ")");
      OpTest t = random_uniform({kDraws});
      t.attr("low", low).attr("high", high).attr("dtype", int64_t(dt)).attr("seed", 3.0f);
      const std::vector<double> v = values_of(run_ok(t)[0]);
      CHECK(*std::min_element(v.begin(), v.end()) >= low);
      CHECK(*std::max_element(v.begin(), v.end()) < high);
    }
  }
  // low == high: every value is low.
  OpTest t = random_uniform({100});
  t.attr("low", 1.5f).attr("high", 1.5f);
  for (double x : values_of(run_ok(t)[0])) CHECK(x == 1.5);
}

TEST_CASE("RandomNormal: sample mean, stddev and shape of the distribution", "[random]") {
  const float mean = 3.0f, scale = 0.5f;
  for (bool seeded : {true, false}) {
    for (DType dt : {DType::Float32, DType::Float64}) {
      for (bool like_form : {false, true}) {
        INFO("seeded " << seeded << " " << dtype_name(dt) << " like " << like_form);
        OpTest t = like_form ? like("RandomNormalLike", filled(dt, {kDraws + 1}, 0)) : random_normal({kDraws + 1});
        t.attr("mean", mean).attr("scale", scale);
        if (!like_form) t.attr("dtype", int64_t(dt));
        if (seeded) t.attr("seed", 11.0f);
        Tensor y = run_ok(t)[0];
        REQUIRE(y.dtype() == dt);
        const std::vector<double> v = values_of(y);  // an odd count: Box-Muller's spare is dropped
        const double n = double(v.size());
        const Moments m = moments(v);
        // SE of the mean: scale / sqrt(n) (~0.0016); of the stddev: scale / sqrt(2n).
        CHECK(std::abs(m.mean - mean) < 6 * scale / std::sqrt(n));
        CHECK(std::abs(m.stddev - scale) < 6 * scale / std::sqrt(2 * n));
        // A uniform or other distribution with these moments fails here: 68.27% of the draws
        // lie within one stddev, 95.45% within two, 99.73% within three (binomial SE <= 0.0015).
        for (auto [k, p] : {std::pair{1.0, 0.682689}, std::pair{2.0, 0.954500}, std::pair{3.0, 0.997300}}) {
          const double within = double(std::count_if(v.begin(), v.end(), [&](double x) {
                                   return std::abs(x - mean) < k * scale;
                                 })) / n;
          INFO("within " << k << " stddevs: " << within);
          CHECK(std::abs(within - p) < 6 * std::sqrt(p * (1 - p) / n));
        }
        // Symmetric around the mean.
        const double above = double(std::count_if(v.begin(), v.end(), [&](double x) { return x > mean; })) / n;
        CHECK(std::abs(above - 0.5) < 6 * 0.5 / std::sqrt(n));
        for (double x : v) {
          if (!std::isfinite(x)) FAIL("non-finite draw " << x);
        }
      }
    }
  }
}

TEST_CASE("Bernoulli: the mean of the draws is p", "[random]") {
  for (double p : {0.0, 0.25, 0.9, 1.0}) {
    for (DType dt : {DType::Float32, DType::Float64}) {
      for (bool seeded : {true, false}) {
        INFO("p " << p << " " << dtype_name(dt) << " seeded " << seeded);
        OpTest t = like("Bernoulli", filled(dt, {kDraws}, p));
        if (seeded) t.attr("seed", 5.0f);
        const std::vector<double> v = values_of(run_ok(t)[0]);
        double sum = 0;
        int64_t not_binary = 0;
        for (double x : v) {
          not_binary += (x != 0.0 && x != 1.0);
          sum += x;
        }
        CHECK(not_binary == 0);
        const double mean = sum / double(kDraws);
        if (p == 0.0 || p == 1.0) {
          CHECK(mean == p);  // exact: probability 0 never gives 1, probability 1 always does
        } else {
          CHECK(std::abs(mean - p) < 6 * std::sqrt(p * (1 - p) / double(kDraws)));
        }
      }
    }
  }
}

TEST_CASE("Bernoulli: every element uses its own probability", "[random]") {
  // Alternating probabilities 0 and 1 fix the output; 0.5 in a third slot is random but binary.
  std::vector<float> p;
  for (int i = 0; i < 300; ++i) p.push_back(i % 3 == 0 ? 0.0f : i % 3 == 1 ? 1.0f : 0.5f);
  OpTest t = like("Bernoulli", Tensor::from_vector<float>({100, 3}, p));
  t.attr("dtype", int64_t(DType::Int32));
  Tensor y = run_ok(t)[0];
  REQUIRE(y.shape() == Shape{100, 3});
  int64_t ones_at_half = 0;
  for (int64_t i = 0; i < 300; ++i) {
    if (i % 3 == 0) CHECK(y.get_as_int64(i) == 0);
    if (i % 3 == 1) CHECK(y.get_as_int64(i) == 1);
    if (i % 3 == 2) ones_at_half += y.get_as_int64(i);
  }
  // Binomial(100, 0.5): 50 +- 5; allow 6 standard errors.
  CHECK(ones_at_half > 20);
  CHECK(ones_at_half < 80);
  // Out-of-range probabilities are clamped rather than undefined.
  OpTest clamp = like("Bernoulli", Tensor::from_vector<float>({4}, {-1.0f, 2.0f, -0.5f, 7.0f}));
  check_tensor(run_ok(clamp)[0], Tensor::from_vector<float>({4}, {0, 1, 0, 1}));
}

TEST_CASE("Random ops: bad attributes and inputs are errors", "[random]") {
  auto message_of = [](const OpTest& t) { return run_err(t).message(); };
  SECTION("missing shape") {
    for (const char* op : {"RandomUniform", "RandomNormal"}) {
      INFO(op);
      CHECK_THAT(message_of(OpTest{op}), Catch::Contains("shape"));
    }
  }
  SECTION("negative dim in shape") {
    OpTest t = random_uniform({2, -1});
    CHECK_THAT(message_of(t), Catch::Contains("negative"));
  }
  SECTION("unsupported dtype") {
    for (int64_t code : {int64_t(DType::Int64), int64_t(DType::Int32), int64_t(DType::Bool),
                         int64_t(DType::String), int64_t(99)}) {
      INFO("dtype " << code);
      OpTest u = random_uniform({3});
      u.attr("dtype", code);
      CHECK_THAT(message_of(u), Catch::Contains("dtype"));
      OpTest n = like("RandomNormalLike", filled(DType::Float32, {3}, 0));
      n.attr("dtype", code);
      CHECK_THAT(message_of(n), Catch::Contains("dtype"));
    }
    // Bernoulli accepts numeric and bool outputs, but not strings or unknown codes.
    for (int64_t code : {int64_t(DType::String), int64_t(99), int64_t(0)}) {
      INFO("Bernoulli dtype " << code);
      OpTest b = like("Bernoulli", filled(DType::Float32, {3}, 0.5));
      b.attr("dtype", code);
      CHECK_THAT(message_of(b), Catch::Contains("dtype"));
    }
  }
  SECTION("Like forms with a non-float input and no dtype") {
    for (const char* op : {"RandomUniformLike", "RandomNormalLike"}) {
      INFO(op);
      OpTest t = like(op, Tensor::from_vector<int64_t>({2}, {1, 2}));
      CHECK_THAT(message_of(t), Catch::Contains("int64"));
    }
    // Bernoulli's probabilities must be floats.
    OpTest b = like("Bernoulli", Tensor::from_vector<int32_t>({2}, {0, 1}));
    CHECK_THAT(message_of(b), Catch::Contains("int32"));
  }
  SECTION("low above high, non-finite parameters") {
    OpTest t = random_uniform({3});
    t.attr("low", 2.0f).attr("high", 1.0f);
    CHECK_THAT(message_of(t), Catch::Contains("low"));
    OpTest n = random_normal({3});
    n.attr("scale", std::numeric_limits<float>::infinity());
    CHECK_THAT(message_of(n), Catch::Contains("finite"));
  }
}
