#include "core/tensor/tensor.h"

#include <cstring>

namespace wisp {

Result<Tensor> Tensor::empty(DType dtype, Shape shape, Allocator& alloc, int64_t max_elements) {
  if (dtype == DType::Undefined) return invalid_argument("cannot allocate a tensor of undefined dtype");
  WISP_ASSIGN_OR_RETURN(int64_t n, checked_numel(shape, max_elements));
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numel_ = n;
  if (dtype == DType::String) {
    t.strings_ = std::make_shared<std::vector<std::string>>(size_t(n));
    return t;
  }
  Result<size_t> bytes = checked_byte_size(n, dtype_size(dtype));
  if (!bytes) return bytes.status().with_context(t.describe() + ": ");
  Result<std::shared_ptr<Storage>> storage = alloc.try_allocate(bytes.value());
  if (!storage) return storage.status().with_context(t.describe() + ": ");
  t.storage_ = std::move(storage.value());
  return t;
}

Result<Tensor> Tensor::zeros(DType dtype, Shape shape, Allocator& alloc) {
  WISP_ASSIGN_OR_RETURN(Tensor t, empty(dtype, std::move(shape), alloc));
  if (t.raw_data()) std::memset(t.raw_data(), 0, t.nbytes());
  return t;
}

Tensor Tensor::borrow(DType dtype, Shape shape, void* data, std::shared_ptr<const void> owner) {
  Tensor t;
  t.dtype_ = dtype;
  t.numel_ = wisp::numel(shape);
  t.shape_ = std::move(shape);
  t.storage_ = std::make_shared<Storage>(data, t.nbytes(), std::move(owner));
  return t;
}

Tensor Tensor::from_strings(Shape shape, std::vector<std::string> values) {
  Tensor t;
  t.dtype_ = DType::String;
  t.numel_ = wisp::numel(shape);
  t.shape_ = std::move(shape);
  t.strings_ = std::make_shared<std::vector<std::string>>(std::move(values));
  t.strings_->resize(size_t(t.numel_));
  return t;
}

Result<Tensor> Tensor::reshaped(Shape shape) const {
  WISP_ASSIGN_OR_RETURN(int64_t n, checked_numel(shape));
  if (n != numel_) {
    return invalid_argument("cannot reshape ", describe(), " to ", shape_to_string(shape), ": ",
                            numel_, " elements vs ", n);
  }
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::slice_view(int64_t start_element, Shape shape) const {
  Tensor t = *this;
  t.numel_ = wisp::numel(shape);
  t.shape_ = std::move(shape);
  t.offset_ += dtype_ == DType::String ? size_t(start_element) : size_t(start_element) * dtype_size(dtype_);
  return t;
}

Result<Tensor> Tensor::clone(Allocator& alloc) const {
  WISP_ASSIGN_OR_RETURN(Tensor t, empty(dtype_, shape_, alloc));
  if (dtype_ == DType::String) {
    for (int64_t i = 0; i < numel_; ++i) t.strings()[i] = strings()[i];
  } else if (nbytes()) {
    std::memcpy(t.raw_data(), raw_data(), nbytes());
  }
  return t;
}

double Tensor::get_as_double(int64_t i) const {
  double out = 0;
  visit_numeric_dtype(dtype_, [&](auto tag) {
    using T = decltype(tag);
    const T v = data<T>()[i];
    if constexpr (std::is_same_v<T, Float16>) out = half_to_float(v.bits);
    else if constexpr (std::is_same_v<T, BFloat16>) out = bfloat16_to_float(v.bits);
    else out = double(v);
  });
  return out;
}

int64_t Tensor::get_as_int64(int64_t i) const {
  int64_t out = 0;
  visit_numeric_dtype(dtype_, [&](auto tag) {
    using T = decltype(tag);
    const T v = data<T>()[i];
    if constexpr (std::is_same_v<T, Float16>) out = int64_t(half_to_float(v.bits));
    else if constexpr (std::is_same_v<T, BFloat16>) out = int64_t(bfloat16_to_float(v.bits));
    else out = int64_t(v);
  });
  return out;
}

Result<std::vector<int64_t>> Tensor::to_int64_vector() const {
  if (!dtype_is_integer(dtype_)) {
    return invalid_argument("expected an integer tensor, got ", describe());
  }
  std::vector<int64_t> out(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) out[size_t(i)] = get_as_int64(i);
  return out;
}

std::string Tensor::describe() const { return std::string(dtype_name(dtype_)) + shape_to_string(shape_); }

}  // namespace wisp
