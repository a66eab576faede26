// How a reduction walks its input. Any set of reduced axes is turned into two offset lists:
// one entry per kept position and one per reduced position, plus a contiguous innermost run
// (the merged trailing axes), so the innermost loop always reads consecutive memory.
#pragma once

#include <cstdint>
#include <vector>

#include "core/ops/op.h"

namespace wisp::reduce {

struct ReduceLayout {
  Shape out_shape;                    // with or without the kept unit dims, per keepdims
  int64_t reduce_count = 1;           // elements folded into each output
  int64_t inner = 1;                  // length of the contiguous innermost run
  bool inner_reduced = true;          // true: the run is reduced; false: the run is kept
  std::vector<int64_t> kept_offsets;  // input offset of each kept position (outer part)
  std::vector<int64_t> red_offsets;   // input offset of each reduced position (outer part)
};

// `reduced[i]` marks axis i of `shape` as reduced.
ReduceLayout make_reduce_layout(const Shape& shape, const std::vector<bool>& reduced, bool keepdims);

// Resolves the axes of a Reduce* node: from input 1 or the attribute, normalised, with the
// noop_with_empty_axes rule. Returns the per-axis "reduced" mask.
Result<std::vector<bool>> reduced_mask(int64_t rank, const std::vector<int64_t>& axes, bool noop_with_empty_axes);

}  // namespace wisp::reduce
