// Graph optimizer fusions: each test builds a small graph with the pattern, checks that the
// optimizer rewrote it (node count and op types) and that the optimised session gives the
// unoptimised session's results on random inputs.
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>

#include "core/loaders/model_loader.h"
#include "core/ops/linalg/fused_activation.h"
#include "core/optimizer/optimizer.h"
#include "tests/unit/op_test_util.h"

namespace wisp {
namespace {

using testing::check_tensor;

Tensor random_tensor(Shape shape, uint32_t seed, float lo = -3.0f, float hi = 3.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(size_t(numel(shape)));
  for (float& x : v) x = dist(rng);
  return Tensor::from_vector<float>(shape, v);
}

Tensor scalar(float v) { return Tensor::from_vector<float>({}, {v}); }

// A model under construction: float32 inputs with fixed shapes, initializers, nodes.
struct Builder {
  Model model;
  std::vector<std::pair<std::string, Shape>> feeds;

  explicit Builder(int64_t opset = 17) { model.opsets[""] = opset; }
  Builder& input(const std::string& name, Shape shape) {
    ValueInfo vi;
    vi.name = name;
    vi.dtype = DType::Float32;
    vi.has_shape = true;
    for (int64_t d : shape) vi.shape.push_back(Dim{d, ""});
    model.graph.inputs.push_back(vi);
    feeds.emplace_back(name, shape);
    return *this;
  }
  Builder& init(const std::string& name, Tensor t) {
    model.graph.initializers[name] = std::move(t);
    return *this;
  }
  Node& node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs,
             const std::string& domain = "") {
    Node n;
    n.name = op + std::to_string(model.graph.nodes.size());
    n.op_type = op;
    n.domain = domain;
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    model.graph.nodes.push_back(n);
    return model.graph.nodes.back();
  }
  Builder& output(const std::string& name) {
    ValueInfo vi;
    vi.name = name;
    model.graph.outputs.push_back(vi);
    return *this;
  }
};

void set_attr(Node& n, const std::string& key, Attribute a) { n.attributes[key] = std::move(a); }
Attribute ints(std::vector<int64_t> v) { Attribute a; a.kind = Attribute::Kind::Ints; a.ints = std::move(v); return a; }
Attribute flt(float v) { Attribute a; a.kind = Attribute::Kind::Float; a.f = v; return a; }
Attribute integer(int64_t v) { Attribute a; a.kind = Attribute::Kind::Int; a.i = v; return a; }
Attribute str(const std::string& v) { Attribute a; a.kind = Attribute::Kind::String; a.s = v; return a; }

NamedTensors run(const Model& model, const NamedTensors& feeds, bool optimize, Model* optimized = nullptr) {
  SessionOptions options;
  options.num_threads = 2;
  options.optimize = optimize;
  options.fuse = optimize;
  auto session = Session::from_model(model, options);
  INFO(session.status().message());
  REQUIRE(session.is_ok());
  if (optimized) *optimized = (*session)->model();
  auto out = (*session)->run(feeds);
  INFO(out.status().message());
  REQUIRE(out.is_ok());
  return *out;
}

// Runs with and without optimisation on random inputs; returns the optimised graph.
Graph check_same_results(const Builder& b, double rtol = 1e-4, double atol = 1e-4) {
  NamedTensors feeds;
  uint32_t seed = 1;
  for (const auto& [name, shape] : b.feeds) feeds.emplace_back(name, random_tensor(shape, seed++));
  const NamedTensors expected = run(b.model, feeds, false);
  Model optimized;
  const NamedTensors actual = run(b.model, feeds, true, &optimized);
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) check_tensor(actual[i].second, expected[i].second, rtol, atol);
  return optimized.graph;
}

std::vector<std::string> op_types(const Graph& g) {
  std::vector<std::string> out;
  for (const Node& n : g.nodes) out.push_back((n.domain.empty() ? "" : n.domain + ".") + n.op_type);
  return out;
}

std::string activation_of(const Node& n) {
  const Attribute* a = n.attr(linalg::kActivationAttr);
  return a ? a->s : "";
}

// Appends `activation` reading `x` and writing `y`; returns false for unknown names.
void add_activation(Builder& b, const std::string& activation, const std::string& x, const std::string& y) {
  if (activation == "Relu" || activation == "Sigmoid" || activation == "HardSwish") {
    b.node(activation, {x}, {y});
  } else if (activation == "Clip") {
    b.init("clip_lo", scalar(0.0f)).init("clip_hi", scalar(6.0f));
    b.node("Clip", {x, "clip_lo", "clip_hi"}, {y});
  } else if (activation == "LeakyRelu") {
    set_attr(b.node("LeakyRelu", {x}, {y}), "alpha", flt(0.1f));
  } else if (activation == "HardSigmoid") {
    Node& n = b.node("HardSigmoid", {x}, {y});
    set_attr(n, "alpha", flt(0.25f));
    set_attr(n, "beta", flt(0.4f));
  } else if (activation == "SiLU") {
    b.node("Sigmoid", {x}, {x + "_sig"});
    b.node("Mul", {x, x + "_sig"}, {y});
  } else if (activation == "Gelu") {
    // 0.5 * x * (1 + erf(x / sqrt(2)))
    b.init("g_sqrt2", scalar(1.4142135f)).init("g_one", scalar(1.0f)).init("g_half", scalar(0.5f));
    b.node("Div", {x, "g_sqrt2"}, {x + "_d"});
    b.node("Erf", {x + "_d"}, {x + "_e"});
    b.node("Add", {x + "_e", "g_one"}, {x + "_a"});
    b.node("Mul", {x, x + "_a"}, {x + "_m"});
    b.node("Mul", {x + "_m", "g_half"}, {y});
  } else if (activation == "GeluTanh") {
    set_attr(b.node("Gelu", {x}, {y}), "approximate", str("tanh"));
  } else {
    FAIL("unknown activation " << activation);
  }
}

const char* kActivations[] = {"Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "SiLU", "Gelu", "GeluTanh"};

TEST_CASE("optimizer removes nodes whose outputs nobody reads", "[optimizer]") {
  Builder b;
  b.input("x", {4, 5});
  b.node("Relu", {"x"}, {"y"});
  b.node("Sigmoid", {"x"}, {"unused1"});
  b.node("Exp", {"unused1"}, {"unused2"});
  b.output("y");
  Graph g = check_same_results(b);
  CHECK(op_types(g) == std::vector<std::string>{"Relu"});
}

TEST_CASE("optimizer folds BatchNormalization into the preceding Conv", "[optimizer]") {
  const bool with_bias = GENERATE(false, true);
  Builder b;
  b.input("x", {2, 3, 9, 9});
  b.init("w", random_tensor({5, 3, 3, 3}, 11)).init("cb", random_tensor({5}, 12));
  b.init("scale", random_tensor({5}, 13)).init("shift", random_tensor({5}, 14));
  b.init("mean", random_tensor({5}, 15)).init("var", random_tensor({5}, 16, 0.1f, 2.0f));
  std::vector<std::string> conv_in = {"x", "w"};
  if (with_bias) conv_in.push_back("cb");
  set_attr(b.node("Conv", conv_in, {"c"}), "pads", ints({1, 1, 1, 1}));
  set_attr(b.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"bn"}), "epsilon", flt(1e-3f));
  b.node("Relu", {"bn"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b);
  REQUIRE(op_types(g) == std::vector<std::string>{"Conv"});
  CHECK(activation_of(g.nodes[0]) == "Relu");
}

TEST_CASE("optimizer leaves BatchNormalization whose input is also read elsewhere", "[optimizer]") {
  Builder b;
  b.input("x", {1, 3, 6, 6});
  b.init("w", random_tensor({4, 3, 1, 1}, 1));
  for (const char* name : {"scale", "shift", "mean"}) b.init(name, random_tensor({4}, 2));
  b.init("var", random_tensor({4}, 3, 0.5f, 1.0f));
  b.node("Conv", {"x", "w"}, {"c"});
  b.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"y"});
  b.output("y").output("c");
  Graph g = check_same_results(b);
  CHECK(op_types(g) == std::vector<std::string>{"Conv", "BatchNormalization"});
}

TEST_CASE("optimizer fuses bias and activation into Conv", "[optimizer]") {
  const std::string activation = GENERATE(from_range(std::begin(kActivations), std::end(kActivations)));
  // 128 output channels over 40x40 (many GEMM tiles) or 7x7 (a map the Conv computes
  // transposed, see conv.cpp).
  const bool depthwise = GENERATE(false, true);
  const int64_t hw = GENERATE(40, 7);
  INFO(activation << (depthwise ? " depthwise" : "") << " " << hw << "x" << hw);
  Builder b;
  const int64_t c_in = depthwise ? 8 : 4, c_out = depthwise ? 8 : 128;
  b.input("x", {1, c_in, hw, hw});
  b.init("w", random_tensor({c_out, depthwise ? 1 : c_in, 3, 3}, 7, -0.5f, 0.5f));
  b.init("bias", random_tensor({c_out, 1, 1}, 8));
  Node& conv = b.node("Conv", {"x", "w"}, {"c"});
  set_attr(conv, "pads", ints({1, 1, 1, 1}));
  if (depthwise) set_attr(conv, "group", integer(c_in));
  b.node("Add", {"c", "bias"}, {"cb"});
  add_activation(b, activation, "cb", "y");
  b.output("y");
  Graph g = check_same_results(b);
  REQUIRE(op_types(g) == std::vector<std::string>{"Conv"});
  CHECK(activation_of(g.nodes[0]) == activation);
  CHECK(g.nodes[0].inputs.size() == 3);
}

TEST_CASE("optimizer fuses bias and activation into MatMul and Gemm", "[optimizer]") {
  const std::string activation = GENERATE(from_range(std::begin(kActivations), std::end(kActivations)));
  const bool gemm = GENERATE(false, true);
  INFO(activation << (gemm ? " Gemm" : " MatMul"));
  Builder b;
  if (gemm) {
    b.input("x", {7, 12});
    b.init("w", random_tensor({12, 20}, 3)).init("bias", random_tensor({20}, 4));
    b.node("Gemm", {"x", "w"}, {"m"});
  } else {
    // Batched: the bias is added to every row of every product.
    b.input("x", {2, 3, 7, 12});
    b.init("w", random_tensor({12, 20}, 3)).init("bias", random_tensor({20}, 4));
    b.node("MatMul", {"x", "w"}, {"m"});
  }
  b.node("Add", {"bias", "m"}, {"mb"});
  add_activation(b, activation, "mb", "y");
  b.output("y");
  Graph g = check_same_results(b);
  REQUIRE(op_types(g) == std::vector<std::string>{gemm ? "Gemm" : "MatMul"});
  CHECK(activation_of(g.nodes[0]) == activation);
  CHECK(g.nodes[0].inputs.size() == 3);
}

TEST_CASE("optimizer adds a MatMul bias with a computed, batched B", "[optimizer]") {
  Builder b;
  b.input("a", {2, 4, 5}).input("bm", {2, 5, 6});
  b.init("bias", random_tensor({6}, 9));
  b.node("MatMul", {"a", "bm"}, {"m"});
  b.node("Add", {"m", "bias"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b);
  CHECK(op_types(g) == std::vector<std::string>{"MatMul"});
}

TEST_CASE("optimizer keeps an Add that broadcasts beyond the MatMul output", "[optimizer]") {
  Builder b;
  b.input("a", {4, 5});
  b.init("w", random_tensor({5, 6}, 1)).init("bias2d", random_tensor({3, 1, 6}, 2));
  b.node("MatMul", {"a", "w"}, {"m"});
  b.node("Add", {"m", "bias2d"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b);
  CHECK(op_types(g) == std::vector<std::string>{"MatMul", "Add"});
}

TEST_CASE("optimizer does not fuse into an op whose output is also a graph output", "[optimizer]") {
  Builder b;
  b.input("a", {4, 5});
  b.init("w", random_tensor({5, 6}, 1));
  b.node("MatMul", {"a", "w"}, {"m"});
  b.node("Relu", {"m"}, {"y"});
  b.output("y").output("m");
  Graph g = check_same_results(b);
  CHECK(op_types(g) == std::vector<std::string>{"MatMul", "Relu"});
}

TEST_CASE("optimizer folds matrix transposes into Gemm and MatMul", "[optimizer]") {
  SECTION("Gemm") {
    Builder b;
    b.input("x", {5, 4}).input("z", {6, 5});
    b.node("Transpose", {"x"}, {"xt"});  // no perm: reversed dims
    set_attr(b.node("Transpose", {"z"}, {"zt"}), "perm", ints({1, 0}));
    Node& gemm = b.node("Gemm", {"xt", "zt"}, {"y"});
    set_attr(gemm, "alpha", flt(0.5f));
    b.output("y");
    Graph g = check_same_results(b);
    REQUIRE(op_types(g) == std::vector<std::string>{"Gemm"});
    CHECK(g.nodes[0].attr("transA")->i == 1);
    CHECK(g.nodes[0].attr("transB")->i == 1);
  }
  SECTION("MatMul of two matrices") {
    Builder b;
    b.input("x", {5, 4}).input("w", {5, 6});
    set_attr(b.node("Transpose", {"x"}, {"xt"}), "perm", ints({1, 0}));
    b.node("MatMul", {"xt", "w"}, {"y"});
    b.output("y");
    Graph g = check_same_results(b);
    REQUIRE(op_types(g) == std::vector<std::string>{"Gemm"});
    CHECK(g.nodes[0].attr("transA")->i == 1);
  }
  SECTION("batched MatMul is left alone") {
    Builder b;
    b.input("x", {2, 5, 4}).input("w", {2, 5, 6});
    set_attr(b.node("Transpose", {"x"}, {"xt"}), "perm", ints({0, 2, 1}));
    b.node("MatMul", {"xt", "w"}, {"y"});
    b.output("y");
    Graph g = check_same_results(b);
    CHECK(op_types(g) == std::vector<std::string>{"Transpose", "MatMul"});
  }
}

TEST_CASE("optimizer fuses the GELU pattern in each ordering", "[optimizer]") {
  const int order = GENERATE(0, 1, 2);
  const bool mul_form = GENERATE(false, true);
  Builder b;
  b.input("x", {3, 50});
  b.init("k", scalar(mul_form ? 0.70710678f : 1.4142135f)).init("one", scalar(1.0f)).init("half", scalar(0.5f));
  b.node(mul_form ? "Mul" : "Div", {"x", "k"}, {"d"});
  b.node("Erf", {"d"}, {"e"});
  b.node("Add", {"one", "e"}, {"a"});
  if (order == 0) {
    b.node("Mul", {"x", "a"}, {"m"});
    b.node("Mul", {"m", "half"}, {"y"});
  } else if (order == 1) {
    b.node("Mul", {"half", "a"}, {"m"});
    b.node("Mul", {"x", "m"}, {"y"});
  } else {
    b.node("Mul", {"x", "half"}, {"h"});
    b.node("Mul", {"h", "a"}, {"y"});
  }
  b.output("y");
  Graph g = check_same_results(b, 1e-5, 1e-5);
  CHECK(op_types(g) == std::vector<std::string>{"com.microsoft.Gelu"});
}

TEST_CASE("optimizer leaves a GELU-like pattern with wrong constants", "[optimizer]") {
  Builder b;
  b.input("x", {3, 8});
  b.init("k", scalar(2.0f)).init("one", scalar(1.0f)).init("half", scalar(0.5f));
  b.node("Div", {"x", "k"}, {"d"});
  b.node("Erf", {"d"}, {"e"});
  b.node("Add", {"e", "one"}, {"a"});
  b.node("Mul", {"x", "a"}, {"m"});
  b.node("Mul", {"m", "half"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b);
  CHECK(g.nodes.size() == 5);
}

TEST_CASE("optimizer fuses x * Sigmoid(x) into SiLU", "[optimizer]") {
  Builder b;
  b.input("x", {4, 33});
  b.node("Sigmoid", {"x"}, {"s"});
  b.node("Mul", {"s", "x"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b, 1e-5, 1e-6);
  CHECK(op_types(g) == std::vector<std::string>{"com.microsoft.QuickGelu"});
}

TEST_CASE("optimizer fuses Paddle's x * Sigmoid(beta * x)", "[optimizer]") {
  const float beta = GENERATE(1.0f, 1.5f);
  Builder b;
  b.input("x", {4, 33});
  b.init("beta", Tensor::from_vector<float>({1}, {beta}));
  b.node("Mul", {"x", "beta"}, {"bx"});
  b.node("Sigmoid", {"bx"}, {"s"});
  b.node("Mul", {"x", "s"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b, 1e-5, 1e-6);
  REQUIRE(op_types(g) == std::vector<std::string>{"com.microsoft.QuickGelu"});
  CHECK(g.nodes[0].attr("alpha")->f == beta);
}

TEST_CASE("optimizer fuses the LayerNormalization pattern", "[optimizer]") {
  const bool pow_form = GENERATE(false, true);
  const bool axes_input = GENERATE(false, true);  // opset 18: axes as an input
  const bool with_beta = GENERATE(false, true);
  Builder b(axes_input ? 18 : 17);
  b.input("x", {2, 3, 16});
  b.init("gamma", random_tensor({16}, 5)).init("beta", random_tensor({16}, 6));
  b.init("two", scalar(2.0f)).init("eps", scalar(1e-5f));
  b.init("axes", Tensor::from_vector<int64_t>({1}, {-1}));
  auto mean = [&](const std::string& in, const std::string& out) {
    Node& n = b.node("ReduceMean", axes_input ? std::vector<std::string>{in, "axes"} : std::vector<std::string>{in}, {out});
    if (!axes_input) set_attr(n, "axes", ints({2}));
  };
  mean("x", "mu");
  b.node("Sub", {"x", "mu"}, {"d"});
  if (pow_form) b.node("Pow", {"d", "two"}, {"sq"});
  else b.node("Mul", {"d", "d"}, {"sq"});
  mean("sq", "var");
  b.node("Add", {"var", "eps"}, {"ve"});
  b.node("Sqrt", {"ve"}, {"sd"});
  b.node("Div", {"d", "sd"}, {"n"});
  b.node("Mul", {"n", "gamma"}, {with_beta ? "ng" : "y"});
  if (with_beta) b.node("Add", {"ng", "beta"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b, 1e-4, 1e-5);
  REQUIRE(op_types(g) == std::vector<std::string>{"LayerNormalization"});
  CHECK(g.nodes[0].inputs.size() == (with_beta ? 3u : 2u));
}

TEST_CASE("optimizer folds a Paddle-style Conv block into one Conv", "[optimizer]") {
  // Conv -> Mul(scale) -> Add(shift) -> HardSwish as x * Clip(x + 3, 0, 6) / 6 -> Mul -> Add,
  // as PP-OCR exports write every block; opset 11 (Clip bounds as inputs) and 9 (attributes).
  const int64_t opset = GENERATE(9, 11);
  const bool per_channel = GENERATE(false, true);
  const bool div_form = GENERATE(false, true);
  Builder b(opset);
  b.input("x", {1, 4, 12, 12});
  b.init("w", random_tensor({6, 4, 3, 3}, 1, -0.5f, 0.5f)).init("cb", random_tensor({6}, 2));
  b.init("s", per_channel ? random_tensor({6, 1, 1}, 3) : Tensor::from_vector<float>({1}, {0.9f}));
  b.init("t", Tensor::from_vector<float>({1}, {0.5f}));
  b.init("three", Tensor::from_vector<float>({1}, {3.0f})).init("zero", scalar(0.0f)).init("six", scalar(6.0f));
  b.init("sixth", scalar(1.0f / 6.0f)).init("s2", scalar(0.47f)).init("t2", Tensor::from_vector<float>({1}, {-0.01f}));
  set_attr(b.node("Conv", {"x", "w", "cb"}, {"c"}), "pads", ints({1, 1, 1, 1}));
  b.node("Mul", {"s", "c"}, {"cs"});
  b.node("Add", {"cs", "t"}, {"y0"});
  b.node("Add", {"y0", "three"}, {"a3"});
  if (opset >= 11) {
    b.node("Clip", {"a3", "zero", "six"}, {"cl"});
  } else {
    Node& clip = b.node("Clip", {"a3"}, {"cl"});
    set_attr(clip, "min", flt(0.0f));
    set_attr(clip, "max", flt(6.0f));
  }
  b.node("Mul", {"y0", "cl"}, {"m"});
  if (div_form) b.node("Div", {"m", "six"}, {"hs"});
  else b.node("Mul", {"m", "sixth"}, {"hs"});
  b.node("Mul", {"s2", "hs"}, {"p"});
  b.node("Sub", {"p", "t2"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b);
  REQUIRE(op_types(g) == std::vector<std::string>{"Conv"});
  CHECK(activation_of(g.nodes[0]) == "HardSwish");
  REQUIRE(g.nodes[0].attr(linalg::kActivationPostAttr));
  CHECK(g.nodes[0].attr(linalg::kActivationPostAttr)->floats[0] == Approx(0.47f));
}

TEST_CASE("optimizer keeps Conv scaling that is not per channel", "[optimizer]") {
  Builder b;
  b.input("x", {1, 2, 5, 5});
  b.init("w", random_tensor({3, 2, 1, 1}, 1)).init("s", random_tensor({5}, 2));  // scales columns
  b.node("Conv", {"x", "w"}, {"c"});
  b.node("Mul", {"c", "s"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b);
  CHECK(op_types(g) == std::vector<std::string>{"Conv", "Mul"});
}

TEST_CASE("optimizer fuses a residual Add and the Relu after it into the Conv", "[optimizer]") {
  const bool depthwise = GENERATE(false, true);
  const bool with_bias = GENERATE(false, true);
  // 8 channels over 10x10, 64 over 36x36 (many GEMM tiles), 32 over 7x7 (computed transposed)
  const int size = GENERATE(0, 1, 2);
  Builder b;
  const int64_t c = size == 0 ? 8 : size == 1 ? 64 : 32, hw = size == 0 ? 10 : size == 1 ? 36 : 7;
  b.input("x", {2, c, hw, hw});
  b.init("w", random_tensor({c, depthwise ? 1 : c, 3, 3}, 1, -0.3f, 0.3f)).init("cb", random_tensor({c}, 2));
  Node& conv = b.node("Conv", with_bias ? std::vector<std::string>{"x", "w", "cb"} : std::vector<std::string>{"x", "w"}, {"y0"});
  set_attr(conv, "pads", ints({1, 1, 1, 1}));
  if (depthwise) set_attr(conv, "group", integer(c));
  b.node("Add", {"x", "y0"}, {"s"});
  b.node("Relu", {"s"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b);
  REQUIRE(op_types(g) == std::vector<std::string>{"Conv"});
  CHECK(g.nodes[0].inputs.size() == 4);
  CHECK(activation_of(g.nodes[0]) == "Relu");
}

TEST_CASE("optimizer keeps a residual Add that broadcasts", "[optimizer]") {
  Builder b;
  b.input("x", {1, 4, 6, 6}).input("z", {1, 4, 1, 1});
  b.init("w", random_tensor({4, 4, 1, 1}, 1));
  b.node("Conv", {"x", "w"}, {"y0"});
  b.node("Add", {"y0", "z"}, {"y"});
  b.output("y");
  Graph g = check_same_results(b);
  CHECK(op_types(g) == std::vector<std::string>{"Conv", "Add"});
}

TEST_CASE("optimizer counts its rewrites", "[optimizer]") {
  Builder b;
  b.input("x", {1, 3, 8, 8});
  b.init("w", random_tensor({4, 3, 3, 3}, 1));
  for (const char* name : {"scale", "shift", "mean"}) b.init(name, random_tensor({4}, 2));
  b.init("var", random_tensor({4}, 3, 0.5f, 1.0f));
  b.node("Conv", {"x", "w"}, {"c"});
  b.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"bn"});
  b.node("Relu", {"bn"}, {"y"});
  b.node("Neg", {"x"}, {"unused"});
  b.output("y");
  Model model = b.model;
  auto stats = optimize_model(model, OpRegistry::builtin(), Limits{});
  REQUIRE(stats.is_ok());
  CHECK(stats->conv_bn_folded == 1);
  CHECK(stats->activations_fused == 1);
  CHECK(stats->dead_nodes_removed == 1);
  CHECK(stats->nodes_before == 4);
  CHECK(stats->nodes_after == 1);
  CHECK(stats->summary().find("nodes 4 -> 1") == 0);
  Model plain = b.model;
  auto none = optimize_model(plain, OpRegistry::builtin(), Limits{}, OptimizeOptions{false});
  REQUIRE(none.is_ok());
  CHECK(plain.graph.nodes.size() == 4);
}

TEST_CASE("a fused model round-trips through the .wisp format", "[optimizer][wisp]") {
  Builder b;
  b.input("x", {6, 10});
  b.init("w", random_tensor({10, 8}, 1)).init("bias", random_tensor({8}, 2));
  b.node("MatMul", {"x", "w"}, {"m"});
  b.node("Add", {"m", "bias"}, {"mb"});
  add_activation(b, "HardSigmoid", "mb", "y");
  b.output("y");
  Model model = b.model;
  REQUIRE(optimize_model(model, OpRegistry::builtin(), Limits{}).is_ok());
  REQUIRE(model.graph.nodes.size() == 1);
  const std::string path = "optimizer_roundtrip_test.wisp";
  REQUIRE(save_wisp(model, path).is_ok());
  auto loaded = load_model_file(path);
  std::remove(path.c_str());
  REQUIRE(loaded.is_ok());
  REQUIRE(loaded->graph.nodes.size() == 1);
  const Node& n = loaded->graph.nodes[0];
  CHECK(activation_of(n) == "HardSigmoid");
  REQUIRE(n.attr(linalg::kActivationParamsAttr));
  CHECK(n.attr(linalg::kActivationParamsAttr)->floats == std::vector<float>{0.25f, 0.4f});
  NamedTensors feeds = {{"x", random_tensor({6, 10}, 3)}};
  const NamedTensors expected = run(b.model, feeds, false);
  const NamedTensors actual = run(*loaded, feeds, false);  // already fused: no optimizer needed
  check_tensor(actual[0].second, expected[0].second, 1e-5, 1e-6);
}

TEST_CASE("fused activation attributes are checked at load", "[optimizer]") {
  testing::OpTest t;
  t.op_type = "MatMul";
  t.inputs = {random_tensor({2, 3}, 1), random_tensor({3, 2}, 2)};
  t.attr(linalg::kActivationAttr, std::string("Swishy"));
  CHECK(testing::run_err(t).message().find("unknown fused activation") != std::string::npos);
  testing::OpTest clip;
  clip.op_type = "Conv";
  clip.inputs = {random_tensor({1, 1, 3, 3}, 1), random_tensor({1, 1, 1, 1}, 2)};
  clip.attr(linalg::kActivationAttr, std::string("Clip"));
  clip.attr(linalg::kActivationParamsAttr, std::vector<float>{1.0f});
  CHECK(testing::run_err(clip).message().find("needs 2 values") != std::string::npos);
}

}  // namespace
}  // namespace wisp
