// Subgraphs at load and in profiles: the optimizer hoists and folds constants inside If/Loop
// bodies (without touching other copies of the model), and a profiled run lists the nodes
// run inside subgraphs under their path ("if0/then/add").
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/optimizer/optimizer.h"
#include "core/runtime/session.h"

namespace wisp {
namespace {

Node make(const std::string& name, const std::string& op, std::vector<std::string> inputs,
          std::vector<std::string> outputs) {
  Node n;
  n.name = name;
  n.op_type = op;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

ValueInfo info(const std::string& name, DType dtype, std::vector<int64_t> dims) {
  ValueInfo v;
  v.name = name;
  v.dtype = dtype;
  v.has_shape = true;
  for (int64_t d : dims) v.shape.push_back(Dim{d, ""});
  return v;
}

Node constant(const std::string& name, const std::string& output, Tensor value) {
  Node n = make(name, "Constant", {}, {output});
  Attribute a;
  a.kind = Attribute::Kind::Tensor;
  a.t = std::move(value);
  n.attributes["value"] = a;
  return n;
}

void set_graph(Node& node, const std::string& key, Graph g) {
  Attribute a;
  a.kind = Attribute::Kind::Graph;
  a.g = std::make_shared<Graph>(std::move(g));
  node.attributes[key] = a;
}

Tensor floats(std::vector<float> v) { return Tensor::from_vector<float>({int64_t(v.size())}, v); }

// y = If(cond) then x + (c1 + c1) [c1 a Constant node, the sum foldable] else x * 3.
Model if_model() {
  Graph then_branch;
  then_branch.nodes.push_back(constant("c1", "one", floats({1, 1})));
  then_branch.nodes.push_back(make("fold_me", "Add", {"one", "one"}, {"two"}));
  then_branch.nodes.push_back(make("add", "Add", {"x", "two"}, {"then_y"}));
  then_branch.outputs = {info("then_y", DType::Float32, {2})};
  Graph else_branch;
  else_branch.nodes.push_back(constant("c3", "three", floats({3, 3})));
  else_branch.nodes.push_back(make("mul", "Mul", {"x", "three"}, {"else_y"}));
  else_branch.outputs = {info("else_y", DType::Float32, {2})};

  Model model;
  model.opsets[""] = 17;
  model.graph.inputs = {info("cond", DType::Bool, {}), info("x", DType::Float32, {2})};
  Node if_node = make("if0", "If", {"cond"}, {"y"});
  set_graph(if_node, "then_branch", std::move(then_branch));
  set_graph(if_node, "else_branch", std::move(else_branch));
  model.graph.nodes.push_back(if_node);
  model.graph.outputs = {info("y", DType::Float32, {2})};
  return model;
}

// Loop of M trips whose body adds 1 to a carried value: v_out = v_in + 1 (node "inc").
Model loop_model() {
  Graph body;
  body.inputs = {info("i", DType::Int64, {}), info("c_in", DType::Bool, {}), info("v_in", DType::Float32, {2})};
  body.nodes.push_back(make("", "Identity", {"c_in"}, {"c_out"}));
  body.nodes.push_back(constant("k", "one", floats({1, 1})));
  body.nodes.push_back(make("inc", "Add", {"v_in", "one"}, {"v_out"}));
  body.outputs = {info("c_out", DType::Bool, {}), info("v_out", DType::Float32, {2})};
  Model model;
  model.opsets[""] = 17;
  model.graph.inputs = {info("M", DType::Int64, {}), info("cond", DType::Bool, {}), info("v", DType::Float32, {2})};
  Node loop = make("loop0", "Loop", {"M", "cond", "v"}, {"v_final"});
  set_graph(loop, "body", std::move(body));
  model.graph.nodes.push_back(loop);
  model.graph.outputs = {info("v_final", DType::Float32, {2})};
  return model;
}

const Graph& branch_of(const Model& model, const std::string& key) { return *model.graph.nodes[0].attr(key)->g; }

bool has_op(const Graph& g, const std::string& op) {
  return std::any_of(g.nodes.begin(), g.nodes.end(), [&](const Node& n) { return n.op_type == op; });
}

// Entries of a profile with the given path.
std::vector<RunProfile::NodeTime> entries(const RunProfile& profile, const std::string& path) {
  std::vector<RunProfile::NodeTime> found;
  for (const auto& n : profile.nodes) if (n.name == path) found.push_back(n);
  return found;
}

std::unique_ptr<Session> load(Model model, bool optimize) {
  SessionOptions options;
  options.num_threads = 1;
  options.optimize = optimize;
  auto session = Session::from_model(std::move(model), options);
  INFO(session.status().message());
  REQUIRE(session.is_ok());
  return std::move(session.value());
}

}  // namespace

TEST_CASE("the optimizer hoists and folds constants inside subgraphs, on a private copy", "[optimizer][control]") {
  Model original = if_model();
  Model copy = original;  // shares the branch graphs with `original`
  auto stats = optimize_model(copy, OpRegistry::builtin(), Limits{}, OptimizeOptions{false});
  REQUIRE(stats.is_ok());
  CHECK(stats->constants_hoisted == 2);
  CHECK(stats->nodes_folded == 1);  // one + one
  const Graph& then_branch = branch_of(copy, "then_branch");
  CHECK_FALSE(has_op(then_branch, "Constant"));
  REQUIRE(then_branch.nodes.size() == 1);
  CHECK(then_branch.nodes[0].name == "add");
  CHECK(then_branch.initializers.count("two") == 1);
  CHECK(then_branch.initializers.count("one") == 0);  // unused once folded
  CHECK_FALSE(has_op(branch_of(copy, "else_branch"), "Constant"));
  // The model the copy came from still has its Constant nodes.
  CHECK(has_op(branch_of(original, "then_branch"), "Constant"));
  CHECK(branch_of(original, "then_branch").nodes.size() == 3);
}

TEST_CASE("a subgraph's nodes that only read constants of enclosing graphs fold", "[optimizer][control]") {
  // then: x + (w + w), w a main-graph initializer; else: x + (v + w), v = -x computed in the
  // main graph (not a constant).
  Model model = if_model();
  model.graph.initializers["w"] = floats({5, 6});
  model.graph.nodes.insert(model.graph.nodes.begin(), make("neg", "Neg", {"x"}, {"v"}));
  Node& if_node = model.graph.nodes[1];
  Graph then_branch;
  then_branch.nodes.push_back(make("ww", "Add", {"w", "w"}, {"w2"}));
  then_branch.nodes.push_back(make("add", "Add", {"x", "w2"}, {"then_y"}));
  then_branch.outputs = {info("then_y", DType::Float32, {2})};
  Graph else_branch;
  else_branch.nodes.push_back(make("vv", "Add", {"v", "w"}, {"v2"}));
  else_branch.nodes.push_back(make("add", "Add", {"x", "v2"}, {"else_y"}));
  else_branch.outputs = {info("else_y", DType::Float32, {2})};
  set_graph(if_node, "then_branch", std::move(then_branch));
  set_graph(if_node, "else_branch", std::move(else_branch));

  Model optimized = model;
  auto stats = optimize_model(optimized, OpRegistry::builtin(), Limits{}, OptimizeOptions{false});
  REQUIRE(stats.is_ok());
  CHECK(stats->nodes_folded == 1);  // w + w; v + w reads a computed value
  const Graph& then_folded = *optimized.graph.nodes[1].attr("then_branch")->g;
  REQUIRE(then_folded.nodes.size() == 1);
  CHECK(then_folded.initializers.count("w2") == 1);
  CHECK(optimized.graph.nodes[1].attr("else_branch")->g->nodes.size() == 2);
  for (bool cond : {true, false}) {
    NamedTensors feeds = {{"cond", Tensor::from_vector<bool>({}, {cond})}, {"x", floats({1, 2})}};
    auto out = load(model, true)->run(feeds);
    REQUIRE(out.is_ok());
    const Tensor& y = out.value()[0].second;
    const std::vector<float> expected = cond ? std::vector<float>{11, 14} : std::vector<float>{5, 6};
    CHECK(std::vector<float>(y.data<float>(), y.data<float>() + 2) == expected);
  }
}

TEST_CASE("optimised subgraphs give the same results", "[optimizer][control]") {
  for (bool cond : {true, false}) {
    NamedTensors feeds = {{"cond", Tensor::from_vector<bool>({}, {cond})}, {"x", floats({1, 2})}};
    auto plain = load(if_model(), false)->run(feeds);
    auto optimized = load(if_model(), true)->run(feeds);
    REQUIRE(plain.is_ok());
    REQUIRE(optimized.is_ok());
    const std::vector<float> expected = cond ? std::vector<float>{3, 4} : std::vector<float>{3, 6};
    for (const auto* out : {&plain.value(), &optimized.value()}) {
      const Tensor& y = (*out)[0].second;
      CHECK(std::vector<float>(y.data<float>(), y.data<float>() + 2) == expected);
    }
  }
}

TEST_CASE("a profiled run lists the nodes of the If branch it took", "[profile][control]") {
  for (bool optimize : {false, true}) {
    auto session = load(if_model(), optimize);
    RunProfile profile;
    REQUIRE(session->run({{"cond", Tensor::from_vector<bool>({}, {true})}, {"x", floats({1, 2})}}, &profile).is_ok());
    INFO("optimize " << optimize);
    auto if_entries = entries(profile, "if0");
    REQUIRE(if_entries.size() == 1);
    CHECK(if_entries[0].op_type == "If");
    CHECK(if_entries[0].seconds >= 0);  // its own time, without the branch's nodes
    auto add = entries(profile, "if0/then/add");
    REQUIRE(add.size() == 1);
    CHECK(add[0].op_type == "Add");
    CHECK(entries(profile, "if0/else/mul").empty());
    // Unoptimised, the branch's Constant nodes run too; optimised, they are initializers.
    CHECK(entries(profile, "if0/then/c1").size() == (optimize ? 0u : 1u));
    CHECK(profile.nodes.size() == (optimize ? 2u : 4u));
  }
}

TEST_CASE("a profiled run lists a Loop body's nodes once per iteration", "[profile][control]") {
  auto session = load(loop_model(), true);
  RunProfile profile;
  auto out = session->run({{"M", Tensor::from_vector<int64_t>({}, {3})},
                           {"cond", Tensor::from_vector<bool>({}, {true})},
                           {"v", floats({0, 10})}},
                          &profile);
  REQUIRE(out.is_ok());
  const Tensor& v = out.value()[0].second;
  CHECK(std::vector<float>(v.data<float>(), v.data<float>() + 2) == std::vector<float>{3, 13});
  CHECK(entries(profile, "loop0").size() == 1);
  CHECK(entries(profile, "loop0/body/inc").size() == 3);
  // An unnamed node is named by its op type and step index.
  CHECK(entries(profile, "loop0/body/Identity#0").size() == 3);
}

}  // namespace wisp
