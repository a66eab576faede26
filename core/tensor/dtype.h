// Element types. The numeric values are ONNX's TensorProto.DataType codes so that
// loaders can map them directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace wisp {

enum class DType : int32_t {
  Undefined = 0,
  Float32 = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Float64 = 11,
  UInt32 = 12,
  UInt64 = 13,
  BFloat16 = 16,
};

// Size of one element in bytes; 0 for Undefined and String (strings are stored as objects).
size_t dtype_size(DType dtype);
// Short lower-case name as used in the CLI, npy and JS API: "float32", "int64", ...
const char* dtype_name(DType dtype);
// Parses dtype_name() output; returns Undefined for an unknown name.
DType dtype_from_name(const std::string& name);
// True for codes this build understands (used to validate untrusted input).
bool dtype_is_known(int32_t code);
bool dtype_is_float(DType dtype);    // float16, bfloat16, float32, float64
bool dtype_is_integer(DType dtype);  // signed and unsigned integers (not bool)

// IEEE half and bfloat16 are stored as raw 16-bit patterns; arithmetic happens in float.
struct Float16 { uint16_t bits; };
struct BFloat16 { uint16_t bits; };

float half_to_float(uint16_t bits);
uint16_t float_to_half(float value);  // round to nearest even
inline float bfloat16_to_float(uint16_t bits) {
  uint32_t u = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint16_t float_to_bfloat16(float value);  // round to nearest even

// Maps a C++ element type to its DType.
template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::Float32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::Float64; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::Int8; };
template <> struct DTypeOf<int16_t> { static constexpr DType value = DType::Int16; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::UInt16; };
template <> struct DTypeOf<uint32_t> { static constexpr DType value = DType::UInt32; };
template <> struct DTypeOf<uint64_t> { static constexpr DType value = DType::UInt64; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::Bool; };
template <> struct DTypeOf<Float16> { static constexpr DType value = DType::Float16; };
template <> struct DTypeOf<BFloat16> { static constexpr DType value = DType::BFloat16; };
template <> struct DTypeOf<std::string> { static constexpr DType value = DType::String; };

// Calls fn(T{}) with T the C++ type of `dtype` (numeric types and bool, not string).
// Returns false when the dtype is not numeric.
template <typename Fn>
bool visit_numeric_dtype(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::Float32: fn(float{}); return true;
    case DType::Float64: fn(double{}); return true;
    case DType::Int8: fn(int8_t{}); return true;
    case DType::Int16: fn(int16_t{}); return true;
    case DType::Int32: fn(int32_t{}); return true;
    case DType::Int64: fn(int64_t{}); return true;
    case DType::UInt8: fn(uint8_t{}); return true;
    case DType::UInt16: fn(uint16_t{}); return true;
    case DType::UInt32: fn(uint32_t{}); return true;
    case DType::UInt64: fn(uint64_t{}); return true;
    case DType::Bool: fn(bool{}); return true;
    case DType::Float16: fn(Float16{}); return true;
    case DType::BFloat16: fn(BFloat16{}); return true;
    default: return false;
  }
}

}  // namespace wisp
