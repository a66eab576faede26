// The quantization operators (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear) and the
// helpers they share: how scale / zero-point values map onto the elements of x, and the
// saturating round-half-to-even conversion ONNX specifies.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/ops/op.h"

namespace wisp::quantize {

void register_quantize_linear_ops(OpRegistry& registry);          // QuantizeLinear, DequantizeLinear
void register_dynamic_quantize_linear_ops(OpRegistry& registry);  // DynamicQuantizeLinear

// x viewed as [outer, n, inner] around the quantization axis, and which scale / zero-point
// element serves each position: one for the whole tensor, one per index along the axis, or
// (opset 21 blocked quantization) one per `block` consecutive indices along the axis.
struct QuantLayout {
  enum class Mode { PerTensor, PerAxis, Blocked };
  Mode mode = Mode::PerTensor;
  int64_t outer = 1, n = 1, inner = 1;
  int64_t block = 0;   // Blocked only: block size along the axis
  int64_t blocks = 1;  // Blocked only: ceil(n / block), the scale's extent along the axis

  int64_t param_index(int64_t o, int64_t k, int64_t i) const {
    switch (mode) {
      case Mode::PerTensor: return 0;
      case Mode::PerAxis: return k;
      case Mode::Blocked: return (o * blocks + k / block) * inner + i;
    }
    return 0;
  }
};

// Checks the scale (and the optional zero point, which must have the scale's shape) against x
// and works out the layout. `axis` and `block_size` are the node's attributes.
Result<QuantLayout> quant_layout(const Shape& x, const Tensor& scale, const Tensor* zero_point, int64_t axis,
                                 int64_t block_size);

// Calls fn(T{}) for the integer types a quantized tensor may have (the types Wisp can hold:
// uint8, int8, uint16, int16, and int32 when `allow_int32`); fails naming `what` otherwise.
template <typename Fn>
Status visit_quantized(DType dtype, bool allow_int32, const char* what, Fn&& fn) {
  switch (dtype) {
    case DType::UInt8: return fn(uint8_t{});
    case DType::Int8: return fn(int8_t{});
    case DType::UInt16: return fn(uint16_t{});
    case DType::Int16: return fn(int16_t{});
    case DType::Int32:
      if (allow_int32) return fn(int32_t{});
      break;
    default: break;
  }
  return invalid_argument(what, " has unsupported type ", dtype_name(dtype), ", expected uint8, int8, uint16, int16",
                          allow_int32 ? " or int32" : "");
}

// saturate(round_half_even(v) + zero_point) in [lo, hi], where v is x / scale. A NaN v has
// no value: it is treated as 0 (converting NaN to an integer would be undefined behaviour).
inline int64_t quantize_value(double v, int64_t zero_point, int64_t lo, int64_t hi) {
  if (std::isnan(v)) v = 0;
  v = std::nearbyint(v) + double(zero_point);  // the default rounding mode rounds half to even
  if (v <= double(lo)) return lo;
  if (v >= double(hi)) return hi;
  return int64_t(v);
}

}  // namespace wisp::quantize
