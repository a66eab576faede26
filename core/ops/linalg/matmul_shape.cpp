#include "core/ops/linalg/matmul_shape.h"

namespace wisp::linalg {

int64_t MatMulShape::source_index(const Shape& own, int64_t index) const {
  // Walk the output batch coordinates from the last dim; broadcast (size 1) dims of the
  // operand contribute nothing.
  int64_t offset = 0, stride = 1;
  for (int64_t d = int64_t(batch.size()) - 1; d >= 0; --d) {
    const int64_t coord = index % batch[size_t(d)];
    index /= batch[size_t(d)];
    const int64_t own_d = d - int64_t(batch.size() - own.size());
    if (own_d >= 0) {
      if (own[size_t(own_d)] != 1) offset += coord * stride;
      stride *= own[size_t(own_d)];
    }
  }
  return offset;
}

Result<MatMulShape> matmul_shape(const Node& node, const Shape& a, const Shape& b) {
  WISP_CHECK_ARG(!a.empty() && !b.empty(), node.context(), "operands must have rank >= 1, got ", shape_to_string(a),
                 " and ", shape_to_string(b));
  Shape as = a, bs = b;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  MatMulShape s;
  s.m = as[as.size() - 2];
  s.k = as.back();
  s.n = bs.back();
  WISP_CHECK_ARG(bs[bs.size() - 2] == s.k, node.context(), "inner dimensions differ: ", shape_to_string(a), " x ",
                 shape_to_string(b));
  s.a_batch.assign(as.begin(), as.end() - 2);
  s.b_batch.assign(bs.begin(), bs.end() - 2);
  auto batch = broadcast_shapes(s.a_batch, s.b_batch);
  if (!batch) return batch.status().with_context(node.context());
  s.batch = batch.value();
  s.batches = numel(s.batch);
  s.out_shape = s.batch;
  if (a.size() > 1) s.out_shape.push_back(s.m);
  if (b.size() > 1) s.out_shape.push_back(s.n);
  return s;
}

}  // namespace wisp::linalg
