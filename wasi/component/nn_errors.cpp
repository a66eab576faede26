// Wisp's Status -> the wasi-nn `error` resource, and the tensor-type table.
#include "wasi/component/nn_api.h"

namespace wisp::nn {

// `model_error_code` is what a malformed model means where the call happens: an invalid
// encoding while loading, a runtime error once the graph is running.
Error error_from_status(const Status& status, ErrorCode model_error_code) {
  ErrorCode code = ErrorCode::Unknown;
  switch (status.code()) {
    case wisp::ErrorCode::Ok: code = ErrorCode::Unknown; break;  // callers never pass Ok
    case wisp::ErrorCode::InvalidArgument: code = ErrorCode::InvalidArgument; break;
    case wisp::ErrorCode::InvalidModel: code = model_error_code; break;
    case wisp::ErrorCode::Unsupported: code = ErrorCode::UnsupportedOperation; break;
    case wisp::ErrorCode::NotFound: code = ErrorCode::NotFound; break;
    case wisp::ErrorCode::ResourceExhausted: code = ErrorCode::TooLarge; break;
    case wisp::ErrorCode::Internal: code = ErrorCode::RuntimeError; break;
  }
  return Error{code, status.message()};
}

// BF16 is in the WIT's enum but not among the input types this component accepts.
size_t tensor_type_size(TensorType type) {
  switch (type) {
    case TensorType::FP16: return 2;
    case TensorType::FP32: return 4;
    case TensorType::FP64: return 8;
    case TensorType::U8: return 1;
    case TensorType::I32: return 4;
    case TensorType::I64: return 8;
    case TensorType::BF16: return 0;
  }
  return 0;
}

}  // namespace wisp::nn
