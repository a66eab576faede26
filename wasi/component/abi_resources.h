// The four resources of wasi:nn that this component implements, bound to their canonical-ABI
// intrinsics (see Resource in abi_canon.h), and the mapping of nn::Outcome to result handles.
#pragma once

#include "wasi/component/abi_canon.h"
#include "wasi/component/nn_api.h"

extern "C" {
WISP_ABI_RESOURCE_IMPORT("tensor", "[resource-new]tensor") wisp::abi::Handle wisp_abi_tensor_new(int32_t rep);
WISP_ABI_RESOURCE_IMPORT("tensor", "[resource-rep]tensor") int32_t wisp_abi_tensor_rep(wisp::abi::Handle handle);
WISP_ABI_RESOURCE_IMPORT("tensor", "[resource-drop]tensor") void wisp_abi_tensor_drop(wisp::abi::Handle handle);

WISP_ABI_RESOURCE_IMPORT("errors", "[resource-new]error") wisp::abi::Handle wisp_abi_error_new(int32_t rep);
WISP_ABI_RESOURCE_IMPORT("errors", "[resource-rep]error") int32_t wisp_abi_error_rep(wisp::abi::Handle handle);
WISP_ABI_RESOURCE_IMPORT("errors", "[resource-drop]error") void wisp_abi_error_drop(wisp::abi::Handle handle);

WISP_ABI_RESOURCE_IMPORT("graph", "[resource-new]graph") wisp::abi::Handle wisp_abi_graph_new(int32_t rep);
WISP_ABI_RESOURCE_IMPORT("graph", "[resource-rep]graph") int32_t wisp_abi_graph_rep(wisp::abi::Handle handle);
WISP_ABI_RESOURCE_IMPORT("graph", "[resource-drop]graph") void wisp_abi_graph_drop(wisp::abi::Handle handle);

WISP_ABI_RESOURCE_IMPORT("inference", "[resource-new]graph-execution-context")
wisp::abi::Handle wisp_abi_context_new(int32_t rep);
WISP_ABI_RESOURCE_IMPORT("inference", "[resource-rep]graph-execution-context")
int32_t wisp_abi_context_rep(wisp::abi::Handle handle);
WISP_ABI_RESOURCE_IMPORT("inference", "[resource-drop]graph-execution-context")
void wisp_abi_context_drop(wisp::abi::Handle handle);
}

namespace wisp::abi {

using TensorResource = Resource<nn::Tensor, wisp_abi_tensor_new, wisp_abi_tensor_rep, wisp_abi_tensor_drop>;
using ErrorResource = Resource<nn::Error, wisp_abi_error_new, wisp_abi_error_rep, wisp_abi_error_drop>;
using GraphResource = Resource<nn::Graph, wisp_abi_graph_new, wisp_abi_graph_rep, wisp_abi_graph_drop>;
using ContextResource =
    Resource<nn::GraphExecutionContext, wisp_abi_context_new, wisp_abi_context_rep, wisp_abi_context_drop>;

// Writes result<own<R>, own<error>> into the return area and returns its address.
template <typename R, typename T>
uint8_t* lower_result_handle(nn::Outcome<std::unique_ptr<T>> outcome) {
  auto* out = reinterpret_cast<ResultHandle*>(return_area());
  if (auto* error = std::get_if<nn::Error>(&outcome)) {
    out->is_error = 1;
    out->handle = ErrorResource::own(std::make_unique<nn::Error>(std::move(*error)));
  } else {
    out->is_error = 0;
    out->handle = R::own(std::get<std::unique_ptr<T>>(std::move(outcome)));
  }
  return return_area();
}

}  // namespace wisp::abi
