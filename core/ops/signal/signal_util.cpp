// Input and attribute readers shared by the signal operators.
#include "core/ops/signal/signal_ops.h"

namespace wisp::signal_ops {

Result<int64_t> read_scalar_int(const Tensor& t, const char* what) {
  WISP_CHECK_ARG(t.dtype() == DType::Int64 || t.dtype() == DType::Int32, what,
                 " must be an int32 or int64 scalar, got ", t.describe());
  WISP_CHECK_ARG(t.numel() == 1 && t.rank() <= 1, what, " must be a scalar, got ", t.describe());
  return t.get_as_int64(0);
}

Result<DType> read_output_datatype(const Node& node) {
  WISP_ASSIGN_OR_RETURN(int64_t code, node.attr_int("output_datatype", int64_t(DType::Float32)));
  WISP_CHECK_ARG(code >= 0 && code <= INT32_MAX && dtype_is_known(int32_t(code)),
                 "output_datatype ", code, " is not a known tensor type");
  DType dtype = DType(int32_t(code));
  WISP_CHECK_ARG(dtype_is_float(dtype) || dtype_is_integer(dtype), "output_datatype must be a numeric type, got ",
                 dtype_name(dtype));
  return dtype;
}

}  // namespace wisp::signal_ops
