// Graph rewrites applied at load time (constant folding, fusions). Each pass keeps the
// graph's outputs bit-for-bit or within float rounding of the unoptimised graph.
#pragma once

#include <string>

#include "core/base/status.h"
#include "core/graph/graph.h"
#include "core/ops/op.h"
#include "core/runtime/limits.h"

namespace wisp {

struct OptimizeStats {
  int constants_hoisted = 0, nodes_folded = 0, initializers_removed = 0;
  int dead_nodes_removed = 0;   // dead_node_elimination.cpp
  int conv_bn_folded = 0;       // conv_bn_folding.cpp
  int conv_scale_folded = 0;    // conv_scale_folding.cpp
  int hardswish_fused = 0;      // hardswish_fusion.cpp
  int post_affine_fused = 0;    // post_affine_fusion.cpp
  int transposes_folded = 0;    // transpose_folding.cpp
  int gelu_fused = 0;           // gelu_fusion.cpp
  int silu_fused = 0;           // silu_fusion.cpp
  int layernorm_fused = 0;      // layernorm_fusion.cpp
  int bias_fused = 0;           // bias_fusion.cpp
  int residual_fused = 0;       // residual_fusion.cpp
  int activations_fused = 0;    // activation_fusion.cpp
  int nodes_before = 0, nodes_after = 0;  // main-graph node counts

  // One line, e.g. "nodes 180 -> 121 (folded 4, conv+bn 53, ...)", for the CLI.
  std::string summary() const;
};

struct OptimizeOptions {
  bool fuse = true;  // false: only constant hoisting / folding and initializer cleanup
};

Result<OptimizeStats> optimize_model(Model& model, const OpRegistry& registry, const Limits& limits,
                                     const OptimizeOptions& options = {});

}  // namespace wisp
