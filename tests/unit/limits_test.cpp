// Hostile models and files against core/runtime/limits.h: every case must be a clear error
// naming the problem, before anything huge is allocated or read, never a crash or a hang.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "core/io/npy.h"
#include "core/loaders/model_loader.h"
#include "core/loaders/onnx_tensor.h"
#include "core/runtime/session.h"
#include "core/tensor/budget_allocator.h"
#include "tests/unit/onnx_proto_builder.h"

using namespace wisp;
namespace proto = wisp::test_proto;
namespace fs = std::filesystem;

namespace {

constexpr int32_t kFloat = 1, kInt64 = 7;
constexpr int64_t k2p20 = int64_t(1) << 20;

using Catch::Contains;

// --- helpers -------------------------------------------------------------------------------

std::string error_of(const Status& s) { return s.is_ok() ? std::string("<no error>") : s.message(); }
template <typename T>
std::string error_of(const Result<T>& r) { return error_of(r.status()); }

Result<Model> load_proto(const std::string& bytes, Limits limits = {}, const std::string& base_dir = "") {
  LoadOptions options;
  options.limits = limits;
  options.base_dir = base_dir;
  return load_model_bytes(bytes_from_vector(std::vector<uint8_t>(bytes.begin(), bytes.end())), options);
}

Node make_node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs) {
  Node n;
  n.name = op + "_node";
  n.op_type = op;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

ValueInfo info(const std::string& name, DType dtype = DType::Undefined) {
  ValueInfo v;
  v.name = name;
  v.dtype = dtype;
  return v;
}

void set_attr(Node& n, const std::string& key, int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Int;
  a.i = v;
  n.attributes[key] = a;
}
void set_attr(Node& n, const std::string& key, const std::string& v) {
  Attribute a;
  a.kind = Attribute::Kind::String;
  a.s = v;
  n.attributes[key] = a;
}
void set_graph(Node& n, const std::string& key, Graph g) {
  Attribute a;
  a.kind = Attribute::Kind::Graph;
  a.g = std::make_shared<Graph>(std::move(g));
  n.attributes[key] = a;
}

// Runs a one-node model whose inputs are all fed at run time (no constant folding), with
// `limits`; returns the run's error message (or "<no error>").
std::string run_error(const std::string& op, const std::vector<Tensor>& inputs, Limits limits = {},
                      void (*attrs)(Node&) = nullptr) {
  Model model;
  model.opsets[""] = 18;
  std::vector<std::string> names;
  NamedTensors feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    names.push_back(inputs[i].defined() ? "in" + std::to_string(i) : "");
    if (!inputs[i].defined()) continue;
    model.graph.inputs.push_back(info(names.back(), inputs[i].dtype()));
    feeds.emplace_back(names.back(), inputs[i]);
  }
  Node node = make_node(op, names, {"out"});
  if (attrs) attrs(node);
  model.graph.nodes.push_back(node);
  model.graph.outputs.push_back(info("out"));
  SessionOptions options;
  options.num_threads = 1;
  options.optimize = false;
  options.limits = limits;
  auto session = Session::from_model(std::move(model), options);
  if (!session) return "load: " + session.status().message();
  return error_of(session.value()->run(feeds));
}

Tensor i64(Shape shape, std::vector<int64_t> v) { return Tensor::from_vector<int64_t>(std::move(shape), v); }
Tensor f32(Shape shape, std::vector<float> v) { return Tensor::from_vector<float>(std::move(shape), v); }

// A temporary folder removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag)
      : path(fs::temp_directory_path() / ("wisp_limits_" + tag + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path / name, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return (path / name).string();
  }
};

// An ONNX model `y = x + w` whose float[4] initializer w lives in external data.
std::string external_model(const std::string& location, const std::string& offset = "",
                           const std::string& length = "") {
  std::string w = proto::with(proto::tensor_header(kFloat, {4}, "w"), [&](protozero::pbf_writer& t) {
    auto entry = [&](const std::string& k, const std::string& v) {
      std::string kv;
      protozero::pbf_writer e(kv);
      e.add_string(1, k);
      e.add_string(2, v);
      t.add_message(13, kv);
    };
    entry("location", location);
    if (!offset.empty()) entry("offset", offset);
    if (!length.empty()) entry("length", length);
    t.add_int32(14, 1);
  });
  return proto::model(proto::graph({proto::node("Add", {"x", "w"}, {"y"})}, {w},
                                   {proto::value_info("x", kFloat, {4})}, {proto::value_info("y", kFloat, {4})}));
}

std::string load_file_error(const std::string& path, Limits limits = {}) {
  return error_of(load_model_file(path, limits));
}

}  // namespace

// --- the checked helpers -------------------------------------------------------------------

TEST_CASE("checked shape arithmetic refuses overflow", "[limits]") {
  int64_t out = 0;
  CHECK(checked_mul(int64_t(1) << 31, int64_t(1) << 31, &out));
  CHECK(out == int64_t(1) << 62);
  CHECK_FALSE(checked_mul(int64_t(1) << 32, int64_t(1) << 32, &out));
  CHECK_FALSE(checked_mul(INT64_MIN, -1, &out));
  CHECK(checked_add(INT64_MAX - 1, 1, &out));
  CHECK_FALSE(checked_add(INT64_MAX, 1, &out));
  CHECK_FALSE(checked_add(INT64_MIN, -1, &out));

  CHECK_THAT(error_of(checked_numel({k2p20, k2p20}, kDefaultMaxTensorElements)), Contains("[1048576, 1048576]") && Contains("too large") &&
                                                           Contains("max_tensor_elements"));
  CHECK_THAT(error_of(checked_numel({INT64_MAX, INT64_MAX})), Contains("too large"));
  CHECK_THAT(error_of(checked_numel({3, -2})), Contains("negative dimension -2"));
  // An empty tensor with absurd extents would still overflow the strides derived from it.
  CHECK_THAT(error_of(checked_numel({0, int64_t(1) << 40, int64_t(1) << 40})), Contains("too large"));
  CHECK(checked_numel({0, 5}).value() == 0);
  CHECK(checked_numel({}).value() == 1);

  CHECK(checked_byte_size(10, 4).value() == 40);
  CHECK_THAT(error_of(checked_byte_size(INT64_MAX, 8)), Contains("address space"));
  CHECK_THAT(error_of(checked_byte_size(-1, 4)), Contains("negative"));
  // Tensor::empty fails before allocating, naming the tensor.
  CHECK_THAT(error_of(Tensor::empty(DType::Float32, {k2p20, k2p20})),
             Contains("[1048576, 1048576]") && Contains("too large"));
}

// --- shapes of 2^40 elements ----------------------------------------------------------------

TEST_CASE("an initializer of 2^40 elements is refused at load", "[limits]") {
  std::string big = proto::tensor_header(kFloat, {k2p20, k2p20}, "big");
  std::string model = proto::model(proto::graph({proto::node("Add", {"x", "big"}, {"y"})}, {big},
                                                {proto::value_info("x", kFloat, {1})},
                                                {proto::value_info("y", kFloat, {-1, -1})}));
  CHECK_THAT(error_of(load_proto(model)), Contains("'big'") && Contains("too large"));
}

TEST_CASE("a value_info declaring 2^40 elements is refused at load", "[limits]") {
  auto model_with = [](const std::string& x_info) {
    return proto::model(proto::graph({proto::node("Identity", {"x"}, {"y"})}, {}, {x_info},
                                     {proto::value_info("y", kFloat, {-1})}));
  };
  CHECK_THAT(error_of(load_proto(model_with(proto::value_info("x", kFloat, {k2p20, -1, k2p20})))),
             Contains("value 'x'") && Contains("too large"));
  // A declared shape within the limit is fine, symbolic dims do not count.
  CHECK(load_proto(model_with(proto::value_info("x", kFloat, {-1, 3, 224, 224}))).is_ok());
  Limits small;
  small.max_tensor_elements = 100;
  CHECK_THAT(error_of(load_proto(model_with(proto::value_info("x", kFloat, {11, 10})), small)),
             Contains("value 'x'") && Contains("100"));
}

TEST_CASE("ops computing 2^40-element outputs at run time fail before allocating", "[limits]") {
  const Tensor huge_shape = i64({2}, {k2p20, k2p20});
  CHECK_THAT(run_error("ConstantOfShape", {huge_shape}), Contains("ConstantOfShape") && Contains("too large"));
  CHECK_THAT(run_error("Expand", {f32({1}, {1}), huge_shape}), Contains("Expand") && Contains("too large"));
  CHECK_THAT(run_error("Tile", {f32({2}, {1, 2}), i64({1}, {int64_t(1) << 40})}), Contains("exceeds"));
  CHECK_THAT(run_error("Range", {i64({}, {0}), i64({}, {int64_t(1) << 40}), i64({}, {1})}),
             Contains("Range would produce 1099511627776"));
  CHECK_THAT(run_error("Range", {f32({}, {0}), f32({}, {1e30f}), f32({}, {1})}), Contains("Range would produce"));
  CHECK_THAT(run_error("Pad", {f32({2}, {1, 2}), i64({2}, {0, int64_t(1) << 40})}), Contains("pad amount exceeds"));
  // Resize by scales and by sizes (opset 18 inputs: X, roi, scales, sizes).
  CHECK_THAT(run_error("Resize", {f32({1, 1, 2, 2}, {1, 2, 3, 4}), Tensor(), f32({4}, {1, 1, 1e6f, 1e6f})}),
             Contains("too large"));
  CHECK_THAT(run_error("Resize", {f32({1, 1, 2, 2}, {1, 2, 3, 4}), Tensor(), Tensor(), i64({4}, {1, 1, k2p20, k2p20})}),
             Contains("too large"));
  CHECK_THAT(run_error("Resize", {f32({1, 1, 1, 2}, {1, 2}), Tensor(), Tensor(), i64({2}, {int64_t(1) << 32, 1})},
                       {},
                       [](Node& n) {
                         Attribute axes;
                         axes.kind = Attribute::Kind::Ints;
                         axes.ints = {2, 3};
                         n.attributes["axes"] = axes;
                         set_attr(n, "keep_aspect_ratio_policy", std::string("not_smaller"));
                       }),
             Contains("too large"));
  // Reshape to an overflowing target, Concat of huge extents, negative dims.
  CHECK_THAT(run_error("Reshape", {f32({2}, {1, 2}), i64({3}, {INT64_MAX, INT64_MAX, 2})}), Contains("overflows"));
  CHECK_THAT(run_error("ConstantOfShape", {i64({2}, {4, -3})}), Contains("negative dimension"));
  CHECK_THAT(run_error("Expand", {f32({1}, {1}), i64({2}, {-1, 3})}), Contains("negative dimension"));
  // Einsum summing over extents whose product passes the limit.
  const Tensor v2k = f32({2048}, std::vector<float>(2048, 1.0f));
  CHECK_THAT(run_error("Einsum", {v2k, v2k, v2k}, {}, [](Node& n) { set_attr(n, "equation", std::string("a,b,c->")); }),
             Contains("summed extents") && Contains("too large"));
  // MaxUnpool with strides whose output size overflows int64.
  CHECK_THAT(run_error("MaxUnpool", {f32({1, 1, 2}, {1, 2}), i64({1, 1, 2}, {0, 1})}, {},
                       [](Node& n) {
                         Attribute k, st;
                         k.kind = st.kind = Attribute::Kind::Ints;
                         k.ints = {2};
                         st.ints = {INT64_MAX};
                         n.attributes["kernel_shape"] = k;
                         n.attributes["strides"] = st;
                       }),
             Contains("overflows"));
  // Pooling and convolution geometry from absurd attributes.
  CHECK_THAT(run_error("MaxPool", {f32({1, 1, 4}, {1, 2, 3, 4})}, {},
                       [](Node& n) {
                         Attribute k, p;
                         k.kind = p.kind = Attribute::Kind::Ints;
                         k.ints = {2};
                         p.ints = {INT64_MAX, INT64_MAX};
                         n.attributes["kernel_shape"] = k;
                         n.attributes["pads"] = p;
                       }),
             Contains("overflow"));
  CHECK_THAT(run_error("Conv", {f32({1, 1, 4}, {1, 2, 3, 4}), f32({1, 1, 2}, {1, 1})}, {},
                       [](Node& n) {
                         Attribute d;
                         d.kind = Attribute::Kind::Ints;
                         d.ints = {INT64_MAX};
                         n.attributes["dilations"] = d;
                       }),
             Contains("overflows"));
  // DepthToSpace with a blocksize whose square wraps to 0 in int64 (a division by zero).
  CHECK_THAT(run_error("DepthToSpace", {f32({1, 4, 1, 1}, {1, 2, 3, 4})}, {},
                       [](Node& n) { set_attr(n, "blocksize", int64_t(1) << 32); }),
             Contains("blocksize") && Contains("too large"));
  CHECK_THAT(run_error("SpaceToDepth", {f32({1, 2, 0, 0}, {})}, {},
                       [](Node& n) { set_attr(n, "blocksize", int64_t(1) << 40); }),
             Contains("too large"));
  // A lower limit is honoured too.
  Limits small;
  small.max_tensor_elements = 1000;
  CHECK_THAT(run_error("ConstantOfShape", {i64({2}, {100, 11})}, small), Contains("1000"));
  CHECK(run_error("ConstantOfShape", {i64({2}, {100, 10})}, small) == "<no error>");
}

TEST_CASE("Range with extreme integer bounds counts without overflow", "[limits]") {
  CHECK_THAT(run_error("Range", {i64({}, {INT64_MIN}), i64({}, {INT64_MAX}), i64({}, {1})}),
             Contains("Range would produce"));
  // 4 values spanning all of int64: i * delta leaves int64 although every value fits.
  Model model;
  model.opsets[""] = 17;
  model.graph.inputs = {info("s", DType::Int64), info("l", DType::Int64), info("d", DType::Int64)};
  model.graph.nodes.push_back(make_node("Range", {"s", "l", "d"}, {"y"}));
  model.graph.outputs.push_back(info("y"));
  SessionOptions options;
  options.optimize = false;
  auto session = Session::from_model(std::move(model), options);
  REQUIRE(session.is_ok());
  const int64_t step = int64_t(1) << 62;
  auto out = session.value()->run({{"s", i64({}, {INT64_MIN})}, {"l", i64({}, {INT64_MAX})}, {"d", i64({}, {step})}});
  REQUIRE(out.is_ok());
  const Tensor& y = out.value()[0].second;
  REQUIRE(y.numel() == 4);
  CHECK(y.data<int64_t>()[1] == INT64_MIN + step);
  CHECK(y.data<int64_t>()[2] == 0);
  CHECK(y.data<int64_t>()[3] == step);
}

// --- initializer data that disagrees with its shape ----------------------------------------

TEST_CASE("initializer data must match its shape", "[limits]") {
  auto parse = [](const std::string& bytes) {
    return error_of(parse_tensor_proto(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  };
  // raw_data too short and too long.
  CHECK_THAT(parse(proto::with(proto::tensor_header(kFloat, {2, 2}, "raw"),
                               [](protozero::pbf_writer& w) { w.add_bytes(9, std::string(12, '\0')); })),
             Contains("'raw'") && Contains("needs 16 bytes of raw_data, has 12"));
  CHECK_THAT(parse(proto::with(proto::tensor_header(kFloat, {2}, "long"),
                               [](protozero::pbf_writer& w) { w.add_bytes(9, std::string(12, '\0')); })),
             Contains("'long'") && Contains("needs 8 bytes"));
  // Typed fields: too few and too many values.
  CHECK_THAT(parse(proto::with(proto::tensor_header(kFloat, {3}, "few"), [](protozero::pbf_writer& w) {
               const std::vector<float> v = {1, 2};
               w.add_packed_float(4, v.begin(), v.end());
             })),
             Contains("'few'") && Contains("2 values in float_data, expected 3"));
  CHECK_THAT(parse(proto::with(proto::tensor_header(kInt64, {1}, "many"), [](protozero::pbf_writer& w) {
               const std::vector<int64_t> v = {1, 2, 3};
               w.add_packed_int64(7, v.begin(), v.end());
             })),
             Contains("'many'") && Contains("3 values in int64_data, expected 1"));
  // A huge shape with a little data fails on the count, before allocating.
  CHECK_THAT(parse(proto::with(proto::tensor_header(kFloat, {int64_t(1) << 31}, "lie"),
                               [](protozero::pbf_writer& w) { w.add_float(4, 1.0f); })),
             Contains("'lie'") && Contains("1 values in float_data"));
}

TEST_CASE("external data must match its shape and stay inside the model's folder and file", "[limits]") {
  TempDir dir("external");
  dir.write("weights.bin", std::string(16, '\0'));
  auto load = [&](const std::string& model) { return load_file_error(dir.write("model.onnx", model)); };

  CHECK(load(external_model("weights.bin")) == "<no error>");
  // Declared length disagreeing with the shape.
  CHECK_THAT(load(external_model("weights.bin", "", "12")), Contains("'w'") && Contains("length 12 does not match"));
  // Offset or length beyond the file.
  CHECK_THAT(load(external_model("weights.bin", "8")), Contains("'w'") && Contains("outside") && Contains("16 bytes"));
  CHECK_THAT(load(external_model("weights.bin", "1000000000000")), Contains("outside"));
  CHECK_THAT(load(external_model("weights.bin", "-1")), Contains("not a number"));
  // Locations leaving the folder.
  CHECK_THAT(load(external_model("/etc/passwd")), Contains("outside the model's folder"));
  CHECK_THAT(load(external_model("../weights.bin")), Contains("outside the model's folder"));
  CHECK_THAT(load(external_model("sub/../../weights.bin")), Contains("outside the model's folder"));
  // A symbolic link inside the folder pointing out of it.
  TempDir outside("external_target");
  outside.write("secret.bin", std::string(16, '\0'));
  fs::create_symlink(outside.path / "secret.bin", dir.path / "link.bin");
  CHECK_THAT(load(external_model("link.bin")), Contains("outside the model's folder"));
  // A FIFO inside the folder would block the loader forever.
  REQUIRE(::mkfifo((dir.path / "pipe.bin").c_str(), 0600) == 0);
  CHECK_THAT(load(external_model("pipe.bin")), Contains("not a regular file"));
  // A missing file is a named error.
  CHECK_THAT(load(external_model("missing.bin")), Contains("missing.bin"));
}

// --- loops and recursion ---------------------------------------------------------------------

namespace {

// Loop(M, cond) whose body passes cond through and yields `scan` (if set) as a scan output.
Model loop_model(bool with_scan) {
  Graph body;
  body.inputs = {info("i", DType::Int64), info("c_in", DType::Bool)};
  body.nodes.push_back(make_node("Identity", {"c_in"}, {"c_out"}));
  body.outputs = {info("c_out", DType::Bool)};
  if (with_scan) {
    // A fresh 64 KiB tensor every iteration, all kept for the stacked scan output.
    body.initializers["shape"] = i64({1}, {16384});
    body.nodes.push_back(make_node("ConstantOfShape", {"shape"}, {"piece"}));
    body.outputs.push_back(info("piece", DType::Float32));
  }
  Model model;
  model.opsets[""] = 17;
  model.graph.inputs = {info("M", DType::Int64), info("cond", DType::Bool)};
  Node loop = make_node("Loop", {"M", "cond"}, with_scan ? std::vector<std::string>{"stacked"} : std::vector<std::string>{});
  set_graph(loop, "body", std::move(body));
  model.graph.nodes.push_back(loop);
  if (with_scan) {
    model.graph.outputs.push_back(info("stacked"));
  } else {
    // A Loop with no outputs still runs; expose M so the graph has an output.
    model.graph.nodes.push_back(make_node("Identity", {"M"}, {"m_out"}));
    model.graph.outputs.push_back(info("m_out"));
  }
  return model;
}

std::string run_loop(bool with_scan, int64_t trips, Limits limits) {
  SessionOptions options;
  options.num_threads = 1;
  options.optimize = false;
  options.limits = limits;
  auto session = Session::from_model(loop_model(with_scan), options);
  if (!session) return "load: " + session.status().message();
  return error_of(session.value()->run({{"M", i64({}, {trips})}, {"cond", Tensor::from_vector<bool>({}, {true})}}));
}

}  // namespace

TEST_CASE("a Loop with a huge trip count stops at max_loop_iterations", "[limits]") {
  Limits limits;
  limits.max_loop_iterations = 100;
  CHECK(run_loop(false, 100, limits) == "<no error>");
  CHECK_THAT(run_loop(false, int64_t(1) << 40, limits),
             Contains("Loop") && Contains("more than 100 iterations") && Contains("max_loop_iterations"));
}

TEST_CASE("a Loop whose scan outputs grow without bound hits max_total_bytes", "[limits]") {
  Limits limits;
  limits.max_total_bytes = int64_t(1) << 20;  // 16 iterations of 64 KiB
  CHECK(run_loop(true, 6, limits) == "<no error>");
  CHECK_THAT(run_loop(true, 1000, limits), Contains("max_total_bytes") && Contains("1048576"));
  // The same growth against the element limit fails as soon as the stack would be too large.
  Limits elements;
  elements.max_tensor_elements = 16384 * 10;
  CHECK_THAT(run_loop(true, 1000, elements), Contains("scan output 0") && Contains("max_tensor_elements"));
}

TEST_CASE("max_total_bytes refuses one huge allocation and frees its budget after the run", "[limits]") {
  Limits limits;
  limits.max_total_bytes = int64_t(1) << 20;
  CHECK_THAT(run_error("ConstantOfShape", {i64({1}, {int64_t(1) << 28})}, limits),
             Contains("max_total_bytes") && Contains("1073741824"));
  // Repeated runs at 3/4 of the budget pass: each run's tensors are released.
  Model model;
  model.opsets[""] = 17;
  model.graph.inputs = {info("s", DType::Int64)};
  model.graph.nodes.push_back(make_node("ConstantOfShape", {"s"}, {"y"}));
  model.graph.outputs.push_back(info("y"));
  SessionOptions options;
  options.optimize = false;
  options.limits = limits;
  auto session = Session::from_model(std::move(model), options);
  REQUIRE(session.is_ok());
  for (int i = 0; i < 5; ++i) CHECK(session.value()->run({{"s", i64({1}, {196608})}}).is_ok());

  // The allocator itself.
  BudgetAllocator budget(heap_allocator(), 1000);
  auto a = budget.try_allocate(600);
  REQUIRE(a.is_ok());
  CHECK(budget.live_bytes() == 600);
  CHECK_THAT(error_of(budget.try_allocate(500)), Contains("max_total_bytes"));
  a.value().reset();
  CHECK(budget.live_bytes() == 0);
  CHECK(budget.try_allocate(1000).is_ok());
}

TEST_CASE("constant folding does not materialise a huge constant at load", "[limits]") {
  // ConstantOfShape of 2^31 floats (8 GiB) from a constant shape: folding it would allocate
  // and fill 8 GiB only to discard it as too large to keep.
  Model model;
  model.opsets[""] = 17;
  model.graph.initializers["shape"] = i64({1}, {int64_t(1) << 31});
  model.graph.inputs = {info("x", DType::Float32)};
  model.graph.nodes.push_back(make_node("ConstantOfShape", {"shape"}, {"c"}));
  model.graph.nodes.push_back(make_node("Add", {"x", "c"}, {"y"}));
  model.graph.outputs = {info("y")};
  SessionOptions options;
  options.limits.max_total_bytes = int64_t(1) << 20;
  auto session = Session::from_model(std::move(model), options);
  REQUIRE(session.is_ok());
  CHECK(session.value()->model().graph.initializers.count("c") == 0);
  CHECK_THAT(error_of(session.value()->run({{"x", f32({1}, {1})}})), Contains("max_total_bytes"));
}

TEST_CASE("a Scan longer than max_loop_iterations is refused", "[limits]") {
  Graph body;
  body.inputs = {info("x_t", DType::Float32)};
  body.nodes.push_back(make_node("Identity", {"x_t"}, {"y_t"}));
  body.outputs = {info("y_t", DType::Float32)};
  Model model;
  model.opsets[""] = 17;
  model.graph.inputs = {info("x", DType::Float32)};
  Node scan = make_node("Scan", {"x"}, {"y"});
  set_attr(scan, "num_scan_inputs", 1);
  set_graph(scan, "body", std::move(body));
  model.graph.nodes.push_back(scan);
  model.graph.outputs.push_back(info("y"));
  SessionOptions options;
  options.optimize = false;
  options.limits.max_loop_iterations = 100;
  auto session = Session::from_model(std::move(model), options);
  REQUIRE(session.is_ok());
  CHECK(session.value()->run({{"x", f32({100, 1}, std::vector<float>(100, 1.0f))}}).is_ok());
  CHECK_THAT(error_of(session.value()->run({{"x", f32({101, 1}, std::vector<float>(101, 1.0f))}})),
             Contains("101 steps") && Contains("max_loop_iterations"));
}

TEST_CASE("subgraphs nested deeper than max_graph_depth are refused at load", "[limits]") {
  // ONNX bytes: If inside If inside If ..., each branch holding the next level.
  auto nested_if = [](int levels) {
    const std::string x = proto::value_info("x", kFloat, {1}), y = proto::value_info("y", kFloat, {1});
    const std::string leaf = proto::graph({proto::node("Identity", {"x"}, {"y"})}, {}, {}, {y});
    std::string g = leaf;
    for (int i = 0; i < levels; ++i) {
      // then_branch nests further, else_branch is a leaf (so the bytes grow linearly).
      std::string then_attr, else_attr;
      for (auto [attr, name, body] : {std::tuple<std::string*, const char*, const std::string*>{&then_attr, "then_branch", &g},
                                     std::tuple<std::string*, const char*, const std::string*>{&else_attr, "else_branch", &leaf}}) {
        protozero::pbf_writer a(*attr);
        a.add_string(1, name);
        a.add_message(6, *body);
        a.add_int32(20, 5);  // AttributeProto.type = GRAPH
      }
      g = proto::graph({proto::node("If", {"c"}, {"y"}, {then_attr, else_attr})}, {}, {}, {y});
    }
    // The main graph declares x and c as inputs.
    std::string main = proto::with(g, [&](protozero::pbf_writer& w) {
      w.add_message(11, x);
      w.add_message(11, proto::value_info("c", 9, {}));
    });
    return proto::model(main);
  };
  Limits limits;
  limits.max_graph_depth = 4;
  CHECK(load_proto(nested_if(4), limits).is_ok());
  CHECK_THAT(error_of(load_proto(nested_if(5), limits)), Contains("nested") && Contains("4"));
  // Far beyond any limit: still a clear error, not a stack overflow.
  CHECK_THAT(error_of(load_proto(nested_if(2000))), Contains("nested"));

  // Graphs built in memory are checked when the session compiles them.
  auto nested_ir = [](int levels) {
    Graph g;
    g.nodes.push_back(make_node("Identity", {"x"}, {"y"}));
    g.outputs = {info("y", DType::Float32)};
    for (int i = 0; i < levels; ++i) {
      Graph outer;
      Node n = make_node("If", {"c"}, {"y"});
      set_graph(n, "then_branch", g);
      set_graph(n, "else_branch", g);
      outer.nodes.push_back(n);
      outer.outputs = {info("y", DType::Float32)};
      g = std::move(outer);
    }
    Model m;
    m.opsets[""] = 17;
    m.graph = std::move(g);
    m.graph.inputs = {info("x", DType::Float32), info("c", DType::Bool)};
    return m;
  };
  SessionOptions options;
  options.limits.max_graph_depth = 4;
  CHECK(Session::from_model(nested_ir(4), options).is_ok());
  CHECK_THAT(error_of(Session::from_model(nested_ir(5), options)), Contains("nested deeper than 4"));
}

// --- .npy and .wisp files ----------------------------------------------------------------------

namespace {

std::string npy_bytes(const std::string& header_dict, size_t data_bytes) {
  std::string header = header_dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  out += header;
  out += std::string(data_bytes, '\0');
  return out;
}

std::string npy_error(const std::string& bytes, const Limits& limits = {}) {
  return error_of(parse_npy(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), limits));
}

}  // namespace

TEST_CASE(".npy files: data length, shape size and header length are checked", "[limits]") {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  CHECK(npy_error(npy_bytes(dict, 24)) == "<no error>");
  CHECK_THAT(npy_error(npy_bytes(dict, 20)), Contains("does not match its header") && Contains("20"));
  CHECK_THAT(npy_error(npy_bytes(dict, 28)), Contains("does not match its header"));
  CHECK_THAT(npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1048576, 1048576), }", 8)),
             Contains("too large"));
  CHECK_THAT(npy_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }", 8),
                       Limits{INT64_MAX, INT64_MAX, 32, 1}),
             Contains("does not match its header"));
  CHECK_THAT(npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 8)),
             Contains("too large"));
  // A header length beyond the file.
  std::string truncated = npy_bytes(dict, 24);
  truncated[8] = '\xff';
  truncated[9] = '\xff';
  CHECK_THAT(npy_error(truncated), Contains("truncated"));
}

TEST_CASE(".wisp files: sections and tensor ranges must lie inside the file", "[limits]") {
  Model model;
  model.opsets[""] = 17;
  model.graph.inputs = {info("x", DType::Float32)};
  model.graph.initializers["w"] = f32({4}, {1, 2, 3, 4});
  model.graph.nodes.push_back(make_node("Add", {"x", "w"}, {"y"}));
  model.graph.outputs = {info("y", DType::Float32)};
  TempDir dir("wisp");
  const std::string path = (dir.path / "m.wisp").string();
  REQUIRE(save_wisp(model, path).is_ok());
  std::ifstream in(path, std::ios::binary);
  std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(load_file_error(dir.write("ok.wisp", good)) == "<no error>");

  // The data section claiming more bytes than the file has (header field at byte 40).
  std::string bad = good;
  const uint64_t huge = uint64_t(1) << 40;
  std::memcpy(&bad[40], &huge, 8);
  CHECK_THAT(load_file_error(dir.write("bad.wisp", bad)), Contains("extends past the end of the file"));
  // Truncated anywhere: a clear error.
  for (size_t cut : {size_t(10), good.size() / 2, good.size() - 1}) {
    CHECK(load_file_error(dir.write("cut.wisp", good.substr(0, cut))) != "<no error>");
  }
  // A tensor above the element limit.
  Limits small;
  small.max_tensor_elements = 3;
  CHECK_THAT(load_file_error(path, small), Contains("too large"));
}
