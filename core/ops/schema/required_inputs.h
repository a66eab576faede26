// Which inputs the ONNX spec requires of each operator version (generated from the schemas by
// make_required_inputs.py). The registry refuses a node that leaves a required input out, so
// no kernel ever reads an input that is not there.
#pragma once

#include "core/base/status.h"
#include "core/graph/graph.h"

namespace wisp {

// Ok, or an invalid-model error naming the first required input `node` (an ai.onnx node at
// `opset`; 0 means the newest) leaves out. Nodes of other domains are not checked.
Status check_required_inputs(const Node& node, int opset);

}  // namespace wisp
