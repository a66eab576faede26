// Core exports of wasi:nn/tensor: the tensor resource's constructor, methods and destructor.
#include "wasi/component/abi_resources.h"

using namespace wisp;
using wisp::abi::List;
using wisp::abi::TensorResource;

// constructor(dimensions: list<u32>, ty: tensor-type, data: list<u8>) -> own<tensor>.
// Both lists were allocated in our memory through cabi_realloc and are now ours: the
// dimensions are copied and freed, the data is adopted as it is (no copy of the bytes).
WISP_ABI_EXPORT("tensor", "[constructor]tensor")
abi::Handle wisp_abi_tensor_constructor(uint32_t* dims, uint32_t dims_len, int32_t type, uint8_t* data, uint32_t data_len) {
  auto tensor = std::make_unique<nn::Tensor>();
  tensor->dims.assign(dims, dims + dims_len);
  abi::release(dims);
  // Kept as given; compute() refuses types it cannot take with an error (the constructor
  // has no way to return one).
  tensor->type = static_cast<nn::TensorType>(type);
  tensor->data = nn::Bytes{data, data_len, abi::adopt(data)};
  return TensorResource::own(std::move(tensor));
}

// dimensions: func() -> list<u32>, returned through the return area.
WISP_ABI_EXPORT("tensor", "[method]tensor.dimensions")
uint8_t* wisp_abi_tensor_dimensions(int32_t self) {
  const nn::Tensor& tensor = *TensorResource::from_rep(self);
  auto* out = reinterpret_cast<List<uint32_t>*>(abi::return_area());
  *out = abi::copy_out(tensor.dims.data(), tensor.dims.size());
  return abi::return_area();
}

WISP_ABI_POST_RETURN("tensor", "[method]tensor.dimensions")
void wisp_abi_tensor_dimensions_post(uint8_t* area) { abi::release(reinterpret_cast<List<uint32_t>*>(area)->ptr); }

// ty: func() -> tensor-type (an enum: one i32).
WISP_ABI_EXPORT("tensor", "[method]tensor.ty")
int32_t wisp_abi_tensor_ty(int32_t self) { return static_cast<int32_t>(TensorResource::from_rep(self)->type); }

// data: func() -> list<u8>: a copy, since the caller frees what it gets.
WISP_ABI_EXPORT("tensor", "[method]tensor.data")
uint8_t* wisp_abi_tensor_data(int32_t self) {
  const nn::Tensor& tensor = *TensorResource::from_rep(self);
  auto* out = reinterpret_cast<List<uint8_t>*>(abi::return_area());
  *out = abi::copy_out(tensor.data.data, tensor.data.size);
  return abi::return_area();
}

WISP_ABI_POST_RETURN("tensor", "[method]tensor.data")
void wisp_abi_tensor_data_post(uint8_t* area) { abi::release(reinterpret_cast<List<uint8_t>*>(area)->ptr); }

WISP_ABI_EXPORT("tensor", "[dtor]tensor")
void wisp_abi_tensor_dtor(int32_t rep) { TensorResource::destroy(rep); }
