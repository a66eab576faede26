// Graph rewrites applied at load time (constant folding, fusions). Each pass keeps the
// graph's outputs bit-for-bit or within float rounding of the unoptimised graph.
#pragma once

#include "core/base/status.h"
#include "core/graph/graph.h"
#include "core/ops/op.h"
#include "core/runtime/limits.h"

namespace wisp {

struct OptimizeStats {
  int constants_hoisted = 0, nodes_folded = 0, initializers_removed = 0;
};

Result<OptimizeStats> optimize_model(Model& model, const OpRegistry& registry, const Limits& limits);

}  // namespace wisp
