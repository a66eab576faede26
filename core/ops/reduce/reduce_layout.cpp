#include "core/ops/reduce/reduce_layout.h"

namespace wisp::reduce {
namespace {

struct Group {
  int64_t extent;
  int64_t stride;
  bool reduced;
};

// All offsets reached by walking `groups` (row-major), starting from 0.
std::vector<int64_t> enumerate_offsets(const std::vector<Group>& groups) {
  std::vector<int64_t> offsets{0};
  for (const Group& g : groups) {
    std::vector<int64_t> next;
    next.reserve(offsets.size() * size_t(g.extent));
    for (int64_t base : offsets) {
      for (int64_t k = 0; k < g.extent; ++k) next.push_back(base + k * g.stride);
    }
    offsets = std::move(next);
  }
  return offsets;
}

}  // namespace

Result<std::vector<bool>> reduced_mask(int64_t rank, const std::vector<int64_t>& axes, bool noop_with_empty_axes) {
  std::vector<bool> mask(static_cast<size_t>(rank), false);
  if (axes.empty()) {
    if (!noop_with_empty_axes) mask.assign(size_t(rank), true);
    return mask;
  }
  for (int64_t axis : axes) {
    WISP_CHECK_ARG(axis >= -rank && axis < rank, "axis ", axis, " is out of range for a tensor of rank ", rank);
    int64_t a = axis < 0 ? axis + rank : axis;
    WISP_CHECK_ARG(!mask[size_t(a)], "axis ", axis, " is listed twice");
    mask[size_t(a)] = true;
  }
  return mask;
}

ReduceLayout make_reduce_layout(const Shape& shape, const std::vector<bool>& reduced, bool keepdims) {
  ReduceLayout layout;
  std::vector<int64_t> strides = contiguous_strides(shape);
  std::vector<Group> groups;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (reduced[i]) {
      layout.reduce_count *= shape[i];
      if (keepdims) layout.out_shape.push_back(1);
    } else {
      layout.out_shape.push_back(shape[i]);
    }
    // Unit axes do not move through memory; dropping them lets more axes merge.
    if (shape[i] == 1) continue;
    if (!groups.empty() && groups.back().reduced == reduced[i] &&
        groups.back().stride == shape[i] * strides[i]) {
      groups.back().extent *= shape[i];
      groups.back().stride = strides[i];
    } else {
      groups.push_back({shape[i], strides[i], bool(reduced[i])});
    }
  }
  if (!groups.empty()) {
    layout.inner = groups.back().extent;
    layout.inner_reduced = groups.back().reduced;
    groups.pop_back();
  }
  std::vector<Group> kept, red;
  for (const Group& g : groups) (g.reduced ? red : kept).push_back(g);
  layout.kept_offsets = enumerate_offsets(kept);
  layout.red_offsets = enumerate_offsets(red);
  return layout;
}

}  // namespace wisp::reduce
