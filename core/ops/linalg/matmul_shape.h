// numpy.matmul shape rules shared by MatMul, MatMulInteger and QLinearMatMul: 1-D operands
// are promoted ([K] -> [1, K] for A, [K] -> [K, 1] for B, the added dim dropped from the
// result) and the batch dimensions broadcast.
#pragma once

#include "core/ops/op.h"

namespace wisp::linalg {

struct MatMulShape {
  int64_t m = 0, n = 0, k = 0;
  int64_t batches = 1;  // product of the broadcast batch dims
  Shape out_shape;
  Shape batch, a_batch, b_batch;

  // Index of the A / B matrix used by output batch `i` (multiply by m*k / k*n for elements).
  int64_t a_index(int64_t i) const { return source_index(a_batch, i); }
  int64_t b_index(int64_t i) const { return source_index(b_batch, i); }

 private:
  int64_t source_index(const Shape& own, int64_t i) const;
};

// Fails with a message naming both shapes when the inner dims differ or batches don't broadcast.
Result<MatMulShape> matmul_shape(const Node& node, const Shape& a, const Shape& b);

}  // namespace wisp::linalg
