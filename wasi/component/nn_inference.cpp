// graph-execution-context.compute: wasi-nn tensors -> Wisp tensors (checked, no copy), one
// Session::run, Wisp tensors -> wasi-nn tensors (sharing the output storage).
#include <limits>

#include "wasi/component/nn_api.h"

namespace wisp::nn {
namespace {

const char* tensor_type_name(TensorType type) {
  switch (type) {
    case TensorType::FP16: return "fp16";
    case TensorType::FP32: return "fp32";
    case TensorType::FP64: return "fp64";
    case TensorType::BF16: return "bf16";
    case TensorType::U8: return "u8";
    case TensorType::I32: return "i32";
    case TensorType::I64: return "i64";
  }
  return "?";
}

DType dtype_of(TensorType type) {
  switch (type) {
    case TensorType::FP16: return DType::Float16;
    case TensorType::FP32: return DType::Float32;
    case TensorType::FP64: return DType::Float64;
    case TensorType::U8: return DType::UInt8;
    case TensorType::I32: return DType::Int32;
    case TensorType::I64: return DType::Int64;
    case TensorType::BF16: return DType::Undefined;  // refused before this is asked
  }
  return DType::Undefined;
}

// The wasi-nn type of an output; false when tensor-type has no case for it. Bool is stored
// as one byte 0/1 in Wisp, which is exactly a u8 tensor.
bool tensor_type_of(DType dtype, TensorType* type) {
  switch (dtype) {
    case DType::Float16: *type = TensorType::FP16; return true;
    case DType::Float32: *type = TensorType::FP32; return true;
    case DType::Float64: *type = TensorType::FP64; return true;
    case DType::BFloat16: *type = TensorType::BF16; return true;
    case DType::UInt8: case DType::Bool: *type = TensorType::U8; return true;
    case DType::Int32: *type = TensorType::I32; return true;
    case DType::Int64: *type = TensorType::I64; return true;
    default: return false;
  }
}

const ValueInfo* find_input(const Session& session, const std::string& name) {
  for (const ValueInfo& info : session.inputs()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

Outcome<wisp::Tensor> to_wisp(const Session& session, const std::string& name, const Tensor& tensor) {
  const ValueInfo* declared = find_input(session, name);
  if (!declared) {
    std::string names;
    for (const ValueInfo& info : session.inputs()) names += (names.empty() ? "'" : ", '") + info.name + "'";
    return Error{ErrorCode::InvalidArgument, "the graph has no input named '" + name + "' (its inputs: " + names + ")"};
  }
  size_t element_size = tensor_type_size(tensor.type);
  if (element_size == 0) {
    return Error{ErrorCode::InvalidArgument, "input '" + name + "': tensor type " + tensor_type_name(tensor.type) +
                                                 " is not supported (use fp16, fp32, fp64, u8, i32 or i64)"};
  }
  Shape shape(tensor.dims.begin(), tensor.dims.end());
  // The WIT asks for dimensions [1] for a single value; a graph input declared as a scalar
  // (rank 0, e.g. Silero VAD's `sr`) then gets the rank it declares.
  if (declared->has_shape && declared->shape.empty() && shape == Shape{1}) shape.clear();
  Result<int64_t> count = checked_numel(shape, kDefaultMaxTensorElements);
  if (!count.is_ok()) return Error{ErrorCode::InvalidArgument, "input '" + name + "': " + count.status().message()};
  uint64_t expected = uint64_t(*count) * element_size;
  if (expected != tensor.data.size) {
    return Error{ErrorCode::InvalidArgument, "input '" + name + "': " + std::to_string(tensor.data.size) +
                                                 " data bytes for dimensions " + shape_to_string(shape) + " of " +
                                                 tensor_type_name(tensor.type) + " (expected " +
                                                 std::to_string(expected) + ")"};
  }
  // Borrowed: the run only reads its feeds, and the bytes live as long as the tensor resource,
  // which outlives compute().
  void* data = const_cast<uint8_t*>(tensor.data.data);
  return wisp::Tensor::borrow(dtype_of(tensor.type), std::move(shape), data, tensor.data.owner);
}

Outcome<std::unique_ptr<Tensor>> from_wisp(const std::string& name, const wisp::Tensor& tensor) {
  auto out = std::make_unique<Tensor>();
  if (!tensor_type_of(tensor.dtype(), &out->type)) {
    return Error{ErrorCode::UnsupportedOperation, "output '" + name + "' is " + dtype_name(tensor.dtype()) +
                                                      ", which wasi-nn's tensor-type cannot represent"};
  }
  for (int64_t d : tensor.shape()) {
    if (d < 0 || uint64_t(d) > std::numeric_limits<uint32_t>::max()) {
      return Error{ErrorCode::TooLarge, "output '" + name + "' has a dimension beyond u32: " + shape_to_string(tensor.shape())};
    }
    out->dims.push_back(uint32_t(d));
  }
  if (out->dims.empty()) out->dims.push_back(1);  // a scalar, as the WIT describes one
  auto holder = std::make_shared<const wisp::Tensor>(tensor);  // shares the storage, no copy
  out->data.data = static_cast<const uint8_t*>(holder->raw_data());
  out->data.size = holder->nbytes();
  out->data.owner = holder;
  return out;
}

}  // namespace

Outcome<std::vector<NamedOutput>> compute(const GraphExecutionContext& context, const std::vector<NamedInput>& inputs) {
  const Session& session = *context.session;
  NamedTensors feeds;
  for (const auto& [name, tensor] : inputs) {
    Outcome<wisp::Tensor> feed = to_wisp(session, name, *tensor);
    if (auto* error = std::get_if<Error>(&feed)) return std::move(*error);
    feeds.emplace_back(name, std::get<wisp::Tensor>(std::move(feed)));
  }
  Result<NamedTensors> results = session.run(feeds);
  if (!results.is_ok()) return error_from_status(results.status(), ErrorCode::RuntimeError);
  std::vector<NamedOutput> outputs;
  for (const auto& [name, tensor] : *results) {
    Outcome<std::unique_ptr<Tensor>> out = from_wisp(name, tensor);
    if (auto* error = std::get_if<Error>(&out)) return std::move(*error);
    outputs.emplace_back(name, std::get<std::unique_ptr<Tensor>>(std::move(out)));
  }
  return outputs;
}

}  // namespace wisp::nn
