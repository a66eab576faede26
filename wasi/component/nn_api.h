// The wasi-nn semantics of Wisp's component, in plain C++ types. Nothing here knows the
// canonical ABI: the abi_*.cpp files lift the component's arguments into these types, call
// these functions and lower what they return. Everything that can fail returns an Error
// (never traps), so a bad model, tensor or name reaches the caller as a wasi-nn error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/base/status.h"
#include "core/runtime/session.h"

namespace wisp::nn {

// The WIT enums, with the WIT's case order (their canonical-ABI discriminants).
enum class ErrorCode : uint8_t {
  InvalidArgument, InvalidEncoding, Timeout, RuntimeError, UnsupportedOperation,
  TooLarge, NotFound, Security, Unknown,
};
enum class TensorType : uint8_t { FP16, FP32, FP64, BF16, U8, I32, I64 };
enum class GraphEncoding : uint8_t { OpenVino, Onnx, TensorFlow, PyTorch, TensorFlowLite, Ggml, Autodetect };
enum class ExecutionTarget : uint8_t { Cpu, Gpu, Tpu };
constexpr uint8_t kErrorCodeCount = 9, kTensorTypeCount = 7, kGraphEncodingCount = 7, kExecutionTargetCount = 3;

// The `error` resource: a code and Wisp's message.
struct Error {
  ErrorCode code = ErrorCode::Unknown;
  std::string data;
};

template <typename T>
using Outcome = std::variant<T, Error>;

// Bytes that some owner keeps alive: a buffer the caller handed over (lists lowered into the
// component are ours to free) or the storage of an output tensor. No copy either way.
struct Bytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
  std::shared_ptr<const void> owner;
};

// The `tensor` resource. Its constructor cannot fail in the WIT, so it stores what it was
// given as is; the dims/type/length checks happen in compute(), which can return an error.
struct Tensor {
  std::vector<uint32_t> dims;
  TensorType type = TensorType::FP32;
  Bytes data;
};

// `graph` and `graph-execution-context`. A Wisp Session is immutable after load and may run
// from several contexts, so contexts share the graph's session.
struct Graph {
  std::shared_ptr<const Session> session;
};
struct GraphExecutionContext {
  std::shared_ptr<const Session> session;
};

using NamedInput = std::pair<std::string, const Tensor*>;
using NamedOutput = std::pair<std::string, std::unique_ptr<Tensor>>;

// graph.load: `builders` must be one buffer. `onnx` reads ONNX; `autodetect` reads .wisp when
// the bytes start with its magic and ONNX otherwise (the WIT enum has no `wisp` case).
Outcome<std::unique_ptr<Graph>> load(std::vector<Bytes> builders, GraphEncoding encoding, ExecutionTarget target);
// graph.load-by-name: `name` is a path of the component's (WASI) file system, any format.
Outcome<std::unique_ptr<Graph>> load_by_name(const std::string& name);
// graph.init-execution-context.
Outcome<std::unique_ptr<GraphExecutionContext>> init_execution_context(const Graph& graph);
// graph-execution-context.compute: every graph input by name; returns every graph output.
Outcome<std::vector<NamedOutput>> compute(const GraphExecutionContext& context, const std::vector<NamedInput>& inputs);

// Helpers shared by the nn_*.cpp files (and tested through them).
Error error_from_status(const Status& status, ErrorCode model_error_code);
size_t tensor_type_size(TensorType type);  // 0 for a type Wisp's component does not accept

}  // namespace wisp::nn
