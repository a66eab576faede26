// Unit tests for the nn operators (core/ops/nn/): pooling, normalisation, softmax, dropout.
#include <cmath>
#include <random>

#include "tests/unit/op_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

Tensor f32(Shape s, std::vector<float> v) { return Tensor::from_vector<float>(std::move(s), v); }
Tensor i64(Shape s, std::vector<int64_t> v) { return Tensor::from_vector<int64_t>(std::move(s), v); }
Tensor iota_f32(Shape s, float start = 0) {
  std::vector<float> v(static_cast<size_t>(numel(s)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = start + float(i);
  return f32(std::move(s), v);
}

}  // namespace

TEST_CASE("MaxPool: default, strides, ceil_mode", "[nn]") {
  OpTest t{"MaxPool"};
  t.attr("kernel_shape", std::vector<int64_t>{2, 2});
  t.inputs = {iota_f32({1, 1, 4, 4}, 1)};
  check_tensor(run_ok(t)[0], f32({1, 1, 3, 3}, {6, 7, 8, 10, 11, 12, 14, 15, 16}));

  // ONNX example maxpool_2d_ceil.
  OpTest c{"MaxPool"};
  c.attr("kernel_shape", std::vector<int64_t>{3, 3});
  c.attr("strides", std::vector<int64_t>{2, 2});
  c.attr("ceil_mode", int64_t(1));
  c.inputs = {iota_f32({1, 1, 4, 4}, 1)};
  check_tensor(run_ok(c)[0], f32({1, 1, 2, 2}, {11, 12, 15, 16}));

  // 1-D with dilation 2: windows {0,2}, {1,3}, {2,4}.
  OpTest d{"MaxPool"};
  d.attr("kernel_shape", std::vector<int64_t>{2});
  d.attr("dilations", std::vector<int64_t>{2});
  d.inputs = {f32({1, 1, 5}, {5, 1, 2, 7, 0})};
  check_tensor(run_ok(d)[0], f32({1, 1, 3}, {5, 7, 2}));
}

TEST_CASE("MaxPool: pads and the Indices output in both storage orders", "[nn]") {
  OpTest t{"MaxPool"};
  t.num_outputs = 2;
  t.attr("kernel_shape", std::vector<int64_t>{2, 2});
  t.attr("strides", std::vector<int64_t>{2, 2});
  t.inputs = {f32({1, 2, 2, 3}, {1, 9, 2, 3, 4, 8, /*c1*/ 0, 0, 0, 5, 0, 0})};
  auto out = run_ok(t);
  check_tensor(out[0], f32({1, 2, 1, 1}, {9, 5}));
  check_tensor(out[1], i64({1, 2, 1, 1}, {1, 6 + 3}));

  OpTest cm = t;
  cm.attr("storage_order", int64_t(1));
  auto co = run_ok(cm);
  // Column-major within the plane: (h, w) -> h + w * H.
  check_tensor(co[1], i64({1, 2, 1, 1}, {0 + 1 * 2, 6 + 1}));

  OpTest p{"MaxPool"};
  p.attr("kernel_shape", std::vector<int64_t>{3, 3});
  p.attr("pads", std::vector<int64_t>{1, 1, 1, 1});
  p.inputs = {iota_f32({1, 1, 2, 2}, 1)};
  check_tensor(run_ok(p)[0], f32({1, 1, 2, 2}, {4, 4, 4, 4}));

  OpTest u8{"MaxPool"};
  u8.attr("kernel_shape", std::vector<int64_t>{2});
  u8.inputs = {Tensor::from_vector<uint8_t>({1, 1, 3}, {200, 3, 255})};
  check_tensor(run_ok(u8)[0], Tensor::from_vector<uint8_t>({1, 1, 2}, {200, 255}));
}

TEST_CASE("MaxPool rejects bad shapes and attributes", "[nn]") {
  OpTest t{"MaxPool"};
  t.attr("kernel_shape", std::vector<int64_t>{2, 2});
  t.inputs = {iota_f32({4, 4})};
  CHECK(run_err(t).code() == ErrorCode::InvalidArgument);

  OpTest big{"MaxPool"};
  big.attr("kernel_shape", std::vector<int64_t>{5, 5});
  big.inputs = {iota_f32({1, 1, 4, 4})};
  CHECK(run_err(big).code() == ErrorCode::InvalidArgument);

  OpTest nokernel{"MaxPool"};
  nokernel.inputs = {iota_f32({1, 1, 4, 4})};
  CHECK(run_err(nokernel).code() == ErrorCode::InvalidModel);
}

TEST_CASE("AveragePool: pads with and without count_include_pad, SAME_UPPER", "[nn]") {
  Tensor x = iota_f32({1, 1, 3, 3}, 1);
  OpTest t{"AveragePool"};
  t.attr("kernel_shape", std::vector<int64_t>{2, 2});
  t.attr("pads", std::vector<int64_t>{1, 1, 1, 1});
  t.attr("strides", std::vector<int64_t>{2, 2});
  t.inputs = {x};
  // Windows start at -1 and 1: {x00}, {x01,x02}, {x10,x20}, {x11,x12,x21,x22}.
  check_tensor(run_ok(t)[0], f32({1, 1, 2, 2}, {1, 2.5f, 5.5f, 7}));

  OpTest inc = t;
  inc.attr("count_include_pad", int64_t(1));
  check_tensor(run_ok(inc)[0], f32({1, 1, 2, 2}, {0.25f, 1.25f, 2.75f, 7}));

  OpTest same{"AveragePool"};
  same.attr("kernel_shape", std::vector<int64_t>{2, 2});
  same.attr("auto_pad", std::string("SAME_UPPER"));
  same.inputs = {x};
  auto out = run_ok(same)[0];
  REQUIRE(out.shape() == Shape{1, 1, 3, 3});
  CHECK(out.data<float>()[0] == 3.0f);
  CHECK(out.data<float>()[8] == 9.0f);
  CHECK(out.data<float>()[2] == 4.5f);
}

namespace {

// Direct definition of 2-D MaxPool / AveragePool for an output of shape `out` (taken from
// the op): window start o*s - pad_begin, taps inside the input only; the average divides by
// the valid taps, or with count_include_pad by the taps inside [-pad_begin, in + pad_end).
Tensor reference_pool_2d(const Tensor& x, const Shape& out, bool max, const std::vector<int64_t>& k,
                         const std::vector<int64_t>& s, const std::vector<int64_t>& d, const std::vector<int64_t>& pads,
                         bool include_pad) {
  const int64_t planes = out[0] * out[1], H = x.dim(2), W = x.dim(3), OH = out[2], OW = out[3];
  std::vector<float> y(size_t(planes * OH * OW));
  const float* xd = x.data<float>();
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        float best = -INFINITY;
        double sum = 0;
        int64_t valid = 0, padded = 0;
        for (int64_t i = 0; i < k[0]; ++i)
          for (int64_t j = 0; j < k[1]; ++j) {
            const int64_t ih = oh * s[0] - pads[0] + i * d[0], iw = ow * s[1] - pads[1] + j * d[1];
            padded += ih >= -pads[0] && ih < H + pads[2] && iw >= -pads[1] && iw < W + pads[3];
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            const float v = xd[(p * H + ih) * W + iw];
            best = std::max(best, v);
            sum += v;
            ++valid;
          }
        const int64_t count = include_pad ? padded : valid;
        y[size_t((p * OH + oh) * OW + ow)] = max ? best : (count ? float(sum / double(count)) : 0.0f);
      }
  return f32(out, y);
}

}  // namespace

TEST_CASE("MaxPool and AveragePool 2-D match the definition: strides, dilations, pads, ceil_mode", "[nn]") {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> val(-1.0f, 1.0f);
  std::uniform_int_distribution<int> size(1, 19), small(1, 3), pad(0, 2);
  for (int i = 0; i < 300; ++i) {
    const bool max = i % 2 == 0, include_pad = !max && (i / 2) % 2;
    const std::vector<int64_t> k{small(rng), small(rng) + (i % 5 == 0 ? 2 : 0)}, s{small(rng), small(rng)},
        d{max || i % 3 ? 1 : small(rng), max || i % 3 ? 1 : small(rng)};
    std::vector<int64_t> pads{pad(rng), pad(rng), pad(rng), pad(rng)};
    for (int j = 0; j < 2; ++j) {  // a pad must be smaller than the kernel extent
      pads[size_t(j)] = std::min(pads[size_t(j)], (k[size_t(j)] - 1) * d[size_t(j)]);
      pads[size_t(j + 2)] = std::min(pads[size_t(j + 2)], (k[size_t(j)] - 1) * d[size_t(j)]);
    }
    Shape xs{1 + i % 2, 1 + i % 3, size(rng) + (k[0] - 1) * d[0], size(rng) + (k[1] - 1) * d[1]};
    std::vector<float> v(size_t(numel(xs)));
    for (auto& e : v) e = val(rng);
    OpTest t{max ? "MaxPool" : "AveragePool"};
    t.opset = 19;
    t.attr("kernel_shape", k);
    t.attr("strides", s);
    t.attr("dilations", d);
    t.attr("pads", pads);
    t.attr("ceil_mode", int64_t(i % 7 == 0));
    if (!max) t.attr("count_include_pad", int64_t(include_pad));
    t.inputs = {f32(xs, v)};
    INFO("case " << i << " k " << k[0] << "x" << k[1] << " s " << s[0] << "," << s[1] << " d " << d[0] << "," << d[1]
                 << " pads " << pads[0] << pads[1] << pads[2] << pads[3] << " x " << shape_to_string(xs));
    auto r = t.run();
    REQUIRE(r.is_ok());
    const Tensor& y = r.value()[0];
    check_tensor(y, reference_pool_2d(t.inputs[0], y.shape(), max, k, s, d, pads, include_pad), 1e-5, 1e-6);
  }
}

TEST_CASE("LpPool and the global pools", "[nn]") {
  OpTest lp{"LpPool"};
  lp.opset = 18;
  lp.attr("kernel_shape", std::vector<int64_t>{2});
  lp.attr("p", int64_t(2));
  lp.inputs = {f32({1, 1, 3}, {3, 4, 0})};
  check_tensor(run_ok(lp)[0], f32({1, 1, 2}, {5, 4}));

  Tensor x = f32({1, 2, 2, 2}, {1, 2, 3, 4, -1, -2, -3, -6});
  OpTest avg{"GlobalAveragePool"};
  avg.inputs = {x};
  check_tensor(run_ok(avg)[0], f32({1, 2, 1, 1}, {2.5f, -3}));
  OpTest mx{"GlobalMaxPool"};
  mx.inputs = {x};
  check_tensor(run_ok(mx)[0], f32({1, 2, 1, 1}, {4, -1}));
  OpTest glp{"GlobalLpPool"};
  glp.attr("p", int64_t(1));
  glp.inputs = {x};
  check_tensor(run_ok(glp)[0], f32({1, 2, 1, 1}, {10, 12}));
}

TEST_CASE("MaxUnpool scatters values back", "[nn]") {
  OpTest t{"MaxUnpool"};
  t.attr("kernel_shape", std::vector<int64_t>{2, 2});
  t.attr("strides", std::vector<int64_t>{2, 2});
  t.inputs = {f32({1, 1, 1, 2}, {5, 6}), i64({1, 1, 1, 2}, {1, 7})};
  check_tensor(run_ok(t)[0], f32({1, 1, 2, 4}, {0, 5, 0, 0, 0, 0, 0, 6}));

  OpTest bad = t;
  bad.inputs = {f32({1, 1, 1, 2}, {5, 6}), i64({1, 1, 1, 2}, {1, 8})};
  CHECK(run_err(bad).code() == ErrorCode::InvalidArgument);
}

TEST_CASE("BatchNormalization inference and training mode", "[nn]") {
  Tensor x = f32({1, 2, 1, 2}, {1, 3, 2, 6});
  Tensor scale = f32({2}, {1, 2});
  Tensor bias = f32({2}, {0, 1});
  Tensor mean = f32({2}, {1, 2});
  Tensor var = f32({2}, {4, 1});
  OpTest t{"BatchNormalization"};
  t.opset = 15;
  t.attr("epsilon", 0.0f);
  t.inputs = {x, scale, bias, mean, var};
  check_tensor(run_ok(t)[0], f32({1, 2, 1, 2}, {0, 1, 1, 9}));

  OpTest tr = t;
  tr.attr("training_mode", int64_t(1));
  tr.attr("momentum", 0.5f);
  tr.num_outputs = 3;
  auto out = run_ok(tr);
  // Batch stats: c0 mean 2 var 1, c1 mean 4 var 4.
  check_tensor(out[0], f32({1, 2, 1, 2}, {-1, 1, -1, 3}));
  check_tensor(out[1], f32({2}, {1.5f, 3}));
  check_tensor(out[2], f32({2}, {2.5f, 2.5f}));

  OpTest bad = t;
  bad.inputs = {x, f32({3}, {1, 1, 1}), bias, mean, var};
  CHECK(run_err(bad).code() == ErrorCode::InvalidArgument);
}

TEST_CASE("InstanceNormalization and GroupNormalization", "[nn]") {
  Tensor x = f32({1, 2, 2}, {1, 3, 10, 20});
  OpTest t{"InstanceNormalization"};
  t.attr("epsilon", 0.0f);
  t.inputs = {x, f32({2}, {1, 2}), f32({2}, {0, 1})};
  check_tensor(run_ok(t)[0], f32({1, 2, 2}, {-1, 1, -1, 3}));

  OpTest g{"GroupNormalization"};
  g.opset = 21;
  g.attr("epsilon", 0.0f);
  g.attr("num_groups", int64_t(1));
  g.inputs = {f32({1, 2, 1}, {1, 3}), f32({2}, {1, 2}), f32({2}, {0, 1})};
  check_tensor(run_ok(g)[0], f32({1, 2, 1}, {-1, 3}));

  OpTest bad = g;
  bad.attr("num_groups", int64_t(3));
  CHECK(run_err(bad).code() == ErrorCode::InvalidArgument);
}

TEST_CASE("LayerNormalization with Mean and InvStdDev outputs", "[nn]") {
  OpTest t{"LayerNormalization"};
  t.opset = 17;
  t.attr("epsilon", 0.0f);
  t.num_outputs = 3;
  t.inputs = {f32({2, 2}, {1, 3, 0, 4}), f32({2}, {1, 2}), f32({2}, {0.5f, 0})};
  auto out = run_ok(t);
  check_tensor(out[0], f32({2, 2}, {-0.5f, 2, -0.5f, 2}));
  check_tensor(out[1], f32({2, 1}, {2, 2}));
  check_tensor(out[2], f32({2, 1}, {1, 0.5f}));

  // axis 0: one normalisation over everything, no bias.
  OpTest a0{"LayerNormalization"};
  a0.opset = 17;
  a0.attr("axis", int64_t(0));
  a0.attr("epsilon", 0.0f);
  a0.inputs = {f32({2, 1}, {1, 3}), f32({2, 1}, {1, 1})};
  check_tensor(run_ok(a0)[0], f32({2, 1}, {-1, 1}));
}

TEST_CASE("LpNormalization, MeanVarianceNormalization and LRN", "[nn]") {
  OpTest lp{"LpNormalization"};
  lp.inputs = {f32({2, 2}, {3, 4, 0, 0})};
  check_tensor(run_ok(lp)[0], f32({2, 2}, {0.6f, 0.8f, 0, 0}));
  OpTest l1{"LpNormalization"};
  l1.attr("p", int64_t(1));
  l1.attr("axis", int64_t(0));
  l1.inputs = {f32({2, 2}, {1, 3, 3, 1})};
  check_tensor(run_ok(l1)[0], f32({2, 2}, {0.25f, 0.75f, 0.75f, 0.25f}));

  OpTest mvn{"MeanVarianceNormalization"};
  mvn.attr("axes", std::vector<int64_t>{1});
  mvn.inputs = {f32({2, 2}, {1, 3, 5, 5})};
  check_tensor(run_ok(mvn)[0], f32({2, 2}, {-1, 1, 0, 0}), 1e-5, 1e-6);

  OpTest lrn{"LRN"};
  lrn.attr("size", int64_t(3));
  lrn.attr("alpha", 3.0f);
  lrn.attr("beta", 1.0f);
  lrn.attr("bias", 1.0f);
  lrn.inputs = {f32({1, 3, 1, 1}, {1, 2, 3})};
  // c0: sq = 1+4 -> 1/(1+5); c1: 14 -> 2/15; c2: 13 -> 3/14.
  check_tensor(run_ok(lrn)[0], f32({1, 3, 1, 1}, {1.0f / 6, 2.0f / 15, 3.0f / 14}));
}

TEST_CASE("Softmax / LogSoftmax / Hardmax, both axis conventions", "[nn]") {
  Tensor x = f32({2, 3}, {1, 2, 3, 0, 0, 1000});
  OpTest t{"Softmax"};
  t.opset = 13;
  t.inputs = {x};
  float e = std::exp(1.0f), s = 1 + e + e * e;
  check_tensor(run_ok(t)[0], f32({2, 3}, {1 / s, e / s, e * e / s, 0, 0, 1}));

  OpTest ax0{"Softmax"};
  ax0.opset = 13;
  ax0.attr("axis", int64_t(0));
  ax0.inputs = {f32({2, 2}, {0, 1, 0, 1})};
  check_tensor(run_ok(ax0)[0], f32({2, 2}, {0.5f, 0.5f, 0.5f, 0.5f}));

  // Opset 11 coerces [1, 2, 2] at axis 1 into one row of 4.
  OpTest old{"Softmax"};
  old.opset = 11;
  old.inputs = {f32({1, 2, 2}, {0, 0, 0, 0})};
  check_tensor(run_ok(old)[0], f32({1, 2, 2}, {0.25f, 0.25f, 0.25f, 0.25f}));

  OpTest ls{"LogSoftmax"};
  ls.opset = 13;
  ls.inputs = {f32({1, 2}, {0, 0})};
  check_tensor(run_ok(ls)[0], f32({1, 2}, {-std::log(2.0f), -std::log(2.0f)}));

  OpTest hm{"Hardmax"};
  hm.opset = 13;
  hm.attr("axis", int64_t(0));
  hm.inputs = {f32({2, 2}, {1, 5, 3, 5})};
  check_tensor(run_ok(hm)[0], f32({2, 2}, {0, 1, 1, 0}));

  OpTest bad{"Softmax"};
  bad.attr("axis", int64_t(2));
  bad.inputs = {x};
  CHECK(run_err(bad).code() == ErrorCode::InvalidArgument);
}

TEST_CASE("Dropout is the identity in inference, with an all-true mask", "[nn]") {
  OpTest t{"Dropout"};
  t.opset = 13;
  t.num_outputs = 2;
  t.inputs = {f32({3}, {1, 2, 3}), f32({}, {0.3f})};
  auto out = run_ok(t);
  check_tensor(out[0], f32({3}, {1, 2, 3}));
  REQUIRE(out[1].dtype() == DType::Bool);
  for (int i = 0; i < 3; ++i) CHECK(out[1].data<bool>()[i]);

  OpTest tr{"Dropout"};
  tr.opset = 13;
  tr.num_outputs = 2;
  tr.attr("seed", int64_t(1));
  tr.inputs = {f32({1000}, std::vector<float>(1000, 1.0f)), f32({}, {0.5f}),
               Tensor::from_vector<bool>({}, {true})};
  auto to = run_ok(tr);
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    bool k = to[1].data<bool>()[i];
    kept += k;
    CHECK(to[0].data<float>()[i] == (k ? 2.0f : 0.0f));
  }
  CHECK(kept > 400);
  CHECK(kept < 600);
}

TEST_CASE("RoiAlign half_pixel and output_half_pixel, MaxRoiPool", "[nn]") {
  Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  OpTest t{"RoiAlign"};
  t.opset = 16;
  t.attr("sampling_ratio", int64_t(2));
  t.inputs = {x, f32({1, 4}, {0, 0, 2, 2}), i64({1}, {0})};
  check_tensor(run_ok(t)[0], f32({1, 1, 1, 1}, {2.5f}));

  OpTest legacy{"RoiAlign"};
  legacy.opset = 10;
  legacy.attr("sampling_ratio", int64_t(1));
  legacy.inputs = {x, f32({1, 4}, {0, 0, 1, 1}), i64({1}, {0})};
  check_tensor(run_ok(legacy)[0], f32({1, 1, 1, 1}, {2.5f}));

  OpTest bad = t;
  bad.inputs = {x, f32({1, 4}, {0, 0, 2, 2}), i64({1}, {1})};
  CHECK(run_err(bad).code() == ErrorCode::InvalidArgument);

  OpTest mrp{"MaxRoiPool"};
  mrp.attr("pooled_shape", std::vector<int64_t>{1, 2});
  mrp.inputs = {x, f32({1, 5}, {0, 0, 0, 1, 1})};
  check_tensor(run_ok(mrp)[0], f32({1, 1, 1, 2}, {3, 4}));
}

TEST_CASE("NonMaxSuppression suppresses by IoU, per class", "[nn]") {
  OpTest t{"NonMaxSuppression"};
  t.inputs = {f32({1, 6, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, -0.1f, 1, 0.9f, 0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100, 1, 101}),
              f32({1, 1, 6}, {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f}), i64({1}, {3}), f32({1}, {0.5f}), f32({1}, {0.0f})};
  check_tensor(run_ok(t)[0], i64({3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5}));

  OpTest none = t;
  none.inputs[2] = i64({1}, {0});
  CHECK(run_ok(none)[0].shape() == Shape{0, 3});
}

TEST_CASE("Einsum: matmul, diagonal, ellipsis, implicit output", "[nn]") {
  Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = f32({3, 2}, {1, 0, 0, 1, 1, 1});
  OpTest mm{"Einsum"};
  mm.attr("equation", std::string("ij,jk->ik"));
  mm.inputs = {a, b};
  check_tensor(run_ok(mm)[0], f32({2, 2}, {4, 5, 10, 11}));

  OpTest implicit{"Einsum"};
  implicit.attr("equation", std::string("ij,jk"));
  implicit.inputs = {a, b};
  check_tensor(run_ok(implicit)[0], f32({2, 2}, {4, 5, 10, 11}));

  OpTest diag{"Einsum"};
  diag.attr("equation", std::string("ii->i"));
  diag.inputs = {f32({2, 2}, {1, 2, 3, 4})};
  check_tensor(run_ok(diag)[0], f32({2}, {1, 4}));

  OpTest tr{"Einsum"};
  tr.attr("equation", std::string("...ij->...ji"));
  tr.inputs = {f32({1, 2, 2}, {1, 2, 3, 4})};
  check_tensor(run_ok(tr)[0], f32({1, 2, 2}, {1, 3, 2, 4}));

  OpTest dot{"Einsum"};
  dot.attr("equation", std::string("i,i"));
  dot.inputs = {f32({3}, {1, 2, 3}), f32({3}, {4, 5, 6})};
  check_tensor(run_ok(dot)[0], f32({}, {32}));

  OpTest bad{"Einsum"};
  bad.attr("equation", std::string("ij,jk->ik"));
  bad.inputs = {a, a};
  CHECK(run_err(bad).code() == ErrorCode::InvalidArgument);
}
