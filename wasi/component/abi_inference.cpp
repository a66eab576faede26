// Core exports of wasi:nn/inference: the graph-execution-context resource.
#include <string>
#include <vector>

#include "wasi/component/abi_resources.h"

using namespace wisp;
using wisp::abi::ContextResource;
using wisp::abi::ErrorResource;
using wisp::abi::List;
using wisp::abi::NamedHandle;
using wisp::abi::TensorResource;

// compute(inputs: list<named-tensor>) -> result<list<named-tensor>, own<error>>.
// The input tensors are own<tensor> handles: they are read in place and dropped (which runs
// the tensor destructor) once the run is over, whatever its outcome.
WISP_ABI_EXPORT("inference", "[method]graph-execution-context.compute")
uint8_t* wisp_abi_context_compute(int32_t self, NamedHandle* inputs, uint32_t count) {
  std::vector<nn::NamedInput> named;
  for (uint32_t i = 0; i < count; ++i) {
    named.emplace_back(std::string(inputs[i].name.ptr, inputs[i].name.len), TensorResource::rep(inputs[i].tensor));
    abi::release(inputs[i].name.ptr);
  }
  nn::Outcome<std::vector<nn::NamedOutput>> outcome = nn::compute(*ContextResource::from_rep(self), named);
  named.clear();
  for (uint32_t i = 0; i < count; ++i) TensorResource::drop(inputs[i].tensor);
  abi::release(inputs);

  auto* out = reinterpret_cast<abi::ResultNamedList*>(abi::return_area());
  if (auto* error = std::get_if<nn::Error>(&outcome)) {
    out->is_error = 1;
    out->payload.error = ErrorResource::own(std::make_unique<nn::Error>(std::move(*error)));
    return abi::return_area();
  }
  auto& outputs = std::get<std::vector<nn::NamedOutput>>(outcome);
  auto* list = static_cast<NamedHandle*>(abi::allocate(outputs.size() * sizeof(NamedHandle)));
  for (size_t i = 0; i < outputs.size(); ++i) {
    list[i].name = abi::copy_out(outputs[i].first.data(), outputs[i].first.size());
    list[i].tensor = TensorResource::own(std::move(outputs[i].second));
  }
  out->is_error = 0;
  out->payload.ok = List<NamedHandle>{list, static_cast<uint32_t>(outputs.size())};
  return abi::return_area();
}

// Frees the output list and its names (the tensor handles have moved to the caller).
WISP_ABI_POST_RETURN("inference", "[method]graph-execution-context.compute")
void wisp_abi_context_compute_post(uint8_t* area) {
  auto* result = reinterpret_cast<abi::ResultNamedList*>(area);
  if (result->is_error) return;
  for (uint32_t i = 0; i < result->payload.ok.len; ++i) abi::release(result->payload.ok.ptr[i].name.ptr);
  abi::release(result->payload.ok.ptr);
}

WISP_ABI_EXPORT("inference", "[dtor]graph-execution-context")
void wisp_abi_context_dtor(int32_t rep) { ContextResource::destroy(rep); }
