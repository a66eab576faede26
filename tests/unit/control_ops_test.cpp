#include <catch2/catch.hpp>

#include "tests/unit/control_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

Tensor bool_scalar(bool v) { return Tensor::from_vector<bool>({}, {v}); }
Tensor i64_scalar(int64_t v) { return Tensor::from_vector<int64_t>({}, {v}); }

// A branch with no inputs that returns Add(captured, constant) plus a branch-specific tensor.
std::shared_ptr<Graph> branch(const std::string& tag, float add, Shape shape, std::vector<float> extra) {
  auto g = std::make_shared<Graph>();
  g->name = tag;
  g->initializers[tag + "_c"] = Tensor::from_vector<float>({}, {add});
  g->initializers[tag + "_extra"] = Tensor::from_vector<float>(shape, extra);
  g->nodes.push_back(make_node("Add", {"x", tag + "_c"}, {tag + "_sum"}));
  g->outputs = {value(tag + "_sum"), value(tag + "_extra")};
  return g;
}

Model if_model() {
  Model m;
  m.opsets[""] = 17;
  m.graph.inputs = {value("cond"), value("x")};
  Node n = make_node("If", {"cond"}, {"y", "z"});
  set_graph_attr(n, "then_branch", branch("then", 10, {2}, {1, 2}));
  set_graph_attr(n, "else_branch", branch("else", 100, {3}, {3, 4, 5}));
  m.graph.nodes.push_back(n);
  m.graph.outputs = {value("y"), value("z")};
  return m;
}

}  // namespace

TEST_CASE("If picks a branch that captures outer values; shapes may differ", "[control]") {
  Model m = if_model();
  Tensor x = Tensor::from_vector<float>({2}, {1, 2});
  auto then_out = run_model(m, {bool_scalar(true), x});
  REQUIRE(then_out.is_ok());
  CHECK(floats_of(then_out.value()[0]) == std::vector<float>{11, 12});
  CHECK(then_out.value()[1].shape() == Shape{2});
  auto else_out = run_model(m, {bool_scalar(false), x});
  REQUIRE(else_out.is_ok());
  CHECK(floats_of(else_out.value()[0]) == std::vector<float>{101, 102});
  CHECK(floats_of(else_out.value()[1]) == std::vector<float>{3, 4, 5});

  auto bad = run_model(m, {Tensor::from_vector<bool>({2}, {true, false}), x});
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().code() == ErrorCode::InvalidArgument);
}

TEST_CASE("nested If reads values two scopes up", "[control]") {
  Model m;
  m.graph.inputs = {value("cond"), value("x")};
  auto inner_then = std::make_shared<Graph>();
  inner_then->nodes.push_back(make_node("Add", {"x", "x"}, {"doubled"}));
  inner_then->outputs = {value("doubled")};
  auto inner_else = std::make_shared<Graph>();
  inner_else->outputs = {value("x")};  // an outer value returned directly
  auto outer_then = std::make_shared<Graph>();
  Node inner = make_node("If", {"cond"}, {"inner_out"});
  set_graph_attr(inner, "then_branch", inner_then);
  set_graph_attr(inner, "else_branch", inner_else);
  outer_then->nodes.push_back(inner);
  outer_then->outputs = {value("inner_out")};
  Node outer = make_node("If", {"cond"}, {"y"});
  set_graph_attr(outer, "then_branch", outer_then);
  set_graph_attr(outer, "else_branch", inner_else);
  m.graph.nodes.push_back(outer);
  m.graph.outputs = {value("y")};
  auto out = run_model(m, {bool_scalar(true), Tensor::from_vector<float>({2}, {1, 3})});
  REQUIRE(out.is_ok());
  CHECK(floats_of(out.value()[0]) == std::vector<float>{2, 6});
  out = run_model(m, {bool_scalar(false), Tensor::from_vector<float>({2}, {1, 3})});
  REQUIRE(out.is_ok());
  CHECK(floats_of(out.value()[0]) == std::vector<float>{1, 3});
}

TEST_CASE("If with mismatched branch output counts is rejected", "[control]") {
  Model m = if_model();
  auto& attrs = m.graph.nodes[0].attributes;
  attrs["else_branch"].g->outputs.pop_back();
  auto out = run_model(m, {bool_scalar(true), Tensor::from_vector<float>({2}, {1, 2})});
  REQUIRE_FALSE(out.is_ok());
  CHECK(out.status().code() == ErrorCode::InvalidModel);
}

TEST_CASE("subgraph nesting beyond the depth limit fails cleanly", "[control]") {
  Model m;
  m.graph.inputs = {value("cond"), value("x")};
  auto leaf = std::make_shared<Graph>();
  leaf->outputs = {value("x")};
  std::shared_ptr<Graph> g = leaf;
  for (int level = 0; level < 40; ++level) {
    // Only one branch nests further, so the model stays linear in size.
    auto wrapper = std::make_shared<Graph>();
    Node n = make_node("If", {"cond"}, {"v" + std::to_string(level)});
    set_graph_attr(n, "then_branch", g);
    set_graph_attr(n, "else_branch", leaf);
    wrapper->nodes.push_back(n);
    wrapper->outputs = {value(n.outputs[0])};
    g = wrapper;
  }
  m.graph = *g;
  m.graph.inputs = {value("cond"), value("x")};
  auto out = run_model(m, {bool_scalar(true), Tensor::from_vector<float>({1}, {1})});
  REQUIRE_FALSE(out.is_ok());
  CHECK(out.status().code() == ErrorCode::ResourceExhausted);
}

namespace {

// Loop body: y_out = y_in + x (captured); cond_out = iter < stop (captured); scan = y_out.
Model loop_model(bool with_m, bool with_cond) {
  Model m;
  m.graph.inputs = {value("M"), value("cond"), value("y0"), value("x"), value("stop")};
  auto body = std::make_shared<Graph>();
  body->inputs = {value("iter", DType::Int64), value("cond_in", DType::Bool), value("y_in")};
  body->nodes.push_back(make_node("Add", {"y_in", "x"}, {"y_out"}));
  body->nodes.push_back(make_node("Less", {"iter", "stop"}, {"cond_out"}));
  body->nodes.push_back(make_node("Identity", {"y_out"}, {"scan"}));
  ValueInfo scan = value("scan", DType::Float32);
  scan.has_shape = true;
  scan.shape = {Dim{2, ""}};
  body->outputs = {value("cond_out"), value("y_out"), scan};
  Node n = make_node("Loop", {with_m ? "M" : "", with_cond ? "cond" : "", "y0"}, {"y_final", "ys"});
  set_graph_attr(n, "body", body);
  m.graph.nodes.push_back(n);
  m.graph.outputs = {value("y_final"), value("ys")};
  return m;
}

}  // namespace

TEST_CASE("Loop with trip count carries values and stacks scan outputs", "[control]") {
  Model m = loop_model(true, true);
  Tensor y0 = Tensor::from_vector<float>({2}, {0, 1});
  Tensor x = Tensor::from_vector<float>({2}, {1, 10});
  auto out = run_model(m, {i64_scalar(3), bool_scalar(true), y0, x, i64_scalar(100)});
  REQUIRE(out.is_ok());
  CHECK(floats_of(out.value()[0]) == std::vector<float>{3, 31});
  CHECK(out.value()[1].shape() == Shape{3, 2});
  CHECK(floats_of(out.value()[1]) == std::vector<float>{1, 11, 2, 21, 3, 31});

  // The condition stops it early: iterations 0, 1, 2 run (cond_out = iter < 2 is false after 2).
  out = run_model(m, {i64_scalar(10), bool_scalar(true), y0, x, i64_scalar(2)});
  REQUIRE(out.is_ok());
  CHECK(out.value()[1].shape() == Shape{3, 2});

  // Zero iterations: initial values and an empty scan output typed from the body.
  out = run_model(m, {i64_scalar(0), bool_scalar(true), y0, x, i64_scalar(100)});
  REQUIRE(out.is_ok());
  CHECK(floats_of(out.value()[0]) == std::vector<float>{0, 1});
  CHECK(out.value()[1].shape() == Shape{0, 2});
  out = run_model(m, {i64_scalar(5), bool_scalar(false), y0, x, i64_scalar(100)});
  REQUIRE(out.is_ok());
  CHECK(out.value()[1].numel() == 0);
}

TEST_CASE("Loop without a trip count stops at the iteration limit", "[control]") {
  Model m = loop_model(false, false);
  Limits limits;
  limits.max_loop_iterations = 50;
  Tensor y0 = Tensor::from_vector<float>({2}, {0, 1});
  Tensor x = Tensor::from_vector<float>({2}, {1, 1});
  auto out = run_model(m, {i64_scalar(0), bool_scalar(true), y0, x, i64_scalar(INT64_MAX)}, limits);
  REQUIRE_FALSE(out.is_ok());
  CHECK(out.status().code() == ErrorCode::ResourceExhausted);
  // A while-loop form (no M) that terminates on its own is fine.
  out = run_model(m, {i64_scalar(0), bool_scalar(true), y0, x, i64_scalar(4)}, limits);
  REQUIRE(out.is_ok());
  CHECK(out.value()[1].shape() == Shape{5, 2});
}

namespace {

// body(sum_in, next) -> (sum_out = sum_in + next, scan = sum_out)
std::shared_ptr<Graph> sum_body() {
  auto body = std::make_shared<Graph>();
  body->inputs = {value("sum_in"), value("next")};
  body->nodes.push_back(make_node("Add", {"sum_in", "next"}, {"sum_out"}));
  body->nodes.push_back(make_node("Identity", {"sum_out"}, {"scan_out"}));
  body->outputs = {value("sum_out"), value("scan_out")};
  return body;
}

}  // namespace

TEST_CASE("Scan (opset 9+) with axes and directions", "[control]") {
  Model m;
  m.opsets[""] = 11;
  m.graph.inputs = {value("init"), value("xs")};
  Node n = make_node("Scan", {"init", "xs"}, {"final", "partial"});
  set_graph_attr(n, "body", sum_body());
  set_int_attr(n, "num_scan_inputs", 1);
  m.graph.nodes.push_back(n);
  m.graph.outputs = {value("final"), value("partial")};
  Tensor init = Tensor::from_vector<float>({2}, {0, 0});
  Tensor xs = Tensor::from_vector<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  auto out = run_model(m, {init, xs});
  REQUIRE(out.is_ok());
  CHECK(floats_of(out.value()[0]) == std::vector<float>{9, 12});
  CHECK(floats_of(out.value()[1]) == std::vector<float>{1, 2, 4, 6, 9, 12});

  // Scan axis 1 of a [2, 3] input, reversed, and the output stacked along axis 1 by prepending.
  auto& node = m.graph.nodes[0];
  set_ints_attr(node, "scan_input_axes", {1});
  set_ints_attr(node, "scan_input_directions", {1});
  set_ints_attr(node, "scan_output_axes", {1});
  set_ints_attr(node, "scan_output_directions", {1});
  Tensor cols = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  out = run_model(m, {init, cols});
  REQUIRE(out.is_ok());
  CHECK(floats_of(out.value()[0]) == std::vector<float>{6, 15});
  // Steps see columns 2, 1, 0: partial sums (3,6), (5,11), (6,15); prepending reverses them.
  CHECK(out.value()[1].shape() == Shape{2, 3});
  CHECK(floats_of(out.value()[1]) == std::vector<float>{6, 5, 3, 15, 11, 6});

  // Disagreeing sequence lengths are rejected.
  set_int_attr(node, "num_scan_inputs", 2);
  node.inputs = {"init", "xs", "xs2"};
  auto body = std::make_shared<Graph>(*sum_body());
  body->inputs.push_back(value("unused"));
  set_graph_attr(node, "body", body);
  set_ints_attr(node, "scan_input_axes", {0, 0});
  set_ints_attr(node, "scan_input_directions", {0, 0});
  m.graph.inputs.push_back(value("xs2"));
  out = run_model(m, {init, xs, Tensor::from_vector<float>({2, 2}, {1, 1, 1, 1})});
  REQUIRE_FALSE(out.is_ok());
}

TEST_CASE("Scan opset 8 scans each batch entry up to its sequence length", "[control]") {
  Model m;
  m.opsets[""] = 8;
  m.graph.inputs = {value("lens"), value("init"), value("xs")};
  Node n = make_node("Scan", {"lens", "init", "xs"}, {"final", "partial"});
  set_graph_attr(n, "body", sum_body());
  set_int_attr(n, "num_scan_inputs", 1);
  m.graph.nodes.push_back(n);
  m.graph.outputs = {value("final"), value("partial")};
  Tensor init = Tensor::from_vector<float>({2, 1}, {0, 100});
  Tensor xs = Tensor::from_vector<float>({2, 3, 1}, {1, 2, 3, 4, 5, 6});
  auto out = run_model(m, {Tensor::from_vector<int32_t>({2}, {3, 2}), init, xs});
  REQUIRE(out.is_ok());
  CHECK(floats_of(out.value()[0]) == std::vector<float>{6, 109});
  CHECK(out.value()[1].shape() == Shape{2, 3, 1});
  CHECK(floats_of(out.value()[1]) == std::vector<float>{1, 3, 6, 104, 109, 0});

  auto bad = run_model(m, {Tensor::from_vector<int32_t>({2}, {4, 2}), init, xs});
  REQUIRE_FALSE(bad.is_ok());
}

TEST_CASE("sequences: construct, insert, split, concatenate", "[control]") {
  Model m;
  m.graph.inputs = {value("a"), value("b")};
  Node insert = make_node("SequenceInsert", {"seq", "b", "front"}, {"seq2"});
  Node concat = make_node("ConcatFromSequence", {"seq2"}, {"joined"});
  set_int_attr(concat, "axis", 0);
  Node split = make_node("SplitToSequence", {"joined"}, {"pieces"});
  set_int_attr(split, "keepdims", 0);
  m.graph.initializers["front"] = Tensor::from_vector<int64_t>({}, {0});
  m.graph.nodes = {make_node("SequenceConstruct", {"a"}, {"seq"}), insert, concat, split,
                   make_node("SequenceLength", {"pieces"}, {"count"})};
  m.graph.outputs = {value("joined"), value("pieces"), value("count")};
  auto out = run_model_values(m, {Tensor::from_vector<float>({2}, {1, 2}), Tensor::from_vector<float>({1}, {9})});
  REQUIRE(out.is_ok());
  CHECK(floats_of(out.value()[0].tensor()) == std::vector<float>{9, 1, 2});
  const Value& pieces = out.value()[1];
  REQUIRE(pieces.is_sequence());
  REQUIRE(pieces.elements().size() == 3);
  CHECK(pieces.elements()[2].rank() == 0);  // keepdims=0 squeezes the split axis
  CHECK(floats_of(pieces.elements()[2]) == std::vector<float>{2});
  CHECK(out.value()[2].tensor().get_as_int64(0) == 3);
}

TEST_CASE("sequence misuse is a clear error", "[control]") {
  Model m;
  m.graph.inputs = {value("x")};
  m.graph.initializers["pos"] = Tensor::from_vector<int64_t>({}, {5});
  m.graph.nodes = {make_node("SequenceConstruct", {"x"}, {"seq"}), make_node("SequenceAt", {"seq", "pos"}, {"y"})};
  m.graph.outputs = {value("y")};
  auto at = run_model_values(m, {Tensor::from_vector<float>({1}, {1})});
  REQUIRE_FALSE(at.is_ok());
  CHECK(at.status().message().find("out of range") != std::string::npos);

  // A sequence reaching an operator that takes tensors.
  m.graph.nodes = {make_node("SequenceConstruct", {"x"}, {"seq"}), make_node("Add", {"seq", "x"}, {"y"})};
  auto relu = run_model_values(m, {Tensor::from_vector<float>({1}, {1})});
  REQUIRE_FALSE(relu.is_ok());
  CHECK(relu.status().message().find("sequence") != std::string::npos);
  CHECK(relu.status().message().find("takes tensors") != std::string::npos);
}

TEST_CASE("optionals: empty and present", "[control]") {
  Model m;
  m.graph.inputs = {value("x")};
  Node empty = make_node("Optional", {}, {"none"});
  Attribute type;
  type.kind = Attribute::Kind::Type;
  empty.attributes["type"] = type;
  m.graph.nodes = {empty, make_node("OptionalHasElement", {"none"}, {"has_none"}),
                   make_node("Optional", {"x"}, {"some"}), make_node("OptionalHasElement", {"some"}, {"has_some"}),
                   make_node("OptionalGetElement", {"some"}, {"got"})};
  m.graph.outputs = {value("has_none"), value("has_some"), value("got")};
  auto out = run_model_values(m, {Tensor::from_vector<float>({1}, {4})});
  REQUIRE(out.is_ok());
  CHECK_FALSE(*out.value()[0].tensor().data<bool>());
  CHECK(*out.value()[1].tensor().data<bool>());
  CHECK(floats_of(out.value()[2].tensor()) == std::vector<float>{4});

  m.graph.nodes = {empty, make_node("OptionalGetElement", {"none"}, {"got"})};
  m.graph.outputs = {value("got")};
  auto got = run_model_values(m, {Tensor::from_vector<float>({1}, {4})});
  REQUIRE_FALSE(got.is_ok());
  CHECK(got.status().message().find("no element") != std::string::npos);
}
