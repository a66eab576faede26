// Static shape inference at load time: propagates dtypes and shapes (fixed, symbolic or
// unknown dims) from the graph inputs and initializers through every node, so that a model
// whose fixed shapes cannot fit together fails when it is loaded, naming the node, instead of
// at the first run. Inferred types are recorded in graph.value_infos for later passes.
#pragma once

#include "core/base/status.h"
#include "core/graph/graph.h"

namespace wisp {

// Fails (InvalidModel) only when fixed dims prove a node invalid; symbolic or unknown dims,
// ops without a rule and subgraph outputs (If/Loop/Scan) are simply left unknown.
Status infer_shapes(Graph& graph, const Model& model);

}  // namespace wisp
