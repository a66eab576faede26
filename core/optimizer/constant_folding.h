// Constant folding: nodes whose inputs are all constants are run once at load time and
// replaced by their outputs as initializers (shape arithmetic, weight transposes, ...).
#pragma once

#include <vector>

#include "core/base/status.h"
#include "core/graph/graph.h"
#include "core/ops/op.h"

namespace wisp {

struct ConstantFoldingOptions {
  // Outputs larger than this stay computed at run time: folding would trade a cheap node
  // for resident memory (e.g. ConstantOfShape of a large shape).
  size_t max_folded_bytes = size_t(16) << 20;
};

// Returns the number of nodes folded. Errors from a folded op (for instance a Reshape of a
// constant to an impossible shape) are returned: the model could never run.
Result<int> fold_constants(Model& model, const OpRegistry& registry, const Limits& limits,
                           const ConstantFoldingOptions& options = {});
// The same for one graph of `model`, e.g. a subgraph (If/Loop/Scan body). Its own
// initializers are constants, and so are the initializers of the `outer` graphs (the
// enclosing ones, innermost first) that the names it reads resolve to.
Result<int> fold_constants(Graph& graph, const Model& model, const OpRegistry& registry, const Limits& limits,
                           const ConstantFoldingOptions& options = {}, const std::vector<const Graph*>& outer = {});

}  // namespace wisp
