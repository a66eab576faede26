// Helpers shared by the shape / data-movement operators. These ops never look at element
// values (except indices), so they move bytes by element size; string tensors, which keep
// their elements as std::string objects, go through the same helpers.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/ops/op.h"

namespace wisp::shape_ops {

// Copies runs of elements from one tensor into another of the same dtype.
class ElementCopier {
 public:
  ElementCopier(Tensor& dst, const Tensor& src)
      : elem_(dtype_size(src.dtype())),
        dst_(static_cast<char*>(dst.raw_data())),
        src_(static_cast<const char*>(src.raw_data())),
        dst_s_(dst.strings()),
        src_s_(src.strings()) {}

  size_t element_size() const { return elem_; }
  bool is_string() const { return elem_ == 0; }

  // dst[d .. d+n) = src[s .. s+n)
  void copy(int64_t d, int64_t s, int64_t n) const {
    if (n <= 0) return;
    if (elem_) {
      std::memcpy(dst_ + d * int64_t(elem_), src_ + s * int64_t(elem_), size_t(n) * elem_);
    } else {
      for (int64_t k = 0; k < n; ++k) dst_s_[d + k] = src_s_[s + k];
    }
  }
  // dst[d .. d+n) = dst[s .. s+n) within the destination (ranges must not overlap).
  void copy_within(int64_t d, int64_t s, int64_t n) const {
    if (n <= 0) return;
    if (elem_) {
      std::memcpy(dst_ + d * int64_t(elem_), dst_ + s * int64_t(elem_), size_t(n) * elem_);
    } else {
      for (int64_t k = 0; k < n; ++k) dst_s_[d + k] = dst_s_[s + k];
    }
  }
  // dst[d] = src[s], with a fixed-size copy for the common element sizes.
  void copy_one(int64_t d, int64_t s) const {
    switch (elem_) {
      case 1: dst_[d] = src_[s]; return;
      case 2: std::memcpy(dst_ + d * 2, src_ + s * 2, 2); return;
      case 4: std::memcpy(dst_ + d * 4, src_ + s * 4, 4); return;
      case 8: std::memcpy(dst_ + d * 8, src_ + s * 8, 8); return;
      case 0: dst_s_[d] = src_s_[s]; return;
      default: std::memcpy(dst_ + d * int64_t(elem_), src_ + s * int64_t(elem_), elem_);
    }
  }

 private:
  size_t elem_;
  char* dst_;
  const char* src_;
  std::string* dst_s_;
  const std::string* src_s_;
};

// dst[offset .. offset+count) = value[0] repeated (value is a one-element tensor of dst's dtype).
void fill_with(Tensor& dst, int64_t offset, int64_t count, const Tensor& value);

// Writes the elements of `src` reached by walking `out_shape` with `src_strides` (in elements,
// may be 0 for broadcast or negative for reversed walks) from `src_offset` into the contiguous
// tensor `dst`. Serves Transpose, Slice, Expand and friends. Runs on `threads` when large.
void strided_copy(Tensor& dst, const Tensor& src, const Shape& out_shape, std::vector<int64_t> src_strides,
                  int64_t src_offset, ThreadPool* threads);

// Reads an integer tensor (shape-like input) as int64 values, naming `what` on failure.
Result<std::vector<int64_t>> read_int64s(const Tensor& t, const char* what);

// Reads an optional integer input: `fallback` when it is missing.
Result<std::vector<int64_t>> optional_int64s(const OpContext& ctx, size_t i, const char* what,
                                            std::vector<int64_t> fallback = {});

// Normalises each axis against `rank`, rejecting duplicates.
Result<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank);

// Product of dims in [begin, end).
inline int64_t dims_product(const Shape& shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end && i < shape.size(); ++i) n *= shape[i];
  return n;
}

// Index of the element at `index` (possibly negative) along an axis of `extent`, or an error.
inline Result<int64_t> checked_index(int64_t index, int64_t extent, const char* what) {
  if (index < -extent || index >= extent) {
    return invalid_argument(what, " index ", index, " is out of range for an axis of size ", extent);
  }
  return index < 0 ? index + extent : index;
}

}  // namespace wisp::shape_ops

namespace wisp::shape_ops {

// Stores `value` converted to the tensor's numeric dtype at flat index `i`.
void set_from_double(Tensor& t, int64_t i, double value);

}  // namespace wisp::shape_ops
