// Tensor shapes: a small vector of non-negative extents, with overflow-checked arithmetic.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/base/status.h"

namespace wisp {

using Shape = std::vector<int64_t>;

// Overflow-checked arithmetic for sizes derived from untrusted shapes and attributes: every
// op, loader and shape rule computes extents, counts, strides and byte sizes through these
// rather than with bare `*` and `+`. They return false (leaving `*out` unspecified) on
// overflow of int64.
inline bool checked_mul(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }
inline bool checked_add(int64_t a, int64_t b, int64_t* out) { return !__builtin_add_overflow(a, b, out); }

// Number of elements, or an error when an extent is negative or the product overflows
// `max_elements` (so a hostile shape fails before anything is allocated). The non-zero
// extents must also multiply to at most `max_elements`: an empty tensor of shape
// [0, 2^40, 2^40] would otherwise pass and overflow the strides computed from it.
Result<int64_t> checked_numel(const Shape& shape, int64_t max_elements = INT64_MAX);
// Bytes of `count` elements of `element_size` bytes, or an error when that does not fit in
// size_t (a real concern on wasm32, where size_t has 32 bits).
Result<size_t> checked_byte_size(int64_t count, size_t element_size);
// Number of elements of a shape already known valid.
int64_t numel(const Shape& shape);
// Row-major strides in elements.
std::vector<int64_t> contiguous_strides(const Shape& shape);
// "[1, 3, 224, 224]"
std::string shape_to_string(const Shape& shape);
// Normalises a possibly negative axis against `rank`; fails when out of range.
Result<int64_t> normalize_axis(int64_t axis, int64_t rank);
// Numpy-style broadcast of two shapes; fails with a message naming both shapes.
Result<Shape> broadcast_shapes(const Shape& a, const Shape& b);

}  // namespace wisp
