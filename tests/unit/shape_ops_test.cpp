// Unit tests for the shape / data-movement operators (core/ops/shape/).
#include "tests/unit/op_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

Tensor f32(Shape s, std::vector<float> v) { return Tensor::from_vector<float>(std::move(s), v); }
Tensor i64(Shape s, std::vector<int64_t> v) { return Tensor::from_vector<int64_t>(std::move(s), v); }
Tensor iota_f32(Shape s) {
  std::vector<float> v(size_t(numel(s)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = float(i);
  return f32(std::move(s), v);
}

}  // namespace

TEST_CASE("Reshape handles 0, -1 and allowzero, as a view", "[shape]") {
  OpTest t{"Reshape"};
  t.inputs = {iota_f32({2, 3, 4}), i64({3}, {0, -1, 2})};
  auto out = run_ok(t);
  CHECK(out[0].shape() == Shape{2, 6, 2});
  check_tensor(out[0], iota_f32({2, 6, 2}));

  OpTest bad{"Reshape"};
  bad.inputs = {iota_f32({2, 3}), i64({2}, {4, -1})};
  CHECK(run_err(bad).code() == ErrorCode::InvalidArgument);

  OpTest az{"Reshape"};
  az.opset = 14;
  az.attr("allowzero", int64_t(1));
  az.inputs = {iota_f32({0, 3}), i64({2}, {3, 0})};
  CHECK(run_ok(az)[0].shape() == Shape{3, 0});
}

TEST_CASE("Squeeze / Unsqueeze take axes as attribute before opset 13 and input after", "[shape]") {
  OpTest s{"Squeeze"};
  s.opset = 11;
  s.attr("axes", std::vector<int64_t>{0, -1});
  s.inputs = {iota_f32({1, 3, 1})};
  CHECK(run_ok(s)[0].shape() == Shape{3});

  OpTest u{"Unsqueeze"};
  u.inputs = {iota_f32({3, 4}), i64({2}, {-1, 0})};
  CHECK(run_ok(u)[0].shape() == Shape{1, 3, 4, 1});

  OpTest bad{"Squeeze"};
  bad.inputs = {iota_f32({2, 3}), i64({1}, {0})};
  CHECK(run_err(bad).message().find("extent is not 1") != std::string::npos);
}

TEST_CASE("Flatten, Shape with start/end, Size", "[shape]") {
  OpTest f{"Flatten"};
  f.attr("axis", int64_t(-1));
  f.inputs = {iota_f32({2, 3, 4})};
  CHECK(run_ok(f)[0].shape() == Shape{6, 4});

  OpTest sh{"Shape"};
  sh.opset = 15;
  sh.attr("start", int64_t(1)).attr("end", int64_t(-1));
  sh.inputs = {iota_f32({2, 3, 4, 5})};
  check_tensor(run_ok(sh)[0], i64({2}, {3, 4}));

  OpTest sz{"Size"};
  sz.inputs = {iota_f32({2, 3, 4})};
  check_tensor(run_ok(sz)[0], i64({}, {24}));
}

TEST_CASE("Transpose general and 2-D paths", "[shape]") {
  OpTest t{"Transpose"};
  t.attr("perm", std::vector<int64_t>{2, 0, 1});
  t.inputs = {iota_f32({2, 3, 4})};
  auto out = run_ok(t)[0];
  REQUIRE(out.shape() == Shape{4, 2, 3});
  for (int64_t a = 0; a < 4; ++a)
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t c = 0; c < 3; ++c) CHECK(out.data<float>()[(a * 2 + b) * 3 + c] == float(b * 12 + c * 4 + a));

  OpTest big{"Transpose"};
  big.inputs = {iota_f32({37, 71})};
  auto o2 = run_ok(big)[0];
  REQUIRE(o2.shape() == Shape{71, 37});
  for (int64_t i = 0; i < 71; ++i)
    for (int64_t j = 0; j < 37; ++j) CHECK(o2.data<float>()[i * 37 + j] == float(j * 71 + i));
}

TEST_CASE("Concat and Split move strings too", "[shape]") {
  OpTest c{"Concat"};
  c.attr("axis", int64_t(1));
  c.inputs = {Tensor::from_strings({2, 1}, {"a", "b"}), Tensor::from_strings({2, 2}, {"c", "d", "e", "f"})};
  auto out = run_ok(c)[0];
  REQUIRE(out.shape() == Shape{2, 3});
  std::vector<std::string> expect = {"a", "c", "d", "b", "e", "f"};
  for (size_t i = 0; i < 6; ++i) CHECK(out.strings()[i] == expect[i]);

  OpTest s{"Split"};
  s.attr("axis", int64_t(1));
  s.num_outputs = 2;
  s.inputs = {iota_f32({2, 5}), i64({2}, {2, 3})};
  auto parts = run_ok(s);
  check_tensor(parts[0], f32({2, 2}, {0, 1, 5, 6}));
  check_tensor(parts[1], f32({2, 3}, {2, 3, 4, 7, 8, 9}));

  OpTest s18{"Split"};
  s18.opset = 18;
  s18.attr("num_outputs", int64_t(3));
  s18.num_outputs = 3;
  s18.inputs = {iota_f32({7})};
  auto p = run_ok(s18);
  CHECK(p[0].shape() == Shape{3});
  CHECK(p[2].shape() == Shape{1});
}

TEST_CASE("Slice with negative steps, clamping and opset-1 attributes", "[shape]") {
  OpTest t{"Slice"};
  t.inputs = {iota_f32({10}), i64({1}, {-1}), i64({1}, {INT64_MIN}), i64({1}, {0}), i64({1}, {-3})};
  check_tensor(run_ok(t)[0], f32({4}, {9, 6, 3, 0}));

  OpTest a{"Slice"};
  a.opset = 9;
  a.attr("starts", std::vector<int64_t>{1}).attr("ends", std::vector<int64_t>{1000}).attr("axes", std::vector<int64_t>{1});
  a.inputs = {iota_f32({2, 4})};
  check_tensor(run_ok(a)[0], f32({2, 3}, {1, 2, 3, 5, 6, 7}));

  OpTest z{"Slice"};
  z.inputs = {iota_f32({4}), i64({1}, {0}), i64({1}, {4}), i64({1}, {0}), i64({1}, {0})};
  CHECK(run_err(z).message().find("step") != std::string::npos);
}

TEST_CASE("Gather family validates indices", "[shape]") {
  OpTest g{"Gather"};
  g.attr("axis", int64_t(1));
  g.inputs = {iota_f32({2, 3}), i64({2}, {-1, 0})};
  check_tensor(run_ok(g)[0], f32({2, 2}, {2, 0, 5, 3}));

  OpTest bad{"Gather"};
  bad.inputs = {iota_f32({5}), i64({1}, {1000})};
  auto st = run_err(bad);
  CHECK(st.code() == ErrorCode::InvalidArgument);
  CHECK(st.message().find("1000") != std::string::npos);

  OpTest ge{"GatherElements"};
  ge.attr("axis", int64_t(1));
  ge.inputs = {f32({2, 2}, {1, 2, 3, 4}), i64({2, 2}, {0, 0, 1, 0})};
  check_tensor(run_ok(ge)[0], f32({2, 2}, {1, 1, 4, 3}));

  OpTest nd{"GatherND"};
  nd.attr("batch_dims", int64_t(1));
  nd.inputs = {iota_f32({2, 2, 2}), i64({2, 1}, {1, 0})};
  check_tensor(run_ok(nd)[0], f32({2, 2}, {2, 3, 4, 5}));
}

TEST_CASE("ScatterND and ScatterElements with reductions", "[shape]") {
  OpTest s{"ScatterND"};
  s.opset = 16;
  s.attr("reduction", std::string("add"));
  s.inputs = {f32({4}, {1, 2, 3, 4}), i64({2, 1}, {1, 1}), f32({2}, {10, 20})};
  check_tensor(run_ok(s)[0], f32({4}, {1, 32, 3, 4}));

  OpTest e{"ScatterElements"};
  e.attr("axis", int64_t(1));
  e.inputs = {f32({1, 5}, {1, 2, 3, 4, 5}), i64({1, 2}, {1, -2}), f32({1, 2}, {1.1f, 2.1f})};
  check_tensor(run_ok(e)[0], f32({1, 5}, {1, 1.1f, 3, 2.1f, 5}));

  OpTest bad{"ScatterElements"};
  bad.inputs = {f32({3}, {1, 2, 3}), i64({1}, {3}), f32({1}, {0})};
  CHECK_FALSE(bad.run().is_ok());
}

TEST_CASE("Pad modes and opset-2 attributes", "[shape]") {
  for (auto [mode, expect] : std::vector<std::pair<std::string, std::vector<float>>>{
           {"constant", {9, 9, 0, 1, 2, 9}},
           {"reflect", {2, 1, 0, 1, 2, 1}},
           {"edge", {0, 0, 0, 1, 2, 2}},
           {"wrap", {1, 2, 0, 1, 2, 0}}}) {
    OpTest p{"Pad"};
    p.opset = 19;
    p.attr("mode", mode);
    p.inputs = {iota_f32({3}), i64({2}, {2, 1}), f32({}, {9})};
    INFO(mode);
    check_tensor(run_ok(p)[0], f32({6}, expect));
  }
  OpTest old{"Pad"};
  old.opset = 2;
  old.attr("pads", std::vector<int64_t>{0, 1, 0, -1}).attr("value", 7.0f);
  old.inputs = {iota_f32({2, 2})};
  check_tensor(run_ok(old)[0], f32({2, 2}, {7, 0, 7, 2}));
}

TEST_CASE("Expand, Tile and ConstantOfShape respect limits", "[shape]") {
  OpTest e{"Expand"};
  e.inputs = {f32({3, 1}, {1, 2, 3}), i64({2}, {1, 2})};
  check_tensor(run_ok(e)[0], f32({3, 2}, {1, 1, 2, 2, 3, 3}));

  OpTest t{"Tile"};
  t.inputs = {f32({2}, {1, 2}), i64({1}, {3})};
  check_tensor(run_ok(t)[0], f32({6}, {1, 2, 1, 2, 1, 2}));

  OpTest huge{"Expand"};
  huge.inputs = {f32({1}, {1}), i64({3}, {1 << 20, 1 << 20, 1 << 20})};
  CHECK(run_err(huge).code() == ErrorCode::ResourceExhausted);

  OpTest c{"ConstantOfShape"};
  c.inputs = {i64({3}, {100000, 100000, 100000})};
  CHECK(run_err(c).code() == ErrorCode::ResourceExhausted);

  OpTest tile_huge{"Tile"};
  tile_huge.inputs = {f32({2}, {1, 2}), i64({1}, {INT64_MAX / 2})};
  CHECK_FALSE(tile_huge.run().is_ok());

  OpTest r{"Range"};
  r.inputs = {i64({}, {0}), i64({}, {INT64_MAX}), i64({}, {1})};
  CHECK_FALSE(r.run().is_ok());
}

TEST_CASE("Resize nearest and linear", "[shape]") {
  OpTest n{"Resize"};
  n.opset = 13;
  n.attr("mode", std::string("nearest"));
  n.inputs = {f32({1, 1, 2, 2}, {1, 2, 3, 4}), Tensor(), f32({4}, {1, 1, 2, 2})};
  check_tensor(run_ok(n)[0], f32({1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));

  OpTest l{"Resize"};
  l.opset = 13;
  l.attr("mode", std::string("linear"));
  l.inputs = {f32({1, 1, 2, 2}, {1, 2, 3, 4}), Tensor(), f32({4}, {1, 1, 2, 2})};
  check_tensor(run_ok(l)[0], f32({1, 1, 4, 4}, {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f,
                                                3.5f, 3, 3.25f, 3.75f, 4}));

  OpTest huge{"Resize"};
  huge.opset = 13;
  huge.inputs = {f32({1, 1, 2, 2}, {1, 2, 3, 4}), Tensor(), Tensor(), i64({4}, {1, 1, 1 << 30, 1 << 30})};
  CHECK_FALSE(huge.run().is_ok());

  OpTest up{"Upsample"};
  up.opset = 9;
  up.inputs = {f32({1, 2}, {1, 2}), f32({2}, {1, 2})};
  check_tensor(run_ok(up)[0], f32({1, 4}, {1, 1, 2, 2}));
}

TEST_CASE("OneHot, NonZero, Trilu, Compress, Unique", "[shape]") {
  OpTest o{"OneHot"};
  o.inputs = {i64({2}, {1, -1}), i64({}, {3}), f32({2}, {0, 5})};
  check_tensor(run_ok(o)[0], f32({2, 3}, {0, 5, 0, 0, 0, 5}));

  OpTest nz{"NonZero"};
  nz.inputs = {f32({2, 2}, {1, 0, 0, 3})};
  check_tensor(run_ok(nz)[0], i64({2, 2}, {0, 1, 0, 1}));

  OpTest tr{"Trilu"};
  tr.opset = 14;
  tr.attr("upper", int64_t(0));
  tr.inputs = {iota_f32({2, 3})};
  check_tensor(run_ok(tr)[0], f32({2, 3}, {0, 0, 0, 3, 4, 0}));

  OpTest c{"Compress"};
  c.attr("axis", int64_t(0));
  c.inputs = {iota_f32({3, 2}), Tensor::from_vector<bool>({3}, {false, true, true})};
  check_tensor(run_ok(c)[0], f32({2, 2}, {2, 3, 4, 5}));

  OpTest u{"Unique"};
  u.attr("sorted", int64_t(0));
  u.num_outputs = 4;
  u.inputs = {f32({6}, {2, 1, 1, 3, 4, 3})};
  auto r = run_ok(u);
  check_tensor(r[0], f32({4}, {2, 1, 3, 4}));
  check_tensor(r[1], i64({4}, {0, 1, 3, 4}));
  check_tensor(r[2], i64({6}, {0, 1, 1, 2, 3, 2}));
  check_tensor(r[3], i64({4}, {1, 2, 2, 1}));
}

TEST_CASE("Constant value_* attributes and DepthToSpace", "[shape]") {
  OpTest c{"Constant"};
  c.attr("value_ints", std::vector<int64_t>{1, 2, 3});
  check_tensor(run_ok(c)[0], i64({3}, {1, 2, 3}));

  OpTest d{"DepthToSpace"};
  d.attr("blocksize", int64_t(2)).attr("mode", std::string("CRD"));
  d.inputs = {iota_f32({1, 4, 1, 1})};
  check_tensor(run_ok(d)[0], f32({1, 1, 2, 2}, {0, 1, 2, 3}));

  OpTest s{"SpaceToDepth"};
  s.attr("blocksize", int64_t(2));
  s.inputs = {iota_f32({1, 1, 2, 2})};
  check_tensor(run_ok(s)[0], f32({1, 4, 1, 1}, {0, 1, 2, 3}));
}

TEST_CASE("Col2Im sums overlapping blocks; CenterCropPad crops and pads", "[shape]") {
  // 1 channel, 1x3 image, block 1x2, stride 1: blocks [a b] at 0 and [c d] at 1.
  OpTest c{"Col2Im"};
  c.opset = 18;
  c.inputs = {f32({1, 2, 2}, {1, 2, 10, 20}), i64({2}, {1, 3}), i64({2}, {1, 2})};
  check_tensor(run_ok(c)[0], f32({1, 1, 1, 3}, {1, 12, 20}));

  OpTest bad{"Col2Im"};
  bad.opset = 18;
  bad.inputs = {f32({1, 2, 2}, {1, 2, 10, 20}), i64({2}, {1, 30}), i64({2}, {1, 2})};
  CHECK_FALSE(bad.run().is_ok());

  OpTest p{"CenterCropPad"};
  p.opset = 18;
  p.inputs = {iota_f32({5, 2}), i64({2}, {2, 5})};
  check_tensor(run_ok(p)[0], f32({2, 5}, {0, 2, 3, 0, 0, 0, 4, 5, 0, 0}));
}

TEST_CASE("Hostile inputs fail cleanly", "[shape]") {
  OpTest s{"Slice"};
  s.inputs = {iota_f32({0, 3}), i64({1}, {5}), i64({1}, {-9}), i64({1}, {0}), i64({1}, {-1})};
  CHECK(run_ok(s)[0].shape() == Shape{0, 3});

  OpTest r{"Resize"};
  r.opset = 13;
  r.inputs = {iota_f32({1, 2}), Tensor(), f32({2}, {1, 1e30f})};
  CHECK_FALSE(r.run().is_ok());

  OpTest o{"OneHot"};
  o.inputs = {i64({1}, {0}), f32({}, {1e20f}), f32({2}, {0, 1})};
  CHECK_FALSE(o.run().is_ok());

  OpTest p{"Pad"};
  p.inputs = {iota_f32({2}), i64({2}, {INT64_MAX, 1})};
  CHECK_FALSE(p.run().is_ok());

  OpTest g{"GatherND"};
  g.inputs = {iota_f32({2, 2}), i64({1, 2}, {0, -3})};
  CHECK_FALSE(g.run().is_ok());
}
