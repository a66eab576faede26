// Registration of the linear-algebra operators, one function per file.
#pragma once

#include "core/ops/op.h"

namespace wisp::linalg {

void register_matmul_ops(OpRegistry& registry);  // MatMul, Gemm

}  // namespace wisp::linalg
