// Decoding of onnx.TensorProto messages: initializers, Constant values, tensor attributes,
// and the .pb files of the ONNX backend tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/base/status.h"
#include "core/graph/graph.h"
#include "core/runtime/limits.h"
#include "core/tensor/tensor.h"
#include "core/tensor/value.h"

namespace wisp {

struct TensorDecodeOptions {
  // When set, raw data that is suitably aligned is used in place and kept alive by `owner`
  // (the model's file bytes); otherwise it is copied.
  std::shared_ptr<const void> owner;
  // Folder for external data; empty refuses external data.
  std::string base_dir;
  Limits limits;
};

struct DecodedTensor {
  std::string name;
  Tensor tensor;
};

// `data`/`size` is one serialized TensorProto.
Result<DecodedTensor> decode_tensor_proto(const char* data, size_t size, const TensorDecodeOptions& options);

// The same for callers that only want the tensor (the conformance runner's .pb files). With
// default options the values are always copied, so `data` may be released afterwards.
Result<Tensor> parse_tensor_proto(const uint8_t* data, size_t size, const TensorDecodeOptions& options = {});

// A serialized value of the given kind: a TensorProto, a SequenceProto of tensors, or an
// OptionalProto (of a tensor or a sequence). `element_type` types an empty sequence.
Result<Value> parse_value_proto(const uint8_t* data, size_t size, ValueKind kind, DType element_type);

}  // namespace wisp
