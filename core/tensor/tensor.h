// A Tensor is a dtype, a shape and a reference to storage. Tensors are always contiguous
// (row-major); reshape-like ops return views that share storage at a byte offset.
// Copying a Tensor copies the reference, not the data (use clone() for a deep copy).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/tensor/dtype.h"
#include "core/tensor/shape.h"
#include "core/tensor/storage.h"

namespace wisp {

// Upper bound on the elements of any tensor Wisp allocates; stops hostile shapes early.
// Adjustable through Limits (see core/runtime/limits.h).
constexpr int64_t kDefaultMaxTensorElements = int64_t(1) << 32;

class Tensor {
 public:
  Tensor() = default;

  // Allocates an uninitialised tensor; fails on a negative or oversized shape or OOM.
  static Result<Tensor> empty(DType dtype, Shape shape, Allocator& alloc = heap_allocator(),
                              int64_t max_elements = kDefaultMaxTensorElements);
  // Allocates a zero-filled tensor.
  static Result<Tensor> zeros(DType dtype, Shape shape, Allocator& alloc = heap_allocator());
  // Wraps existing memory kept alive by `owner` (no copy). `data` must hold numel*size bytes.
  static Tensor borrow(DType dtype, Shape shape, void* data, std::shared_ptr<const void> owner);
  // Convenience for tests and tools: a tensor holding a copy of `values`.
  template <typename T>
  static Tensor from_vector(Shape shape, const std::vector<T>& values);
  static Tensor scalar_of(float value) { return from_vector<float>({}, {value}); }
  static Tensor from_strings(Shape shape, std::vector<std::string> values);

  bool defined() const { return dtype_ != DType::Undefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return int64_t(shape_.size()); }
  int64_t dim(int64_t axis) const { return shape_[size_t(axis < 0 ? axis + rank() : axis)]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return size_t(numel_) * dtype_size(dtype_); }
  std::vector<int64_t> strides() const { return contiguous_strides(shape_); }

  void* raw_data() { return storage_ ? static_cast<char*>(storage_->data()) + offset_ : nullptr; }
  const void* raw_data() const {
    return storage_ ? static_cast<const char*>(storage_->data()) + offset_ : nullptr;
  }
  template <typename T> T* data() { return static_cast<T*>(raw_data()); }
  template <typename T> const T* data() const { return static_cast<const T*>(raw_data()); }
  std::string* strings() { return strings_ ? strings_->data() + offset_ : nullptr; }
  const std::string* strings() const { return strings_ ? strings_->data() + offset_ : nullptr; }

  // A view with another shape of the same element count (no copy).
  Result<Tensor> reshaped(Shape shape) const;
  // A view of `count` elements starting at element `start` along the flattened data, with `shape`.
  Tensor slice_view(int64_t start_element, Shape shape) const;
  // Deep copy into fresh storage.
  Result<Tensor> clone(Allocator& alloc = heap_allocator()) const;
  // True when no other Tensor shares this storage (lets ops run in place).
  bool is_unique() const { return storage_ ? storage_.use_count() == 1 : strings_.use_count() == 1; }
  const std::shared_ptr<Storage>& storage() const { return storage_; }

  // Element `i` of the flattened tensor converted to double / int64 (any numeric dtype).
  double get_as_double(int64_t i) const;
  int64_t get_as_int64(int64_t i) const;
  // The tensor's values as int64 (any integer dtype); used for shape-like inputs.
  Result<std::vector<int64_t>> to_int64_vector() const;

  std::string describe() const;  // "float32[1, 3, 224, 224]"

 private:
  DType dtype_ = DType::Undefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<Storage> storage_;
  std::shared_ptr<std::vector<std::string>> strings_;  // only for DType::String
  size_t offset_ = 0;  // in bytes for numeric storage, in elements for strings
};

template <typename T>
Tensor Tensor::from_vector(Shape shape, const std::vector<T>& values) {
  Tensor t = empty(DTypeOf<T>::value, std::move(shape)).value();
  if constexpr (std::is_same_v<T, bool>) {
    for (size_t i = 0; i < values.size(); ++i) t.data<bool>()[i] = values[i];
  } else if (!values.empty()) {  // memcpy from an empty vector's null data() is undefined
    std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(T));
  }
  return t;
}

}  // namespace wisp
