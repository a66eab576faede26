// Graph rewrites applied at load time (constant folding, fusions). Each pass keeps the
// graph's outputs bit-for-bit or within float rounding of the unoptimised graph.
#pragma once

#include "core/base/status.h"
#include "core/graph/graph.h"

namespace wisp {

Status optimize_model(Model& model);

}  // namespace wisp
