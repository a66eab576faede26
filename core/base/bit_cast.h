// std::bit_cast for every toolchain: Emscripten 3.1.6's libc++ does not have it yet, while
// the compiler builtin behind it exists in all supported clang and gcc versions.
#pragma once

namespace wisp {

template <typename To, typename From>
constexpr To bit_cast(const From& from) {
  static_assert(sizeof(To) == sizeof(From), "bit_cast needs types of the same size");
  return __builtin_bit_cast(To, from);
}

}  // namespace wisp
