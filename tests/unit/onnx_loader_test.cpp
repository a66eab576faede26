// The ONNX loader on small purpose-made models (tests/data/loader/make_models.py) and on
// damaged copies of a real one: every bad input is a clear error, never a crash.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "core/loaders/model_loader.h"
#include "core/runtime/session.h"

using namespace wisp;

namespace {

std::string repo_path(const std::string& relative) {
  std::string file = __FILE__;  // .../tests/unit/onnx_loader_test.cpp
  return file.substr(0, file.rfind("/tests/unit/")) + "/" + relative;
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
