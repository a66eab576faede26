#include "core/ops/control/control_util.h"

#include <cstring>

namespace wisp::control {

Result<std::shared_ptr<Plan>> compile_body(const OpBuildContext& ctx, const std::string& key) {
  const Attribute* attr = ctx.node.attr(key);
  WISP_CHECK_MODEL(attr && attr->kind == Attribute::Kind::Graph && attr->g, "missing graph attribute '", key, "'");
  if (!ctx.compile_subgraph) return unsupported("subgraphs cannot be compiled in this context");
  WISP_ASSIGN_OR_RETURN(std::shared_ptr<Plan> plan, ctx.compile_subgraph(*attr->g));
  return plan;
}

Result<bool> read_condition(const Tensor& t, const char* what) {
  WISP_CHECK_ARG(t.numel() == 1, what, " must hold exactly one element, got ", t.describe());
  WISP_CHECK_ARG(t.dtype() != DType::String, what, " must be bool, got ", t.describe());
  if (t.dtype() == DType::Bool) return *t.data<bool>();
  return t.get_as_double(0) != 0.0;
}

Result<int64_t> read_int_scalar(const Tensor& t, const char* what) {
  WISP_CHECK_ARG(t.numel() == 1 && dtype_is_integer(t.dtype()), what, " must be a single integer, got ",
                 t.describe());
  return t.get_as_int64(0);
}

void copy_elements(const Tensor& src, int64_t src_at, Tensor& dst, int64_t dst_at, int64_t count) {
  if (count <= 0) return;
  if (src.dtype() == DType::String) {
    for (int64_t i = 0; i < count; ++i) dst.strings()[dst_at + i] = src.strings()[src_at + i];
    return;
  }
  size_t size = dtype_size(src.dtype());
  std::memcpy(static_cast<char*>(dst.raw_data()) + size_t(dst_at) * size,
              static_cast<const char*>(src.raw_data()) + size_t(src_at) * size, size_t(count) * size);
}

// Splits a shape around `axis` into (outer, extent, inner) element counts.
static void split_at_axis(const Shape& shape, int64_t axis, int64_t& outer, int64_t& inner) {
  outer = 1;
  inner = 1;
  for (int64_t d = 0; d < int64_t(shape.size()); ++d) {
    if (d < axis) outer *= shape[size_t(d)];
    if (d > axis) inner *= shape[size_t(d)];
  }
}

Result<Tensor> take_slice(const Tensor& t, int64_t axis, int64_t index, const OpContext& ctx) {
  WISP_CHECK_ARG(axis >= 0 && axis < t.rank(), "scan axis ", axis, " is out of range for ", t.describe());
  WISP_CHECK_ARG(index >= 0 && index < t.dim(axis), "index ", index, " is out of range for ", t.describe());
  Shape shape = t.shape();
  shape.erase(shape.begin() + axis);
  int64_t outer, inner;
  split_at_axis(t.shape(), axis, outer, inner);
  if (outer == 1) return t.slice_view(index * inner, shape);
  WISP_ASSIGN_OR_RETURN(Tensor out, ctx.allocate(t.dtype(), shape));
  int64_t extent = t.dim(axis);
  for (int64_t o = 0; o < outer; ++o) copy_elements(t, (o * extent + index) * inner, out, o * inner, inner);
  return out;
}

Status put_slice(const Tensor& slice, Tensor& out, int64_t axis, int64_t index) {
  Shape expected = out.shape();
  expected.erase(expected.begin() + axis);
  WISP_CHECK_ARG(slice.dtype() == out.dtype() && slice.shape() == expected, "a scan output changed from ",
                 dtype_name(out.dtype()), shape_to_string(expected), " to ", slice.describe(),
                 " between iterations");
  int64_t outer, inner;
  split_at_axis(out.shape(), axis, outer, inner);
  int64_t extent = out.dim(axis);
  for (int64_t o = 0; o < outer; ++o) copy_elements(slice, o * inner, out, (o * extent + index) * inner, inner);
  return Status::ok();
}

Shape insert_axis(const Shape& shape, int64_t axis, int64_t extent) {
  Shape out = shape;
  out.insert(out.begin() + axis, extent);
  return out;
}

Result<Tensor> stack_slices(const std::vector<Tensor>& slices, int64_t axis, const OpContext& ctx) {
  WISP_CHECK_ARG(!slices.empty(), "cannot stack zero slices");
  const Tensor& first = slices.front();
  WISP_CHECK_ARG(axis >= 0 && axis <= first.rank(), "scan output axis ", axis, " is out of range for ",
                 first.describe());
  WISP_ASSIGN_OR_RETURN(Tensor out, ctx.allocate(first.dtype(), insert_axis(first.shape(), axis,
                                                                            int64_t(slices.size()))));
  for (size_t i = 0; i < slices.size(); ++i) WISP_RETURN_IF_ERROR(put_slice(slices[i], out, axis, int64_t(i)));
  return out;
}

Result<Tensor> empty_scan_output(const ValueInfo& declared, const OpContext& ctx) {
  DType dtype = declared.dtype == DType::Undefined ? DType::Float32 : declared.dtype;
  Shape shape{0};
  bool all_fixed = declared.has_shape;
  for (const Dim& d : declared.shape) all_fixed = all_fixed && d.is_fixed();
  if (all_fixed) {
    for (const Dim& d : declared.shape) shape.push_back(d.value);
  }
  return ctx.allocate(dtype, shape);
}

}  // namespace wisp::control
