// What each fuzz target does with one input, shared by the libFuzzer binaries (fuzz_*.cpp) and
// the unit test that replays the committed crash inputs (tests/unit/fuzz_regressions_test.cpp),
// so that a regression input is checked by exactly the code that once crashed on it.
//
// Every entry returns nullptr when the input was handled: accepted, or refused with an error
// Status. A broken invariant (something Wisp wrote that it cannot read back) is returned as a
// message; crashes, sanitizer findings, timeouts and memory blow-ups are the other failures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/io/npy.h"
#include "core/loaders/model_loader.h"
#include "core/runtime/session.h"
#include "tests/fuzz/fuzz_limits.h"

namespace wisp::fuzz {

inline FileBytes copy_bytes(const uint8_t* data, size_t size) {
  return bytes_from_vector(std::vector<uint8_t>(data, data + size));
}

inline LoadOptions load_options() {
  LoadOptions options;
  options.limits = limits();
  return options;
}

// Bytes as an .onnx file, then plan compilation (which validates every node's attributes).
inline const char* onnx_loader(const uint8_t* data, size_t size) {
  Result<Model> model = load_onnx(copy_bytes(data, size), load_options());
  if (model.is_ok()) (void)Session::from_model(std::move(model).value(), session_options());
  return nullptr;
}

// Bytes as a .wisp file (header, FlatBuffer verification, data-section offsets), then plan
// compilation.
inline const char* wisp_loader(const uint8_t* data, size_t size) {
  Result<Model> model = load_wisp(copy_bytes(data, size), load_options());
  if (model.is_ok()) (void)Session::from_model(std::move(model).value(), session_options());
  return nullptr;
}

// Bytes through the .npy reader; what it accepts is written and must read back unchanged.
inline const char* npy(const uint8_t* data, size_t size) {
  Result<Tensor> tensor = parse_npy(data, size, limits());
  if (!tensor.is_ok()) return nullptr;
  Result<std::vector<uint8_t>> encoded = encode_npy(tensor.value());
  if (!encoded.is_ok()) return nullptr;
  Result<Tensor> again = parse_npy(encoded.value().data(), encoded.value().size(), limits());
  if (!again.is_ok()) return "a .npy file written by encode_npy does not parse";
  if (again.value().shape() != tensor.value().shape() || again.value().dtype() != tensor.value().dtype()) {
    return "a .npy file written by encode_npy reads back with another shape or dtype";
  }
  if (tensor.value().nbytes() &&
      std::memcmp(again.value().raw_data(), tensor.value().raw_data(), tensor.value().nbytes()) != 0) {
    return "a .npy file written by encode_npy reads back with other data";
  }
  return nullptr;
}

// A deterministic input of the declared shape (unknown dimensions taken as 2), or an error
// when the declared input is too large or of a kind not fuzzed.
inline Result<Value> make_feed(const ValueInfo& info) {
  if (info.kind != ValueKind::Tensor) return Value::none();
  Shape shape;
  int64_t numel = 1;
  for (const Dim& d : info.shape) {
    int64_t extent = d.is_fixed() ? d.value : 2;
    if (extent > 64) return invalid_argument("input too large for fuzzing");
    shape.push_back(extent);
    numel *= extent;
    if (numel > 4096) return invalid_argument("input too large for fuzzing");
  }
  DType dtype = info.dtype == DType::Undefined ? DType::Float32 : info.dtype;
  if (dtype == DType::String) return invalid_argument("string inputs are not fuzzed");
  WISP_ASSIGN_OR_RETURN(Tensor t, Tensor::empty(dtype, shape));
  if (t.nbytes()) std::memset(t.raw_data(), 0, t.nbytes());
  // Zeros, except small varied values for the common types (indices stay in range of small axes).
  if (dtype == DType::Float32) {
    for (int64_t i = 0; i < numel; ++i) t.data<float>()[i] = float(i % 5) - 2.0f;
  } else if (dtype == DType::Int64) {
    for (int64_t i = 0; i < numel; ++i) t.data<int64_t>()[i] = i % 3;
  } else if (dtype == DType::Int32) {
    for (int64_t i = 0; i < numel; ++i) t.data<int32_t>()[i] = int32_t(i % 3);
  }
  return Value(std::move(t));
}

// Bytes as an .onnx file and, when it loads, one run on inputs of the declared shapes: finds
// crashes in the ops themselves (shape arithmetic, index checks, attribute handling).
inline const char* run_graph(const uint8_t* data, size_t size) {
  Result<Model> model = load_onnx(copy_bytes(data, size), load_options());
  if (!model.is_ok()) return nullptr;
  auto session = Session::from_model(std::move(model).value(), session_options());
  if (!session.is_ok()) return nullptr;
  NamedValues feeds;
  for (const ValueInfo& info : session.value()->inputs()) {
    Result<Value> feed = make_feed(info);
    if (!feed.is_ok()) return nullptr;
    feeds.emplace_back(info.name, std::move(feed).value());
  }
  (void)session.value()->run_values(feeds);
  return nullptr;
}

}  // namespace wisp::fuzz
