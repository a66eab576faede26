// Tensor shapes: a small vector of non-negative extents, with overflow-checked arithmetic.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/base/status.h"

namespace wisp {

using Shape = std::vector<int64_t>;

// Number of elements, or an error when an extent is negative or the product overflows
// `max_elements` (so a hostile shape fails before anything is allocated).
Result<int64_t> checked_numel(const Shape& shape, int64_t max_elements = INT64_MAX);
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
