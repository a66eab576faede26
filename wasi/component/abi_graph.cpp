// Core exports of wasi:nn/graph: load, load-by-name and the graph resource.
#include <string>
#include <vector>

#include "wasi/component/abi_resources.h"

using namespace wisp;
using wisp::abi::ContextResource;
using wisp::abi::GraphResource;
using wisp::abi::List;

// load(builder: list<graph-builder>, encoding, target) -> result<own<graph>, own<error>>.
// Flattened: the outer list (ptr, len) of inner (ptr, len) lists, then the two enums. Every
// inner buffer is adopted (the model bytes are used in place), the outer array is freed.
WISP_ABI_EXPORT("graph", "load")
uint8_t* wisp_abi_graph_load(List<uint8_t>* builders, uint32_t count, int32_t encoding, int32_t target) {
  std::vector<nn::Bytes> buffers;
  for (uint32_t i = 0; i < count; ++i) {
    buffers.push_back(nn::Bytes{builders[i].ptr, builders[i].len, abi::adopt(builders[i].ptr)});
  }
  abi::release(builders);
  return abi::lower_result_handle<GraphResource>(nn::load(std::move(buffers), static_cast<nn::GraphEncoding>(encoding),
                                                          static_cast<nn::ExecutionTarget>(target)));
}

// load-by-name(name: string) -> result<own<graph>, own<error>>.
WISP_ABI_EXPORT("graph", "load-by-name")
uint8_t* wisp_abi_graph_load_by_name(char* name, uint32_t len) {
  std::string path(name, len);
  abi::release(name);
  return abi::lower_result_handle<GraphResource>(nn::load_by_name(path));
}

// init-execution-context: func() -> result<own<graph-execution-context>, own<error>>.
WISP_ABI_EXPORT("graph", "[method]graph.init-execution-context")
uint8_t* wisp_abi_graph_init_execution_context(int32_t self) {
  return abi::lower_result_handle<ContextResource>(nn::init_execution_context(*GraphResource::from_rep(self)));
}

WISP_ABI_EXPORT("graph", "[dtor]graph")
void wisp_abi_graph_dtor(int32_t rep) { GraphResource::destroy(rep); }
