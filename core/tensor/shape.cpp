#include "core/tensor/shape.h"

#include <algorithm>

namespace wisp {

Result<int64_t> checked_numel(const Shape& shape, int64_t max_elements) {
  int64_t n = 1, nonzero = 1;
  for (int64_t d : shape) {
    if (d < 0) return invalid_argument("negative dimension ", d, " in shape ", shape_to_string(shape));
    if (d == 0) {
      n = 0;
      continue;
    }
    if (!checked_mul(nonzero, d, &nonzero) || nonzero > max_elements) {
      return make_error(ErrorCode::ResourceExhausted, "shape ", shape_to_string(shape),
                        " is too large: its extents multiply to more than ", max_elements,
                        " elements (Limits::max_tensor_elements)");
    }
    n = n == 0 ? 0 : nonzero;
  }
  return n;
}

Result<size_t> checked_byte_size(int64_t count, size_t element_size) {
  if (count < 0) return invalid_argument("negative element count ", count);
  size_t bytes = 0;
  if (__builtin_mul_overflow(uint64_t(count), uint64_t(element_size), &bytes)) {
    return make_error(ErrorCode::ResourceExhausted, count, " elements of ", element_size,
                      " bytes do not fit in this platform's address space");
  }
  return bytes;
}

int64_t numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::vector<int64_t> contiguous_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Result<int64_t> normalize_axis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    return invalid_argument("axis ", axis, " is out of range for rank ", rank);
  }
  return axis < 0 ? axis + rank : axis;
}

Result<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return invalid_argument("shapes ", shape_to_string(a), " and ", shape_to_string(b),
                              " cannot be broadcast together");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace wisp
