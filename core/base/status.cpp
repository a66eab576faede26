#include "core/base/status.h"

namespace wisp {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::Ok: return "ok";
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::InvalidModel: return "invalid model";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::NotFound: return "not found";
    case ErrorCode::ResourceExhausted: return "resource exhausted";
    case ErrorCode::Internal: return "internal error";
  }
  return "unknown error";
}

}  // namespace wisp
