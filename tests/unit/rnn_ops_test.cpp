#include <catch2/catch.hpp>
#include <cmath>

#include "tests/unit/control_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Runs one recurrent node; undefined tensors become omitted inputs.
Result<std::vector<Tensor>> run_node(const std::string& op, const std::vector<Tensor>& inputs, size_t outputs,
                                     std::map<std::string, Attribute> attrs = {}) {
  Model m;
  m.opsets[""] = 14;
  Node n;
  n.name = "rnn";
  n.op_type = op;
  n.attributes = std::move(attrs);
  std::vector<Tensor> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) { n.inputs.push_back(""); continue; }
    n.inputs.push_back("in" + std::to_string(i));
    m.graph.inputs.push_back(value(n.inputs.back()));
    feeds.push_back(inputs[i]);
  }
  for (size_t o = 0; o < outputs; ++o) {
    n.outputs.push_back("out" + std::to_string(o));
    m.graph.outputs.push_back(value(n.outputs.back()));
  }
  m.graph.nodes.push_back(n);
  return run_model(m, feeds);
}

Attribute int_attr(int64_t v) { Attribute a; a.kind = Attribute::Kind::Int; a.i = v; return a; }
Attribute str_attr(std::string v) { Attribute a; a.kind = Attribute::Kind::String; a.s = std::move(v); return a; }

// Deterministic pseudo-random values in [-0.5, 0.5).
std::vector<float> values(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  for (auto& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = float(seed >> 8) / float(1 << 24) - 0.5f;
  }
  return v;
}

Tensor tensor(Shape shape, uint32_t seed) {
  size_t n = 1;
  for (int64_t d : shape) n *= size_t(d);
  return Tensor::from_vector<float>(shape, values(n, seed));
}

void check_close(const Tensor& a, const Tensor& b, double tol = 1e-5) {
  REQUIRE(a.shape() == b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) {
    INFO("element " << i);
    CHECK(std::abs(a.get_as_double(i) - b.get_as_double(i)) <= tol);
  }
}

// [a, b, ...rest] -> [b, a, ...rest]
Tensor swap01(const Tensor& t) {
  Shape s = t.shape();
  std::swap(s[0], s[1]);
  int64_t inner = t.numel() / (t.dim(0) * t.dim(1));
  std::vector<float> out(size_t(t.numel()));
  for (int64_t i = 0; i < t.dim(0); ++i)
    for (int64_t j = 0; j < t.dim(1); ++j)
      for (int64_t k = 0; k < inner; ++k)
        out[size_t((j * t.dim(0) + i) * inner + k)] = t.data<float>()[(i * t.dim(1) + j) * inner + k];
  return Tensor::from_vector<float>(s, out);
}

}  // namespace

TEST_CASE("LSTM single step matches the equations", "[rnn]") {
  // hidden 1, input 1: gates i, o, f, c with weights 0.1, 0.2, 0.3, 0.4; peepholes and bias.
  Tensor x = Tensor::from_vector<float>({1, 1, 1}, {2.0f});
  Tensor w = Tensor::from_vector<float>({1, 4, 1}, {0.1f, 0.2f, 0.3f, 0.4f});
  Tensor r = Tensor::from_vector<float>({1, 4, 1}, {0.5f, 0.6f, 0.7f, 0.8f});
  Tensor b = Tensor::from_vector<float>({1, 8}, {0.01f, 0.02f, 0.03f, 0.04f, 0.1f, 0.2f, 0.3f, 0.4f});
  Tensor h0 = Tensor::from_vector<float>({1, 1, 1}, {0.3f});
  Tensor c0 = Tensor::from_vector<float>({1, 1, 1}, {-0.2f});
  Tensor p = Tensor::from_vector<float>({1, 3}, {0.05f, 0.06f, 0.07f});
  auto out = run_node("LSTM", {x, w, r, b, Tensor(), h0, c0, p}, 3, {{"hidden_size", int_attr(1)}});
  REQUIRE(out.is_ok());
  float i = sigmoid(0.2f + 0.15f + 0.05f * -0.2f + 0.11f);
  float f = sigmoid(0.6f + 0.21f + 0.07f * -0.2f + 0.33f);
  float cc = std::tanh(0.8f + 0.24f + 0.44f);
  float c = f * -0.2f + i * cc;
  float o = sigmoid(0.4f + 0.18f + 0.06f * c + 0.22f);
  float h = o * std::tanh(c);
  CHECK(out.value()[0].shape() == Shape{1, 1, 1, 1});
  CHECK(out.value()[0].data<float>()[0] == Approx(h).epsilon(1e-5));
  CHECK(out.value()[1].data<float>()[0] == Approx(h).epsilon(1e-5));
  CHECK(out.value()[2].data<float>()[0] == Approx(c).epsilon(1e-5));

  // input_forget couples f = 1 - i.
  auto coupled = run_node("LSTM", {x, w, r, b, Tensor(), h0, c0, p}, 3, {{"input_forget", int_attr(1)}});
  REQUIRE(coupled.is_ok());
  float c2 = (1 - i) * -0.2f + i * cc;
  CHECK(coupled.value()[2].data<float>()[0] == Approx(c2).epsilon(1e-5));
}

TEST_CASE("LSTM layouts, directions and sequence lengths agree", "[rnn]") {
  const int64_t seq = 4, batch = 3, in = 5, hid = 6;
  Tensor x = tensor({seq, batch, in}, 1);
  Tensor w = tensor({2, 4 * hid, in}, 2);
  Tensor r = tensor({2, 4 * hid, hid}, 3);
  Tensor b = tensor({2, 8 * hid}, 4);
  Tensor h0 = tensor({2, batch, hid}, 5);
  Tensor c0 = tensor({2, batch, hid}, 6);
  std::map<std::string, Attribute> bi{{"direction", str_attr("bidirectional")}};
  auto base = run_node("LSTM", {x, w, r, b, Tensor(), h0, c0}, 3, bi);
  REQUIRE(base.is_ok());
  CHECK(base.value()[0].shape() == Shape{seq, 2, batch, hid});

  auto batch_first = bi;
  batch_first["layout"] = int_attr(1);
  auto l1 = run_node("LSTM", {swap01(x), w, r, b, Tensor(), swap01(h0), swap01(c0)}, 3, batch_first);
  REQUIRE(l1.is_ok());
  // layout 1: Y [batch, seq, dirs, hidden] = transpose(1, 2, 0, 3) of layout 0's Y.
  const Tensor& y0 = base.value()[0];
  const Tensor& y1 = l1.value()[0];
  REQUIRE(y1.shape() == Shape{batch, seq, 2, hid});
  for (int64_t s = 0; s < seq; ++s)
    for (int64_t d = 0; d < 2; ++d)
      for (int64_t bb = 0; bb < batch; ++bb)
        for (int64_t k = 0; k < hid; ++k)
          CHECK(y1.data<float>()[((bb * seq + s) * 2 + d) * hid + k] ==
                Approx(y0.data<float>()[((s * 2 + d) * batch + bb) * hid + k]));
  check_close(l1.value()[1], swap01(base.value()[1]));
  check_close(l1.value()[2], swap01(base.value()[2]));

  // The reverse direction alone equals direction 1 of the bidirectional run.
  Tensor w1 = Tensor::from_vector<float>({1, 4 * hid, in}, std::vector<float>(w.data<float>() + 4 * hid * in, w.data<float>() + 8 * hid * in));
  Tensor r1 = Tensor::from_vector<float>({1, 4 * hid, hid}, std::vector<float>(r.data<float>() + 4 * hid * hid, r.data<float>() + 8 * hid * hid));
  Tensor b1 = Tensor::from_vector<float>({1, 8 * hid}, std::vector<float>(b.data<float>() + 8 * hid, b.data<float>() + 16 * hid));
  Tensor h01 = Tensor::from_vector<float>({1, batch, hid}, std::vector<float>(h0.data<float>() + batch * hid, h0.data<float>() + 2 * batch * hid));
  Tensor c01 = Tensor::from_vector<float>({1, batch, hid}, std::vector<float>(c0.data<float>() + batch * hid, c0.data<float>() + 2 * batch * hid));
  auto rev = run_node("LSTM", {x, w1, r1, b1, Tensor(), h01, c01}, 3, {{"direction", str_attr("reverse")}});
  REQUIRE(rev.is_ok());
  for (int64_t k = 0; k < batch * hid; ++k) {
    CHECK(rev.value()[1].data<float>()[k] == Approx(base.value()[1].data<float>()[batch * hid + k]));
  }

  // sequence_lens: entry 1 stops after 2 steps; its Y is zero afterwards and Y_h matches a
  // run over just those 2 steps.
  Tensor lens = Tensor::from_vector<int32_t>({batch}, {4, 2, 4});
  auto short_run = run_node("LSTM", {x, w, r, b, lens, h0, c0}, 3, bi);
  REQUIRE(short_run.is_ok());
  const Tensor& ys = short_run.value()[0];
  for (int64_t s = 2; s < seq; ++s)
    for (int64_t d = 0; d < 2; ++d)
      for (int64_t k = 0; k < hid; ++k) CHECK(ys.data<float>()[((s * 2 + d) * batch + 1) * hid + k] == 0.0f);
  Tensor x2 = Tensor::from_vector<float>({2, batch, in}, std::vector<float>(x.data<float>(), x.data<float>() + 2 * batch * in));
  auto two = run_node("LSTM", {x2, w, r, b, Tensor(), h0, c0}, 3, bi);
  REQUIRE(two.is_ok());
  for (int64_t d = 0; d < 2; ++d)
    for (int64_t k = 0; k < hid; ++k)
      CHECK(short_run.value()[1].data<float>()[(d * batch + 1) * hid + k] ==
            Approx(two.value()[1].data<float>()[(d * batch + 1) * hid + k]));
}

TEST_CASE("LSTM rejects inconsistent shapes", "[rnn]") {
  Tensor x = tensor({2, 1, 3}, 1);
  Tensor w = tensor({1, 8, 3}, 2);
  Tensor r = tensor({1, 8, 2}, 3);
  auto ok = run_node("LSTM", {x, w, r}, 3);
  REQUIRE(ok.is_ok());
  CHECK(ok.value()[0].shape() == Shape{2, 1, 1, 2});
  auto bad = run_node("LSTM", {x, tensor({1, 8, 4}, 2), r}, 3);
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().code() == ErrorCode::InvalidArgument);
  auto bad_h = run_node("LSTM", {x, w, r, Tensor(), Tensor(), tensor({1, 2, 2}, 5)}, 3);
  REQUIRE_FALSE(bad_h.is_ok());
  auto bad_len = run_node("LSTM", {x, w, r, Tensor(), Tensor::from_vector<int32_t>({1}, {3})}, 3);
  REQUIRE_FALSE(bad_len.is_ok());
  auto bad_act = run_node("LSTM", {x, w, r}, 3, {{"direction", str_attr("sideways")}});
  REQUIRE_FALSE(bad_act.is_ok());
}

TEST_CASE("GRU single step, both reset modes", "[rnn]") {
  // hidden 1, input 1: gates z, r, h.
  Tensor x = Tensor::from_vector<float>({1, 1, 1}, {1.5f});
  Tensor w = Tensor::from_vector<float>({1, 3, 1}, {0.1f, 0.2f, 0.3f});
  Tensor r = Tensor::from_vector<float>({1, 3, 1}, {0.4f, 0.5f, 0.6f});
  Tensor b = Tensor::from_vector<float>({1, 6}, {0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f});
  Tensor h0 = Tensor::from_vector<float>({1, 1, 1}, {0.7f});
  float z = sigmoid(0.15f + 0.28f + 0.01f + 0.04f);
  float rr = sigmoid(0.3f + 0.35f + 0.02f + 0.05f);
  float h_default = std::tanh(0.45f + (rr * 0.7f) * 0.6f + 0.06f + 0.03f);
  float h_linear = std::tanh(0.45f + rr * (0.7f * 0.6f + 0.06f) + 0.03f);
  auto out = run_node("GRU", {x, w, r, b, Tensor(), h0}, 2);
  REQUIRE(out.is_ok());
  CHECK(out.value()[1].data<float>()[0] == Approx((1 - z) * h_default + z * 0.7f).epsilon(1e-5));
  out = run_node("GRU", {x, w, r, b, Tensor(), h0}, 2, {{"linear_before_reset", int_attr(1)}});
  REQUIRE(out.is_ok());
  CHECK(out.value()[1].data<float>()[0] == Approx((1 - z) * h_linear + z * 0.7f).epsilon(1e-5));
}

TEST_CASE("RNN with custom activations and clip", "[rnn]") {
  Tensor x = Tensor::from_vector<float>({2, 1, 1}, {1.0f, -2.0f});
  Tensor w = Tensor::from_vector<float>({1, 1, 1}, {3.0f});
  Tensor r = Tensor::from_vector<float>({1, 1, 1}, {0.5f});
  Attribute acts;
  acts.kind = Attribute::Kind::Strings;
  acts.strings = {"LeakyRelu"};
  Attribute alpha;
  alpha.kind = Attribute::Kind::Floats;
  alpha.floats = {0.1f};
  Attribute clip;
  clip.kind = Attribute::Kind::Float;
  clip.f = 2.5f;
  auto out = run_node("RNN", {x, w, r}, 2, {{"activations", acts}, {"activation_alpha", alpha}, {"clip", clip}});
  REQUIRE(out.is_ok());
  // step 0: clip(3) = 2.5 -> 2.5; step 1: clip(-6 + 1.25) = -2.5 -> -0.25
  CHECK(floats_of(out.value()[0]) == std::vector<float>{2.5f, -0.25f});
  CHECK(floats_of(out.value()[1]) == std::vector<float>{-0.25f});
}

// A plain LSTM (forward, default activations, no peepholes) to check the GEMV-based kernel
// on sizes that leave SIMD remainders, and the float64 inputs it converts instead of viewing.
TEST_CASE("LSTM matches a plain reference on odd sizes, float32 and float64", "[rnn]") {
  const int64_t seq = 3, batch = 2, in = 7, hid = 37, G = 4 * hid;
  Tensor x = tensor({seq, batch, in}, 11), w = tensor({1, G, in}, 12), r = tensor({1, G, hid}, 13);
  Tensor b = tensor({1, 2 * G}, 14), h0 = tensor({1, batch, hid}, 15), c0 = tensor({1, batch, hid}, 16);
  const float* X = x.data<float>();
  const float* W = w.data<float>();
  const float* R = r.data<float>();
  const float* B = b.data<float>();
  std::vector<float> h(h0.data<float>(), h0.data<float>() + batch * hid);
  std::vector<float> c(c0.data<float>(), c0.data<float>() + batch * hid);
  std::vector<float> y;
  for (int64_t t = 0; t < seq; ++t) {
    std::vector<float> hn(h.size());
    for (int64_t n = 0; n < batch; ++n) {
      std::vector<double> gate(static_cast<size_t>(G), 0.0);
      for (int64_t g = 0; g < G; ++g) {
        double s = B[g] + B[G + g];
        for (int64_t k = 0; k < in; ++k) s += double(W[g * in + k]) * X[(t * batch + n) * in + k];
        for (int64_t k = 0; k < hid; ++k) s += double(R[g * hid + k]) * h[size_t(n * hid + k)];
        gate[size_t(g)] = s;
      }
      for (int64_t j = 0; j < hid; ++j) {
        float i = sigmoid(float(gate[size_t(j)])), o = sigmoid(float(gate[size_t(hid + j)]));
        float f = sigmoid(float(gate[size_t(2 * hid + j)])), cc = std::tanh(float(gate[size_t(3 * hid + j)]));
        float& cell = c[size_t(n * hid + j)];
        cell = f * cell + i * cc;
        hn[size_t(n * hid + j)] = o * std::tanh(cell);
      }
    }
    h = hn;
    y.insert(y.end(), h.begin(), h.end());
  }
  Tensor want_y = Tensor::from_vector<float>({seq, 1, batch, hid}, y);
  Tensor want_c = Tensor::from_vector<float>({1, batch, hid}, c);

  auto as_double = [](const Tensor& t) {
    std::vector<double> v(t.data<float>(), t.data<float>() + t.numel());
    return Tensor::from_vector<double>(t.shape(), v);
  };
  for (bool f64 : {false, true}) {
    INFO("float64 " << f64);
    std::vector<Tensor> inputs{x, w, r, b, Tensor(), h0, c0};
    if (f64) {
      for (Tensor& t : inputs) if (t.defined()) t = as_double(t);
    }
    auto out = run_node("LSTM", inputs, 3);
    REQUIRE(out.is_ok());
    CHECK(out.value()[0].dtype() == (f64 ? DType::Float64 : DType::Float32));
    check_close(out.value()[0], want_y, 1e-5);
    check_close(out.value()[2], want_c, 1e-5);
  }
}
