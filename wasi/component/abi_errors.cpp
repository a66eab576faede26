// Core exports of wasi:nn/errors: the error resource's methods and destructor.
#include "wasi/component/abi_resources.h"

using namespace wisp;
using wisp::abi::ErrorResource;

// code: func() -> error-code (an enum: one i32).
WISP_ABI_EXPORT("errors", "[method]error.code")
int32_t wisp_abi_error_code(int32_t self) { return static_cast<int32_t>(ErrorResource::from_rep(self)->code); }

// data: func() -> string (Wisp's message, UTF-8), through the return area.
WISP_ABI_EXPORT("errors", "[method]error.data")
uint8_t* wisp_abi_error_data(int32_t self) {
  const nn::Error& error = *ErrorResource::from_rep(self);
  auto* out = reinterpret_cast<abi::String*>(abi::return_area());
  *out = abi::copy_out(error.data.data(), error.data.size());
  return abi::return_area();
}

WISP_ABI_POST_RETURN("errors", "[method]error.data")
void wisp_abi_error_data_post(uint8_t* area) { abi::release(reinterpret_cast<abi::String*>(area)->ptr); }

WISP_ABI_EXPORT("errors", "[dtor]error")
void wisp_abi_error_dtor(int32_t rep) { ErrorResource::destroy(rep); }
