// Registration of the linear-algebra operators, one function per file.
#pragma once

#include "core/ops/op.h"

namespace wisp::linalg {

void register_matmul_ops(OpRegistry& registry);            // MatMul, Gemm
void register_quantized_matmul_ops(OpRegistry& registry);  // MatMulInteger, QLinearMatMul
void register_det_ops(OpRegistry& registry);               // Det

}  // namespace wisp::linalg
