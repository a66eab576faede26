#include "core/ops/elementwise/broadcast.h"

#include <string>

namespace wisp::elementwise {

Result<BroadcastPlan> BroadcastPlan::make(std::initializer_list<const Shape*> shapes) {
  BroadcastPlan plan;
  plan.num_inputs_ = shapes.size();
  if (shapes.size() == 0 || shapes.size() > kMaxBroadcastInputs) {
    return make_error(ErrorCode::Internal, "broadcast of ", shapes.size(), " inputs");
  }
  size_t rank = 0;
  for (const Shape* s : shapes) rank = std::max(rank, s->size());

  auto describe = [&] {
    std::string all;
    for (const Shape* s : shapes) all += (all.empty() ? "" : " and ") + shape_to_string(*s);
    return all;
  };
  // Extent of shape `s` at output axis `axis` after right-alignment.
  auto extent = [rank](const Shape& s, size_t axis) {
    size_t pad = rank - s.size();
    return axis < pad ? int64_t(1) : s[axis - pad];
  };

  plan.out_shape_.assign(rank, 1);
  for (size_t axis = 0; axis < rank; ++axis) {
    int64_t out = 1;
    for (const Shape* s : shapes) {
      int64_t d = extent(*s, axis);
      if (d < 0) return invalid_argument("negative dimension in shape ", shape_to_string(*s));
      if (d == 1) continue;
      if (out != 1 && d != out) return invalid_argument("shapes ", describe(), " cannot be broadcast together");
      out = d;
    }
    plan.out_shape_[axis] = out;
  }
  WISP_ASSIGN_OR_RETURN(plan.numel_, checked_numel(plan.out_shape_));

  // Per-input strides along every output axis (0 where the input is broadcast).
  std::vector<std::vector<int64_t>> full(shapes.size(), std::vector<int64_t>(rank, 0));
  size_t k = 0;
  for (const Shape* s : shapes) {
    int64_t stride = 1;
    for (size_t axis = rank; axis-- > 0;) {
      int64_t d = extent(*s, axis);
      full[k][axis] = d == 1 ? 0 : stride;
      stride *= d;
    }
    ++k;
  }

  // Collapse from the innermost axis outwards; size-1 axes vanish. An outer axis merges into
  // the current innermost collapsed one when every input steps through both contiguously.
  std::vector<int64_t> dims;  // innermost first while building
  std::vector<std::vector<int64_t>> strides(shapes.size());
  for (size_t axis = rank; axis-- > 0;) {
    int64_t d = plan.out_shape_[axis];
    if (d == 1) continue;
    bool merge = !dims.empty();
    for (size_t i = 0; merge && i < shapes.size(); ++i) {
      merge = full[i][axis] == strides[i].back() * dims.back();
    }
    if (merge) {
      dims.back() *= d;
    } else {
      dims.push_back(d);
      for (size_t i = 0; i < shapes.size(); ++i) strides[i].push_back(full[i][axis]);
    }
  }
  if (dims.empty()) {  // every extent is 1: a single element
    dims.push_back(1);
    for (auto& s : strides) s.push_back(0);
  }
  plan.dims_.assign(dims.rbegin(), dims.rend());
  for (size_t i = 0; i < shapes.size(); ++i) plan.strides_[i].assign(strides[i].rbegin(), strides[i].rend());
  return plan;
}

}  // namespace wisp::elementwise
