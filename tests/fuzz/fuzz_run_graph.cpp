// libFuzzer target: load an ONNX model from the bytes and, when it loads, run it once on
// inputs of its declared shapes (unknown dimensions taken as 2), within tight limits. Finds
// crashes in the ops themselves: shape arithmetic, index checks, attribute handling.
#include <cstring>

#include "core/loaders/model_loader.h"
#include "core/runtime/session.h"
#include "tests/fuzz/fuzz_limits.h"

namespace {

// A deterministic input of the declared shape.
wisp::Result<wisp::Value> make_feed(const wisp::ValueInfo& info) {
  using namespace wisp;
  if (info.kind != ValueKind::Tensor) return Value::none();
  Shape shape;
  int64_t numel = 1;
  for (const Dim& d : info.shape) {
    int64_t extent = d.is_fixed() ? d.value : 2;
    if (extent > 64) return invalid_argument("input too large for fuzzing");
    shape.push_back(extent);
    numel *= extent;
  }
  if (numel > 4096) return invalid_argument("input too large for fuzzing");
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wisp;
  LoadOptions options;
  options.limits = fuzz::limits();
  Result<Model> model = load_onnx(bytes_from_vector(std::vector<uint8_t>(data, data + size)), options);
  if (!model.is_ok()) return 0;
  auto session = Session::from_model(std::move(model).value(), fuzz::session_options());
  if (!session.is_ok()) return 0;
  NamedValues feeds;
  for (const ValueInfo& info : session.value()->inputs()) {
    Result<Value> feed = make_feed(info);
    if (!feed.is_ok()) return 0;
    feeds.emplace_back(info.name, std::move(feed).value());
  }
  (void)session.value()->run_values(feeds);
  return 0;
}
