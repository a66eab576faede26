// Static shape inference at load time (core/graph/shape_inference.h): shapes recorded in
// graph.value_infos, symbolic dims carried through, and invalid fixed shapes rejected at
// Session::from_model with the node named.
#include <catch2/catch.hpp>

#include "core/graph/shape_inference.h"
#include "core/runtime/session.h"

namespace wisp {
namespace {

Dim dim(int64_t value) { return Dim{value, ""}; }
Dim sym(const std::string& name) { return Dim{-1, name}; }

ValueInfo tensor_info(const std::string& name, std::vector<Dim> dims, DType dtype = DType::Float32) {
  return ValueInfo{name, dtype, true, std::move(dims)};
}

Attribute ints_attr(std::vector<int64_t> values) {
  Attribute a;
  a.kind = Attribute::Kind::Ints;
  a.ints = std::move(values);
  return a;
}

Attribute int_attr(int64_t value) {
  Attribute a;
  a.kind = Attribute::Kind::Int;
  a.i = value;
  return a;
}

Node node(const std::string& name, const std::string& op, std::vector<std::string> inputs, std::string output,
          std::map<std::string, Attribute> attributes = {}) {
  Node n;
  n.name = name;
  n.op_type = op;
  n.inputs = std::move(inputs);
  n.outputs = {std::move(output)};
  n.attributes = std::move(attributes);
  return n;
}

Tensor floats(Shape shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return Tensor::from_vector<float>(shape, std::vector<float>(size_t(n), 0.5f));
}

Model make_model(std::vector<ValueInfo> inputs, std::vector<Node> nodes, const std::string& output) {
  Model m;
  m.ir_version = 8;
  m.opsets[""] = 17;
  m.graph.inputs = std::move(inputs);
  m.graph.nodes = std::move(nodes);
  m.graph.outputs = {ValueInfo{output, DType::Float32, false, {}}};
  return m;
}

// X -> Conv(4x3x3x3, pad 1) -> Relu -> MaxPool(2, stride 2) -> Reshape(batch, -1) -> Gemm(64 -> 10).
Model cnn(Dim batch) {
  Model m = make_model({tensor_info("x", {batch, dim(3), dim(8), dim(8)})},
                       {node("conv", "Conv", {"x", "w"}, "c", {{"pads", ints_attr({1, 1, 1, 1})}}),
                        node("relu", "Relu", {"c"}, "r"),
                        node("pool", "MaxPool", {"r"}, "p",
                             {{"kernel_shape", ints_attr({2, 2})}, {"strides", ints_attr({2, 2})}}),
                        node("flat", "Reshape", {"p", "shape"}, "f"),
                        node("fc", "Gemm", {"f", "b"}, "y")},
                       "y");
  m.graph.initializers["w"] = floats({4, 3, 3, 3});
  m.graph.initializers["b"] = floats({64, 10});
  m.graph.initializers["shape"] = Tensor::from_vector<int64_t>({2}, {0, -1});
  return m;
}

std::string dims_of(const Session& session, const std::string& name) {
  const auto& infos = session.model().graph.value_infos;
  auto it = infos.find(name);
  if (it == infos.end() || !it->second.has_shape) return "none";
  std::string s;
  for (const Dim& d : it->second.shape) {
    s += (s.empty() ? "" : ",") + (d.is_fixed() ? std::to_string(d.value) : d.symbol.empty() ? "?" : d.symbol);
  }
  return s;
}

// Loading must fail with InvalidModel, naming the node.
void expect_rejected(Model model, const std::string& node_name) {
  auto session = Session::from_model(std::move(model));
  REQUIRE_FALSE(session.is_ok());
  INFO(session.status().message());
  CHECK(session.status().code() == ErrorCode::InvalidModel);
  CHECK(session.status().message().find("node '" + node_name + "'") != std::string::npos);
}

}  // namespace

TEST_CASE("shape inference: fixed CNN shapes are recorded", "[shape-inference]") {
  auto session = Session::from_model(cnn(dim(1)));
  REQUIRE(session.is_ok());
  CHECK(dims_of(**session, "c") == "1,4,8,8");
  CHECK(dims_of(**session, "r") == "1,4,8,8");
  CHECK(dims_of(**session, "p") == "1,4,4,4");
  CHECK(dims_of(**session, "f") == "1,64");
  CHECK(dims_of(**session, "y") == "1,10");
  CHECK((*session)->model().graph.value_infos.at("y").dtype == DType::Float32);
}

TEST_CASE("shape inference: a symbolic batch propagates as the same symbol", "[shape-inference]") {
  auto session = Session::from_model(cnn(sym("N")));
  REQUIRE(session.is_ok());
  CHECK(dims_of(**session, "c") == "N,4,8,8");
  CHECK(dims_of(**session, "p") == "N,4,4,4");
  CHECK(dims_of(**session, "f") == "N,64");
  CHECK(dims_of(**session, "y") == "N,10");
}

TEST_CASE("shape inference: other rules", "[shape-inference]") {
  Model m = make_model({tensor_info("a", {sym("N"), dim(1), dim(5)}), tensor_info("b", {dim(3), dim(1)})},
                       {node("add", "Add", {"a", "b"}, "s"), node("less", "Less", {"s", "a"}, "l"),
                        node("tr", "Transpose", {"s"}, "t", {{"perm", ints_attr({2, 0, 1})}}),
                        node("sh", "Shape", {"t"}, "shp"), node("fl", "Flatten", {"s"}, "fl_out"),
                        node("cat", "Concat", {"s", "s"}, "cat_out", {{"axis", int_attr(1)}}),
                        node("unsq", "Unsqueeze", {"s", "ax"}, "u"), node("sq", "Squeeze", {"u", "ax"}, "q"),
                        node("mm", "MatMul", {"s", "mw"}, "mm_out"), node("g", "Gather", {"s", "idx"}, "g_out"),
                        node("cast", "Cast", {"s"}, "c_out", {{"to", int_attr(int64_t(DType::Int64))}})},
                       "q");
  m.graph.initializers["ax"] = Tensor::from_vector<int64_t>({1}, {-1});
  m.graph.initializers["mw"] = floats({5, 2});
  m.graph.initializers["idx"] = Tensor::from_vector<int64_t>({2, 2}, {0, 0, 0, 0});
  auto session = Session::from_model(std::move(m));
  REQUIRE(session.is_ok());
  const auto& infos = (*session)->model().graph.value_infos;
  CHECK(dims_of(**session, "s") == "N,3,5");
  CHECK(infos.at("l").dtype == DType::Bool);
  CHECK(dims_of(**session, "t") == "5,N,3");
  CHECK(dims_of(**session, "shp") == "3");
  CHECK(infos.at("shp").dtype == DType::Int64);
  CHECK(dims_of(**session, "fl_out") == "N,15");
  CHECK(dims_of(**session, "cat_out") == "N,6,5");
  CHECK(dims_of(**session, "u") == "N,3,5,1");
  CHECK(dims_of(**session, "q") == "N,3,5");
  CHECK(dims_of(**session, "mm_out") == "N,3,2");
  CHECK(dims_of(**session, "g_out") == "2,2,3,5");
  CHECK(infos.at("c_out").dtype == DType::Int64);
}

TEST_CASE("shape inference: ConvTranspose and auto_pad", "[shape-inference]") {
  Attribute same;
  same.kind = Attribute::Kind::String;
  same.s = "SAME_UPPER";
  Model m = make_model({tensor_info("x", {dim(1), dim(2), dim(5), dim(5)})},
                       {node("up", "ConvTranspose", {"x", "w"}, "u",
                             {{"strides", ints_attr({2, 2})}, {"output_padding", ints_attr({1, 1})}}),
                        node("conv", "Conv", {"u", "w2"}, "y", {{"auto_pad", same}, {"strides", ints_attr({2, 2})}})},
                       "y");
  m.graph.initializers["w"] = floats({2, 3, 3, 3});
  m.graph.initializers["w2"] = floats({4, 3, 3, 3});
  auto session = Session::from_model(std::move(m));
  REQUIRE(session.is_ok());
  CHECK(dims_of(**session, "u") == "1,3,12,12");  // 2 * (5 - 1) + 1 + 3
  CHECK(dims_of(**session, "y") == "1,4,6,6");
}

TEST_CASE("shape inference: invalid fixed shapes fail at load, naming the node", "[shape-inference]") {
  SECTION("broadcast") {
    expect_rejected(make_model({tensor_info("a", {dim(2), dim(3)}), tensor_info("b", {dim(4), dim(3)})},
                               {node("bad_add", "Add", {"a", "b"}, "y")}, "y"),
                    "bad_add");
  }
  SECTION("matmul inner dimension") {
    expect_rejected(make_model({tensor_info("a", {sym("N"), dim(2), dim(3)}), tensor_info("b", {dim(4), dim(5)})},
                               {node("bad_mm", "MatMul", {"a", "b"}, "y")}, "y"),
                    "bad_mm");
  }
  SECTION("gemm inner dimension") {
    Model m = make_model({tensor_info("a", {dim(2), dim(3)})},
                         {node("bad_gemm", "Gemm", {"a", "b"}, "y", {{"transB", int_attr(1)}})}, "y");
    m.graph.initializers["b"] = floats({5, 4});
    expect_rejected(std::move(m), "bad_gemm");
  }
  SECTION("concat outside the axis") {
    expect_rejected(make_model({tensor_info("a", {dim(2), dim(3)}), tensor_info("b", {dim(2), dim(4)})},
                               {node("bad_cat", "Concat", {"a", "b"}, "y", {{"axis", int_attr(0)}})}, "y"),
                    "bad_cat");
  }
  SECTION("reshape element count") {
    Model m = make_model({tensor_info("a", {dim(2), dim(3)})}, {node("bad_reshape", "Reshape", {"a", "s"}, "y")}, "y");
    m.graph.initializers["s"] = Tensor::from_vector<int64_t>({2}, {4, 2});
    expect_rejected(std::move(m), "bad_reshape");
  }
  SECTION("reshape -1 that does not divide") {
    Model m = make_model({tensor_info("a", {dim(2), dim(3)})}, {node("bad_reshape", "Reshape", {"a", "s"}, "y")}, "y");
    m.graph.initializers["s"] = Tensor::from_vector<int64_t>({2}, {4, -1});
    expect_rejected(std::move(m), "bad_reshape");
  }
  SECTION("conv channels") {
    Model m = make_model({tensor_info("x", {sym("N"), dim(3), dim(8), dim(8)})},
                         {node("bad_conv", "Conv", {"x", "w"}, "y")}, "y");
    m.graph.initializers["w"] = floats({4, 2, 3, 3});
    expect_rejected(std::move(m), "bad_conv");
  }
  SECTION("conv input rank") {
    Model m = make_model({tensor_info("x", {dim(3), dim(8)})}, {node("bad_conv", "Conv", {"x", "w"}, "y")}, "y");
    m.graph.initializers["w"] = floats({4, 3, 3, 3});
    expect_rejected(std::move(m), "bad_conv");
  }
  SECTION("pool input rank") {
    expect_rejected(make_model({tensor_info("x", {dim(1), dim(3), dim(8)})},
                               {node("bad_pool", "MaxPool", {"x"}, "y", {{"kernel_shape", ints_attr({2, 2})}})}, "y"),
                    "bad_pool");
  }
  SECTION("error found downstream of inferred shapes") {
    Model m = cnn(sym("N"));
    m.graph.initializers["b"] = floats({32, 10});
    expect_rejected(std::move(m), "fc");
  }
}

TEST_CASE("shape inference: symbolic dims never fail", "[shape-inference]") {
  auto session = Session::from_model(make_model({tensor_info("a", {sym("N"), dim(3)}), tensor_info("b", {sym("M"), dim(3)})},
                                                {node("add", "Add", {"a", "b"}, "y")}, "y"));
  REQUIRE(session.is_ok());
  CHECK(dims_of(**session, "y") == "?,3");  // N and M differ: unknown, but not an error
}

TEST_CASE("shape inference: a wrong declared value_info still loads", "[shape-inference]") {
  Model m = make_model({tensor_info("a", {dim(2), dim(3)})},
                       {node("relu", "Relu", {"a"}, "mid"), node("neg", "Neg", {"mid"}, "y")}, "y");
  m.graph.value_infos["mid"] = tensor_info("mid", {dim(7), sym("K")});
  m.graph.value_infos["y"] = tensor_info("y", {sym("rows"), dim(5), dim(9)});
  auto session = Session::from_model(std::move(m));
  REQUIRE(session.is_ok());
  CHECK(dims_of(**session, "mid") == "2,3");
  CHECK(dims_of(**session, "y") == "2,3");
  auto out = (*session)->run({{"a", floats({2, 3})}});
  REQUIRE(out.is_ok());
  CHECK((*out)[0].second.shape() == Shape{2, 3});
}

TEST_CASE("shape inference: declared symbols are kept where inference knows less", "[shape-inference]") {
  Model m = make_model({ValueInfo{"a", DType::Float32, false, {}}}, {node("relu", "Relu", {"a"}, "y")}, "y");
  Graph& g = m.graph;
  g.value_infos["y"] = tensor_info("y", {sym("B"), dim(4)});
  REQUIRE(infer_shapes(g, m).is_ok());
  CHECK(g.value_infos.at("y").has_shape);
  CHECK(g.value_infos.at("y").shape[0].symbol == "B");
}

}  // namespace wisp
