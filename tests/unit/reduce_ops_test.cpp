// Unit tests for the reduction operators (core/ops/reduce/): Reduce*, ArgMax/ArgMin, TopK, CumSum.
#include "tests/unit/op_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

Tensor f32(Shape s, std::vector<float> v) { return Tensor::from_vector<float>(std::move(s), v); }
Tensor i64(Shape s, std::vector<int64_t> v) { return Tensor::from_vector<int64_t>(std::move(s), v); }

// The ONNX examples' data: [[[1,2],[3,4]],[[5,6],[7,8]],[[9,10],[11,12]]]
Tensor example() { return f32({3, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}); }

}  // namespace

TEST_CASE("ReduceSum takes axes as an input from opset 13", "[reduce]") {
  OpTest t{"ReduceSum"};
  t.opset = 13;
  t.inputs = {example(), i64({1}, {1})};
  check_tensor(run_ok(t)[0], f32({3, 1, 2}, {4, 6, 12, 14, 20, 22}));

  // Kept innermost axis: reduce over axis 0.
  OpTest a0{"ReduceSum"};
  a0.opset = 13;
  a0.attr("keepdims", int64_t(0));
  a0.inputs = {example(), i64({1}, {0})};
  check_tensor(run_ok(a0)[0], f32({2, 2}, {15, 18, 21, 24}));

  // No axes: everything.
  OpTest all{"ReduceSum"};
  all.opset = 13;
  all.inputs = {example()};
  check_tensor(run_ok(all)[0], f32({1, 1, 1}, {78}));

  // Empty axes with noop_with_empty_axes: identity.
  OpTest noop{"ReduceSum"};
  noop.opset = 13;
  noop.attr("noop_with_empty_axes", int64_t(1));
  noop.inputs = {example(), i64({0}, {})};
  check_tensor(run_ok(noop)[0], example());

  // Opset 11: attribute.
  OpTest old{"ReduceSum"};
  old.opset = 11;
  old.attr("axes", std::vector<int64_t>{-1});
  old.attr("keepdims", int64_t(0));
  old.inputs = {example()};
  check_tensor(run_ok(old)[0], f32({3, 2}, {3, 7, 11, 15, 19, 23}));
}

TEST_CASE("ReduceMean / Max / Min / Prod with attribute axes before opset 18", "[reduce]") {
  OpTest mean{"ReduceMean"};
  mean.opset = 13;
  mean.attr("axes", std::vector<int64_t>{1});
  mean.attr("keepdims", int64_t(0));
  mean.inputs = {example()};
  check_tensor(run_ok(mean)[0], f32({3, 2}, {2, 3, 6, 7, 10, 11}));

  OpTest mx{"ReduceMax"};
  mx.opset = 13;
  mx.inputs = {example()};
  check_tensor(run_ok(mx)[0], f32({1, 1, 1}, {12}));

  // Non-adjacent axes {0, 2}.
  OpTest mn{"ReduceMin"};
  mn.opset = 13;
  mn.attr("axes", std::vector<int64_t>{0, 2});
  mn.attr("keepdims", int64_t(0));
  mn.inputs = {example()};
  check_tensor(run_ok(mn)[0], f32({2}, {1, 3}));

  OpTest prod{"ReduceProd"};
  prod.opset = 13;
  prod.attr("axes", std::vector<int64_t>{1});
  prod.inputs = {i64({2, 2}, {2, 3, 4, 5})};
  check_tensor(run_ok(prod)[0], i64({2, 1}, {6, 20}));
}

TEST_CASE("ReduceMean and others take axes as input from opset 18", "[reduce]") {
  OpTest t{"ReduceMean"};
  t.opset = 18;
  t.inputs = {example(), i64({2}, {0, 1})};
  check_tensor(run_ok(t)[0], f32({1, 1, 2}, {6, 7}));

  OpTest sq{"ReduceSumSquare"};
  sq.opset = 18;
  sq.attr("keepdims", int64_t(0));
  sq.inputs = {f32({2, 2}, {1, 2, 3, 4}), i64({1}, {1})};
  check_tensor(run_ok(sq)[0], f32({2}, {5, 25}));

  // noop over empty axes still applies the elementwise part (square).
  OpTest sqnoop{"ReduceSumSquare"};
  sqnoop.opset = 18;
  sqnoop.attr("noop_with_empty_axes", int64_t(1));
  sqnoop.inputs = {f32({2}, {3, -2})};
  check_tensor(run_ok(sqnoop)[0], f32({2}, {9, 4}));
}

TEST_CASE("ReduceL1 / L2 / LogSum / LogSumExp", "[reduce]") {
  Tensor x = f32({2, 2}, {3, -4, 1, 1});
  OpTest l1{"ReduceL1"};
  l1.opset = 13;
  l1.attr("axes", std::vector<int64_t>{1});
  l1.inputs = {x};
  check_tensor(run_ok(l1)[0], f32({2, 1}, {7, 2}));

  OpTest l2{"ReduceL2"};
  l2.opset = 13;
  l2.attr("axes", std::vector<int64_t>{1});
  l2.inputs = {x};
  check_tensor(run_ok(l2)[0], f32({2, 1}, {5, std::sqrt(2.0f)}));

  OpTest ls{"ReduceLogSum"};
  ls.opset = 13;
  ls.attr("axes", std::vector<int64_t>{0});
  ls.attr("keepdims", int64_t(0));
  ls.inputs = {f32({2, 2}, {1, 2, 3, 4})};
  check_tensor(run_ok(ls)[0], f32({2}, {std::log(4.0f), std::log(6.0f)}));

  // Large values must not overflow.
  OpTest lse{"ReduceLogSumExp"};
  lse.opset = 13;
  lse.attr("axes", std::vector<int64_t>{1});
  lse.attr("keepdims", int64_t(0));
  lse.inputs = {f32({2, 2}, {1000, 1000, 0, 0})};
  check_tensor(run_ok(lse)[0], f32({2}, {1000 + std::log(2.0f), std::log(2.0f)}), 1e-5, 1e-4);
}

TEST_CASE("Reductions on integers and empty sets", "[reduce]") {
  OpTest t{"ReduceSum"};
  t.opset = 13;
  t.attr("keepdims", int64_t(0));
  t.inputs = {Tensor::from_vector<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6}), i64({1}, {1})};
  check_tensor(run_ok(t)[0], Tensor::from_vector<int32_t>({2}, {6, 15}));

  OpTest mean{"ReduceMean"};
  mean.opset = 13;
  mean.inputs = {i64({3}, {1, 2, 4})};
  check_tensor(run_ok(mean)[0], i64({1}, {2}));

  // Sum over an empty axis is 0; the output keeps the other dims.
  OpTest empty{"ReduceSum"};
  empty.opset = 13;
  empty.attr("keepdims", int64_t(0));
  empty.inputs = {f32({2, 0}, {}), i64({1}, {1})};
  check_tensor(run_ok(empty)[0], f32({2}, {0, 0}));
}

TEST_CASE("Reduce rejects bad axes", "[reduce]") {
  OpTest t{"ReduceSum"};
  t.opset = 13;
  t.inputs = {example(), i64({1}, {3})};
  CHECK(run_err(t).code() == ErrorCode::InvalidArgument);

  OpTest dup{"ReduceMax"};
  dup.opset = 13;
  dup.attr("axes", std::vector<int64_t>{1, -2});
  dup.inputs = {example()};
  CHECK(run_err(dup).code() == ErrorCode::InvalidArgument);
}

TEST_CASE("ArgMax / ArgMin with keepdims and select_last_index", "[reduce]") {
  Tensor x = f32({2, 3}, {2, 5, 5, 7, 1, 7});
  OpTest am{"ArgMax"};
  am.attr("axis", int64_t(1));
  am.inputs = {x};
  check_tensor(run_ok(am)[0], i64({2, 1}, {1, 0}));

  OpTest last{"ArgMax"};
  last.attr("axis", int64_t(1));
  last.attr("keepdims", int64_t(0));
  last.attr("select_last_index", int64_t(1));
  last.inputs = {x};
  check_tensor(run_ok(last)[0], i64({2}, {2, 2}));

  OpTest mn{"ArgMin"};
  mn.attr("keepdims", int64_t(0));
  mn.inputs = {x};
  check_tensor(run_ok(mn)[0], i64({3}, {0, 1, 0}));

  OpTest bad{"ArgMin"};
  bad.attr("axis", int64_t(2));
  bad.inputs = {x};
  CHECK(run_err(bad).code() == ErrorCode::InvalidArgument);
}

TEST_CASE("TopK largest / smallest with index tie-break", "[reduce]") {
  OpTest t{"TopK"};
  t.num_outputs = 2;
  t.inputs = {f32({2, 4}, {1, 3, 3, 2, 4, 0, 4, 9}), i64({1}, {2})};
  auto out = run_ok(t);
  check_tensor(out[0], f32({2, 2}, {3, 3, 9, 4}));
  check_tensor(out[1], i64({2, 2}, {1, 2, 3, 0}));

  OpTest s{"TopK"};
  s.num_outputs = 2;
  s.attr("largest", int64_t(0));
  s.attr("axis", int64_t(0));
  s.inputs = {f32({3, 2}, {5, 1, 2, 8, 2, 0}), i64({1}, {1})};
  auto so = run_ok(s);
  check_tensor(so[0], f32({1, 2}, {2, 0}));
  check_tensor(so[1], i64({1, 2}, {1, 2}));

  OpTest bad{"TopK"};
  bad.num_outputs = 2;
  bad.inputs = {f32({3}, {1, 2, 3}), i64({1}, {4})};
  CHECK(run_err(bad).code() == ErrorCode::InvalidArgument);
}

TEST_CASE("CumSum inclusive / exclusive / reverse", "[reduce]") {
  Tensor x = f32({3}, {1, 2, 3});
  Tensor axis = Tensor::from_vector<int32_t>({}, {0});
  OpTest t{"CumSum"};
  t.inputs = {x, axis};
  check_tensor(run_ok(t)[0], f32({3}, {1, 3, 6}));

  OpTest e{"CumSum"};
  e.attr("exclusive", int64_t(1));
  e.attr("reverse", int64_t(1));
  e.inputs = {x, axis};
  check_tensor(run_ok(e)[0], f32({3}, {5, 3, 0}));

  OpTest two{"CumSum"};
  two.inputs = {f32({2, 3}, {1, 2, 3, 4, 5, 6}), i64({}, {-1})};
  check_tensor(run_ok(two)[0], f32({2, 3}, {1, 3, 6, 4, 9, 15}));
}
