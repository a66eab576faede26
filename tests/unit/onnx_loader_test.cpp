// The ONNX loader on small purpose-made models (tests/data/loader/make_models.py) and on
// damaged copies of a real one: every bad input is a clear error, never a crash.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/loaders/model_loader.h"
#include "core/runtime/session.h"
#include "tests/unit/onnx_proto_builder.h"

using namespace wisp;
namespace proto = wisp::test_proto;

namespace {

std::string repo_path(const std::string& relative) {
  return std::string(WISP_SOURCE_DIR) + "/" + relative;
}
std::string loader_data(const std::string& name) { return repo_path("tests/data/loader/" + name); }

std::string load_error(const std::string& path) {
  auto session = Session::load_file(path);
  return session.is_ok() ? "" : session.status().message();
}

std::vector<uint8_t> read_all(const std::string& path) {
  auto bytes = read_file_bytes(path);
  REQUIRE(bytes.is_ok());
  return std::vector<uint8_t>(bytes.value().data, bytes.value().data + bytes.value().size);
}

Result<Model> load_proto(const std::string& bytes, Limits limits = {}) {
  LoadOptions options;
  options.limits = limits;
  return load_onnx(bytes_from_vector(std::vector<uint8_t>(bytes.begin(), bytes.end())), options);
}

std::string proto_error(const std::string& bytes, Limits limits = {}) {
  auto model = load_proto(bytes, limits);
  return model.is_ok() ? "" : model.status().message();
}

// AttributeProto with `type` set (or left out when 0) and one value added by `add`.
template <typename Fn>
std::string attribute(const std::string& name, int type, Fn&& add) {
  std::string out;
  protozero::pbf_writer w(out);
  w.add_string(1, name);
  if (type) w.add_int32(20, type);
  add(w);
  return out;
}

const std::string kX = proto::value_info("x", 1, {-1, 3});
const std::string kY = proto::value_info("y", 1, {-1, 3});

}  // namespace

TEST_CASE("inline and external initializers give the same result", "[onnx]") {
  for (const char* name : {"add_inline.onnx", "add_external.onnx"}) {
    INFO(name);
    auto session = Session::load_file(loader_data(name));
    REQUIRE(session.is_ok());
    auto out = session.value()->run({{"x", Tensor::from_vector<float>({2, 3}, {1, 1, 1, 1, 1, 1})}});
    REQUIRE(out.is_ok());
    const float* y = out.value()[0].second.data<float>();
    for (int i = 0; i < 6; ++i) CHECK(y[i] == float(i + 1));
  }
}

TEST_CASE("aligned initializers are used in place, others copied", "[onnx]") {
  auto file = read_file_bytes(loader_data("add_inline.onnx"));
  REQUIRE(file.is_ok());
  // Place the file at every offset modulo 4 in a buffer: the raw data is borrowed exactly when
  // it ends up 4-byte aligned.
  int borrowed = 0;
  for (size_t shift = 0; shift < 4; ++shift) {
    std::vector<uint8_t> buffer(file.value().size + shift);
    std::memcpy(buffer.data() + shift, file.value().data, file.value().size);
    auto owner = std::make_shared<std::vector<uint8_t>>(std::move(buffer));
    FileBytes bytes{owner->data() + shift, file.value().size, owner};
    auto model = load_model_bytes(bytes, LoadOptions{});
    REQUIRE(model.is_ok());
    const Tensor& w = model.value().graph.initializers.at("w");
    CHECK(w.data<float>()[5] == 5.0f);
    const uint8_t* p = static_cast<const uint8_t*>(w.raw_data());
    if (p >= bytes.data && p < bytes.data + bytes.size) {
      ++borrowed;
      CHECK(reinterpret_cast<uintptr_t>(p) % 4 == 0);
    }
  }
  CHECK(borrowed == 1);  // one shift in four aligns the floats
}

TEST_CASE("external data may not leave the model's folder or the file", "[onnx]") {
  CHECK_THAT(load_error(loader_data("add_external_escape.onnx")), Catch::Contains("outside the model's folder"));
  CHECK_THAT(load_error(loader_data("add_external_absolute.onnx")), Catch::Contains("outside the model's folder"));
  CHECK_THAT(load_error(loader_data("add_external_past_end.onnx")), Catch::Contains("add_weights.bin"));
  // Loaded from memory there is no folder to read from.
  auto bytes = read_file_bytes(loader_data("add_external.onnx"));
  REQUIRE(bytes.is_ok());
  auto session = Session::load_bytes(bytes.value());
  REQUIRE(!session.is_ok());
  CHECK_THAT(session.status().message(), Catch::Contains("loaded from memory"));
}

TEST_CASE("malformed models are named errors", "[onnx]") {
  CHECK_THAT(load_error(loader_data("add_short_raw.onnx")), Catch::Contains("raw_data"));
  CHECK_THAT(load_error(loader_data("cycle.onnx")), Catch::Contains("cycle"));
  std::string unknown = load_error(loader_data("unknown_ops.onnx"));
  CHECK_THAT(unknown, Catch::Contains("AlsoMissing") && Catch::Contains("NoSuchOp"));
  CHECK_THAT(load_error(loader_data("no-such-file.onnx")), Catch::Contains("no-such-file.onnx"));
}

TEST_CASE("every truncation and byte flip of a real model fails cleanly or loads", "[onnx]") {
  const std::vector<uint8_t> original = read_all(repo_path("tests/data/onnx-backend-tests/node/test_conv_with_strides_padding/model.onnx"));
  for (size_t cut = 0; cut < original.size(); cut += 1) {
    std::vector<uint8_t> truncated(original.begin(), original.begin() + cut);
    auto session = Session::load_bytes(bytes_from_vector(truncated));
    if (!session.is_ok()) CHECK(!session.status().message().empty());
  }
  uint32_t state = 12345;
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> damaged = original;
    for (int flips = 0; flips < 3; ++flips) {
      state = state * 1664525u + 1013904223u;
      damaged[(state >> 8) % damaged.size()] ^= uint8_t(1u << (state % 8));
    }
    auto session = Session::load_bytes(bytes_from_vector(damaged));
    if (!session.is_ok()) CHECK(!session.status().message().empty());
  }
}

TEST_CASE("feeds are checked against the declared inputs", "[onnx]") {
  auto session = Session::load_file(loader_data("add_inline.onnx"));
  REQUIRE(session.is_ok());
  const Session& s = *session.value();
  auto wrong_shape = s.run({{"x", Tensor::from_vector<float>({3, 2}, {1, 1, 1, 1, 1, 1})}});
  CHECK_THAT(wrong_shape.status().message(), Catch::Contains("'x'"));
  auto wrong_type = s.run({{"x", Tensor::from_vector<int64_t>({2, 3}, {1, 1, 1, 1, 1, 1})}});
  CHECK_THAT(wrong_type.status().message(), Catch::Contains("float32"));
  auto missing = s.run({});
  CHECK_THAT(missing.status().message(), Catch::Contains("missing input 'x'"));
  auto unknown = s.run({{"x", Tensor::from_vector<float>({2, 3}, {1, 1, 1, 1, 1, 1})},
                        {"nope", Tensor::from_vector<float>({1}, {1})}});
  CHECK_THAT(unknown.status().message(), Catch::Contains("nope"));
}

TEST_CASE("attributes of every kind are decoded", "[onnx]") {
  const std::vector<float> floats = {0.5f, 1.5f};
  const std::vector<int64_t> ints = {-1, 2, 3};
  const std::string body = proto::graph({proto::node("Identity", {"x"}, {"y"})}, {}, {kX}, {kY});
  const std::vector<float> tvals = {7.0f};
  const std::string tensor = proto::with(proto::tensor_header(1, {1}, "tv"),
                                         [&](protozero::pbf_writer& w) { w.add_packed_float(4, tvals.begin(), tvals.end()); });
  std::vector<std::string> attrs = {
      attribute("f", 1, [](auto& w) { w.add_float(2, 0.25f); }),
      attribute("i", 2, [](auto& w) { w.add_int64(3, -7); }),
      attribute("s", 3, [](auto& w) { w.add_string(4, "text"); }),
      attribute("t", 4, [&](auto& w) { w.add_message(5, tensor); }),
      attribute("g", 5, [&](auto& w) { w.add_message(6, body); }),
      attribute("floats", 6, [&](auto& w) { w.add_packed_float(7, floats.begin(), floats.end()); }),
      attribute("ints", 7, [&](auto& w) { w.add_packed_int64(8, ints.begin(), ints.end()); }),
      attribute("ints_unpacked", 7, [&](auto& w) { for (int64_t v : ints) w.add_int64(8, v); }),
      attribute("strings", 8, [](auto& w) { w.add_string(9, "a"); w.add_string(9, "b"); }),
      attribute("tensors", 9, [&](auto& w) { w.add_message(10, tensor); w.add_message(10, tensor); }),
      attribute("graphs", 10, [&](auto& w) { w.add_message(11, body); }),
      // Files older than IR version 2 leave `type` out; it follows from the field present.
      attribute("untyped_int", 0, [](auto& w) { w.add_int64(3, 42); }),
      attribute("untyped_floats", 0, [](auto& w) { w.add_float(7, 1.0f); w.add_float(7, 2.0f); }),
  };
  std::string node_bytes = proto::node("Custom", {"x"}, {"y"}, attrs);
  node_bytes = proto::with(node_bytes, [](protozero::pbf_writer& w) { w.add_string(7, "com.example"); });
  auto model = load_proto(proto::model(proto::graph({node_bytes}, {}, {kX}, {kY})));
  REQUIRE(model.is_ok());
  const Node& n = model.value().graph.nodes.at(0);
  CHECK(n.domain == "com.example");
  CHECK(n.attr_float("f", 0).value() == 0.25f);
  CHECK(n.attr_int("i", 0).value() == -7);
  CHECK(n.attr_string("s", "").value() == "text");
  CHECK(n.attr("t")->t.data<float>()[0] == 7.0f);
  REQUIRE(n.attr("g")->g);
  CHECK(n.attr("g")->g->nodes.at(0).op_type == "Identity");
  CHECK(n.attr_floats("floats").value() == floats);
  CHECK(n.attr_ints("ints").value() == ints);
  CHECK(n.attr_ints("ints_unpacked").value() == ints);
  CHECK(n.attr_strings("strings").value() == std::vector<std::string>{"a", "b"});
  CHECK(n.attr("tensors")->tensors.size() == 2);
  CHECK(n.attr("graphs")->graphs.size() == 1);
  CHECK(n.attr_int("untyped_int", 0).value() == 42);
  CHECK(n.attr_floats("untyped_floats").value() == std::vector<float>{1.0f, 2.0f});
  // Declared shapes keep fixed and symbolic dims apart.
  const ValueInfo& x = model.value().graph.inputs.at(0);
  CHECK(x.dtype == DType::Float32);
  REQUIRE(x.shape.size() == 2);
  CHECK(x.shape[0].symbol == "N");
  CHECK(!x.shape[0].is_fixed());
  CHECK(x.shape[1].value == 3);
  CHECK(model.value().opset("") == 17);
}

TEST_CASE("unsupported ONNX features are named", "[onnx]") {
  auto with_attr = [](const std::string& a) {
    return proto::model(proto::graph({proto::node("Custom", {"x"}, {"y"}, {a})}, {}, {kX}, {kY}));
  };
  CHECK_THAT(proto_error(with_attr(attribute("alpha", 1, [](auto& w) { w.add_string(21, "outer_alpha"); }))),
             Catch::Contains("'alpha'") && Catch::Contains("ref_attr_name") && Catch::Contains("Custom"));
  CHECK_THAT(proto_error(with_attr(attribute("tps", 14, [](auto&) {}))), Catch::Contains("'tps'") && Catch::Contains("TypeProto"));
  CHECK_THAT(proto_error(with_attr(attribute("bad", 77, [](auto&) {}))), Catch::Contains("'bad'") && Catch::Contains("77"));
  CHECK_THAT(proto_error(with_attr(attribute("t", 4, [](auto&) {}))), Catch::Contains("'t'") && Catch::Contains("no tensor"));

  std::string sparse_graph = proto::with(proto::graph({proto::node("Identity", {"x"}, {"y"})}, {}, {kX}, {kY}),
                                         [](protozero::pbf_writer& w) { w.add_message(15, std::string()); });
  CHECK_THAT(proto_error(proto::model(sparse_graph)), Catch::Contains("sparse"));

  std::string map_input = proto::model(proto::graph({proto::node("Identity", {"x"}, {"y"})}, {},
                                                    {proto::container_value_info("x", 5)}, {kY}));
  CHECK_THAT(proto_error(map_input), Catch::Contains("'x'") && Catch::Contains("map"));

  // A node without op_type, a model without a graph.
  CHECK_THAT(proto_error(proto::model(proto::graph({proto::node("", {"x"}, {"y"})}, {}, {kX}, {kY}))), Catch::Contains("op_type"));
  std::string no_graph;
  protozero::pbf_writer(no_graph).add_int64(1, 8);
  CHECK_THAT(proto_error(no_graph), Catch::Contains("no graph"));
}

TEST_CASE("sequence and optional inputs are typed", "[onnx]") {
  auto model = load_proto(proto::model(proto::graph({proto::node("Identity", {"s"}, {"y"})}, {},
                                                    {proto::container_value_info("s", 4),
                                                     proto::container_value_info("o", 9)}, {kY})));
  REQUIRE(model.is_ok());
  const auto& inputs = model.value().graph.inputs;
  REQUIRE(inputs.size() == 2);
  CHECK(inputs[0].kind == ValueKind::Sequence);
  CHECK(inputs[0].dtype == DType::Float32);
  CHECK(inputs[1].kind == ValueKind::OptionalTensor);
}

TEST_CASE("subgraph nesting is bounded by Limits", "[onnx]") {
  auto nested = [](int levels) {
    std::string g = proto::graph({proto::node("Identity", {"x"}, {"y"})}, {}, {kX}, {kY});
    for (int i = 0; i < levels; ++i) {
      std::string a = attribute("body", 5, [&](auto& w) { w.add_message(6, g); });
      g = proto::graph({proto::node("Wrap", {"x"}, {"y"}, {a})}, {}, {kX}, {kY});
    }
    return proto::model(g);
  };
  Limits limits;
  limits.max_graph_depth = 8;
  CHECK(load_proto(nested(8), limits).is_ok());
  CHECK_THAT(proto_error(nested(9), limits), Catch::Contains("nested"));
  CHECK_THAT(proto_error(nested(500)), Catch::Contains("nested"));
}

TEST_CASE("external data through a symbolic link out of the folder is refused", "[onnx]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("wisp_loader_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(loader_data("add_external.onnx"), dir / "add_external.onnx", fs::copy_options::overwrite_existing);
  fs::remove(dir / "add_weights.bin");
  fs::create_symlink(fs::absolute(loader_data("add_weights.bin")), dir / "add_weights.bin");
  CHECK_THAT(load_error((dir / "add_external.onnx").string()), Catch::Contains("outside the model's folder"));
  // A real copy inside the folder is fine.
  fs::remove(dir / "add_weights.bin");
  fs::copy_file(loader_data("add_weights.bin"), dir / "add_weights.bin");
  CHECK(load_error((dir / "add_external.onnx").string()).empty());
  fs::remove_all(dir);
}

TEST_CASE("every backend test model loads or fails with a message", "[onnx]") {
  namespace fs = std::filesystem;
  const fs::path root = repo_path("tests/data/onnx-backend-tests");
  if (!fs::is_directory(root)) return;  // test data not unpacked
  int loaded = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".onnx") continue;
    auto model = load_model_file(entry.path().string());
    if (model.is_ok()) {
      ++loaded;
    } else {
      INFO(entry.path().string());
      CHECK(!model.status().message().empty());
    }
  }
  CHECK(loaded > 1000);
}
