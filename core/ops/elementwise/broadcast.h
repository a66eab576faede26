// Multidirectional (numpy) broadcasting for up to three inputs.
//
// A BroadcastPlan describes the output as a few "collapsed" dimensions: size-1 output
// dimensions are dropped and neighbouring dimensions merged wherever every input walks them
// contiguously. Same-shape inputs collapse to one dimension, scalar broadcast to one
// dimension with stride 0, and NCHW + [C,1,1] to [N, C, H*W] with an inner stride of 0 —
// so the innermost loop is always a plain run where each input has stride 1 or 0, which is
// what the kernels specialise on.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "core/base/status.h"
#include "core/tensor/shape.h"

namespace wisp::elementwise {

constexpr size_t kMaxBroadcastInputs = 3;

class BroadcastPlan {
 public:
  // Fails with a message naming the shapes when they cannot be broadcast together.
  static Result<BroadcastPlan> make(std::initializer_list<const Shape*> shapes);

  const Shape& out_shape() const { return out_shape_; }
  int64_t numel() const { return numel_; }
  // Stride (0 or 1) of input `k` along the innermost collapsed dimension.
  int64_t inner_stride(size_t k) const { return strides_[k].back(); }

  // Calls body(out_pos, offsets, count) for each contiguous run of output elements in
  // [begin, end): elements out_pos..out_pos+count-1 read input k from offsets[k] onwards
  // with stride inner_stride(k).
  template <typename Body>
  void for_each_run(int64_t begin, int64_t end, Body&& body) const;

 private:
  Shape out_shape_;
  int64_t numel_ = 0;
  size_t num_inputs_ = 0;
  std::vector<int64_t> dims_;  // collapsed extents, outermost first; never empty
  std::array<std::vector<int64_t>, kMaxBroadcastInputs> strides_;  // per input, per collapsed dim
};

template <typename Body>
void BroadcastPlan::for_each_run(int64_t begin, int64_t end, Body&& body) const {
  if (begin >= end) return;
  const size_t rank = dims_.size();
  const int64_t inner = dims_.back();
  int64_t row = begin / inner;
  int64_t col = begin % inner;
  // Multi-index over the outer dimensions and the matching input offsets.
  std::vector<int64_t> index(rank, 0);
  int64_t offsets[kMaxBroadcastInputs] = {};
  for (size_t d = rank - 1; d-- > 0;) {
    index[d] = row % dims_[d];
    row /= dims_[d];
    for (size_t k = 0; k < num_inputs_; ++k) offsets[k] += index[d] * strides_[k][d];
  }
  int64_t pos = begin;
  while (true) {
    int64_t run_offsets[kMaxBroadcastInputs];
    for (size_t k = 0; k < num_inputs_; ++k) run_offsets[k] = offsets[k] + col * strides_[k][rank - 1];
    const int64_t count = std::min(inner - col, end - pos);
    body(pos, static_cast<const int64_t*>(run_offsets), count);
    pos += count;
    if (pos >= end) break;
    col = 0;
    // Advance the outer multi-index by one row (odometer style).
    for (size_t d = rank - 1; d-- > 0;) {
      for (size_t k = 0; k < num_inputs_; ++k) offsets[k] += strides_[k][d];
      if (++index[d] < dims_[d]) break;
      for (size_t k = 0; k < num_inputs_; ++k) offsets[k] -= strides_[k][d] * dims_[d];
      index[d] = 0;
    }
  }
}

}  // namespace wisp::elementwise
