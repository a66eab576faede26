// Caps that keep a hostile model from exhausting memory or time.
#pragma once

#include <cstdint>

namespace wisp {

struct Limits {
  int64_t max_tensor_elements = int64_t(1) << 32;   // per tensor
  int64_t max_total_bytes = int64_t(16) << 30;      // per run, all live tensors
  int max_graph_depth = 32;                         // nesting of subgraphs
  int64_t max_loop_iterations = int64_t(1) << 24;   // per Loop node run
};

}  // namespace wisp
