// Helpers shared by the nn and reduce kernels: element load/store through an arithmetic type
// (so one template serves float, double, float16 and bfloat16), dtype dispatch, and small
// attribute/axis utilities.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/ops/op.h"

namespace wisp::nn {

// Element access for kernels: `Acc` is the type arithmetic happens in. Half types compute in
// float; everything else computes in its own type.
template <typename T>
struct FloatIO {
  using Acc = T;
  static Acc load(T v) { return v; }
  static T store(Acc v) { return v; }
};
template <>
struct FloatIO<Float16> {
  using Acc = float;
  static float load(Float16 v) { return half_to_float(v.bits); }
  static Float16 store(float v) { return Float16{float_to_half(v)}; }
};
template <>
struct FloatIO<BFloat16> {
  using Acc = float;
  static float load(BFloat16 v) { return bfloat16_to_float(v.bits); }
  static BFloat16 store(float v) { return BFloat16{float_to_bfloat16(v)}; }
};

// Calls fn(T{}) for the floating dtypes; fails naming `what` for anything else.
template <typename Fn>
Status visit_float(DType dtype, const char* what, Fn&& fn) {
  switch (dtype) {
    case DType::Float32: return fn(float{});
    case DType::Float64: return fn(double{});
    case DType::Float16: return fn(Float16{});
    case DType::BFloat16: return fn(BFloat16{});
    default:
      return invalid_argument(what, " must be a float tensor (float32, float64, float16, bfloat16), got ",
                              dtype_name(dtype));
  }
}

// Calls fn(T{}) for the floating and integer dtypes (not bool/string).
template <typename Fn>
Status visit_numeric(DType dtype, const char* what, Fn&& fn) {
  switch (dtype) {
    case DType::Float32: return fn(float{});
    case DType::Float64: return fn(double{});
    case DType::Float16: return fn(Float16{});
    case DType::BFloat16: return fn(BFloat16{});
    case DType::Int8: return fn(int8_t{});
    case DType::Int16: return fn(int16_t{});
    case DType::Int32: return fn(int32_t{});
    case DType::Int64: return fn(int64_t{});
    case DType::UInt8: return fn(uint8_t{});
    case DType::UInt16: return fn(uint16_t{});
    case DType::UInt32: return fn(uint32_t{});
    case DType::UInt64: return fn(uint64_t{});
    default:
      return invalid_argument(what, " must be a numeric tensor, got ", dtype_name(dtype));
  }
}

// Reads a float-typed tensor (any float dtype) into a vector of float.
inline std::vector<float> to_float_vector(const Tensor& t) {
  std::vector<float> out(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) out[size_t(i)] = float(t.get_as_double(i));
  return out;
}

// Product of dims in [begin, end).
inline int64_t product(const Shape& shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end && i < shape.size(); ++i) n *= shape[i];
  return n;
}

// Minimum chunk for parallel loops: aim for roughly `work_per_chunk` scalar ops per task.
inline int64_t chunk_for(int64_t cost_per_item, int64_t work_per_chunk = 1 << 14) {
  if (cost_per_item <= 0) cost_per_item = 1;
  int64_t c = work_per_chunk / cost_per_item;
  return c < 1 ? 1 : c;
}

}  // namespace wisp::nn
