// Compile-time helpers shared by the elementwise kernels: dtype categories, the type that
// arithmetic happens in (float for the 16-bit floats), typed element access and a dtype
// visitor that includes strings.
#pragma once

#include <string>
#include <limits>
#include <type_traits>

#include "core/tensor/tensor.h"

namespace wisp::elementwise {

template <typename T>
inline constexpr bool is_half_v = std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;
template <typename T>
inline constexpr bool is_float_v = std::is_floating_point_v<T> || is_half_v<T>;
template <typename T>
inline constexpr bool is_int_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <typename T>
inline constexpr bool is_signed_int_v = is_int_v<T> && std::is_signed_v<T>;
template <typename T>
inline constexpr bool is_unsigned_int_v = is_int_v<T> && std::is_unsigned_v<T>;
template <typename T>
inline constexpr bool is_number_v = is_float_v<T> || is_int_v<T>;
template <typename T>
inline constexpr bool is_signed_number_v = is_float_v<T> || is_signed_int_v<T>;
template <typename T>
inline constexpr bool is_bool_v = std::is_same_v<T, bool>;
template <typename T>
inline constexpr bool is_string_v = std::is_same_v<T, std::string>;

// Arith<T>: the type values of T are computed in, with load/store conversions. Identity for
// everything except float16/bfloat16, which compute in float (the loops stay vectorisable for
// the common float32 case because load/store are no-ops there).
template <typename T>
struct Arith {
  using type = T;
  static T load(T v) { return v; }
  static T store(T v) { return v; }
};
template <>
struct Arith<Float16> {
  using type = float;
  static float load(Float16 v) { return half_to_float(v.bits); }
  static Float16 store(float v) { return Float16{float_to_half(v)}; }
};
template <>
struct Arith<BFloat16> {
  using type = float;
  static float load(BFloat16 v) { return bfloat16_to_float(v.bits); }
  static BFloat16 store(float v) { return BFloat16{float_to_bfloat16(v)}; }
};
template <typename T>
using arith_t = typename Arith<T>::type;

// Typed element pointers (strings live in a separate array inside Tensor).
template <typename T>
T* elems(Tensor& t) {
  if constexpr (is_string_v<T>) return t.strings();
  else return t.template data<T>();
}
template <typename T>
const T* elems(const Tensor& t) {
  if constexpr (is_string_v<T>) return t.strings();
  else return t.template data<T>();
}

// visit_numeric_dtype plus std::string for DType::String.
template <typename Fn>
bool visit_any_dtype(DType dtype, Fn&& fn) {
  if (dtype == DType::String) {
    fn(std::string{});
    return true;
  }
  return visit_numeric_dtype(dtype, fn);
}

// Integer arithmetic that wraps instead of overflowing (signed overflow is UB in C++, and
// small unsigned types promote to int, where e.g. 65535 * 65535 would overflow).
template <typename A>
using wrap_unsigned_t = std::conditional_t<(sizeof(A) < sizeof(unsigned)), unsigned, std::make_unsigned_t<A>>;

template <typename A>
inline A wrap_add(A a, A b) {
  if constexpr (is_int_v<A>) return A(wrap_unsigned_t<A>(a) + wrap_unsigned_t<A>(b));
  else return a + b;
}
template <typename A>
inline A wrap_sub(A a, A b) {
  if constexpr (is_int_v<A>) return A(wrap_unsigned_t<A>(a) - wrap_unsigned_t<A>(b));
  else return a - b;
}
template <typename A>
inline A wrap_mul(A a, A b) {
  if constexpr (is_int_v<A>) return A(wrap_unsigned_t<A>(a) * wrap_unsigned_t<A>(b));
  else return a * b;
}

}  // namespace wisp::elementwise

namespace wisp::elementwise {

// Float to integer conversion that cannot trap (WebAssembly traps on out-of-range
// truncation): NaN becomes 0, out-of-range values clamp to the integer type's limits.
template <typename I, typename F>
inline I saturate_cast(F value) {
  static_assert(std::is_integral_v<I> && std::is_floating_point_v<F>);
  if (value != value) return I(0);
  // The limits rounded to F can be one past the true limit (2^63 for int64), so compare with >=.
  constexpr F lo = F(std::numeric_limits<I>::min());
  constexpr F hi = F(std::numeric_limits<I>::max());
  if (value <= lo) return std::numeric_limits<I>::min();
  if (value >= hi) return std::numeric_limits<I>::max();
  return I(value);
}

}  // namespace wisp::elementwise
