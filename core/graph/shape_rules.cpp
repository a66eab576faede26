#include "core/graph/shape_rules.h"

#include <algorithm>
#include <map>

namespace wisp::shape {

namespace {

// Hostile models can declare huge dims or attributes: arithmetic that would overflow gives
// up (the dim stays unknown, no check is made) instead of wrapping around.
// Beyond this a declared shape-input length is treated as hostile rather than allocated.
constexpr int64_t kMaxRank = 64;

// In-place forms of the checked helpers of core/tensor/shape.h.
bool mul_ok(int64_t& acc, int64_t v) { return checked_mul(acc, v, &acc); }
bool add_ok(int64_t& acc, int64_t v) { return checked_add(acc, v, &acc); }

bool same_dim(const Dim& a, const Dim& b) {
  if (a.is_fixed() || b.is_fixed()) return a.value == b.value;
  return !a.symbol.empty() && a.symbol == b.symbol;
}

bool all_fixed(const std::vector<Dim>& dims, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    if (!dims[i].is_fixed()) return false;
  }
  return true;
}

ValueShape with_dims(DType dtype, std::vector<Dim> dims) {
  ValueShape v;
  v.dtype = dtype;
  v.has_shape = true;
  v.dims = std::move(dims);
  return v;
}

// Normalises a possibly negative axis; false when out of range.
bool normalize_axis(int64_t& axis, int64_t rank) {
  if (axis < 0) axis += rank;
  return axis >= 0 && axis < rank;
}

// The integer values of a constant input (initializer or Constant), if there is one.
bool constant_ints(const RuleInput& in, size_t index, std::vector<int64_t>& values) {
  if (index >= in.inputs.size() || !in.inputs[index].constant) return false;
  Result<std::vector<int64_t>> v = in.inputs[index].constant->to_int64_vector();
  if (!v) return false;
  values = std::move(v).value();
  return true;
}

Status mismatch(const Node& node, const std::string& what, const ValueShape& a, const ValueShape& b) {
  return invalid_model(node.context(), what, ": ", dims_to_string(a), " vs ", dims_to_string(b));
}

// ---- element-wise ------------------------------------------------------------------------

Status same_as_input(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.empty()) return Status::ok();
  out[0] = in.inputs[0];
  out[0].constant = nullptr;
  return Status::ok();
}

Status bool_same_shape(const RuleInput& in, std::vector<ValueShape>& out) {
  WISP_RETURN_IF_ERROR(same_as_input(in, out));
  out[0].dtype = DType::Bool;
  return Status::ok();
}

Status cast(const RuleInput& in, std::vector<ValueShape>& out) {
  WISP_RETURN_IF_ERROR(same_as_input(in, out));
  WISP_ASSIGN_OR_RETURN(int64_t to, in.node.attr_int("to", 0));
  out[0].dtype = DType(to);
  return Status::ok();
}

Status cast_like(const RuleInput& in, std::vector<ValueShape>& out) {
  WISP_RETURN_IF_ERROR(same_as_input(in, out));
  if (in.inputs.size() > 1) out[0].dtype = in.inputs[1].dtype;
  return Status::ok();
}

// Dropout: output, then an optional bool mask of the same shape.
Status dropout(const RuleInput& in, std::vector<ValueShape>& out) {
  WISP_RETURN_IF_ERROR(same_as_input(in, out));
  if (out.size() > 1) {
    out[1] = out[0];
    out[1].dtype = DType::Bool;
  }
  return Status::ok();
}

// Multidirectional broadcasting over all inputs. Before opset 7 (8 for the variadic ops)
// these ops had other broadcast rules, so those models are left alone.
Status broadcast_all(const RuleInput& in, std::vector<ValueShape>& out, size_t first, DType dtype) {
  const bool variadic = in.node.op_type == "Max" || in.node.op_type == "Min" || in.node.op_type == "Sum" ||
                        in.node.op_type == "Mean";
  if (in.node.has_attr("broadcast") || (in.opset > 0 && in.opset < (variadic ? 8 : 7))) return Status::ok();
  if (in.inputs.size() <= first) return Status::ok();
  ValueShape result = in.inputs[first];
  for (size_t i = first + 1; i < in.inputs.size(); ++i) {
    WISP_RETURN_IF_ERROR(broadcast_into(in.node, result, in.inputs[i], result));
  }
  result.dtype = dtype;
  result.constant = nullptr;
  out[0] = result;
  return Status::ok();
}

Status broadcasting(const RuleInput& in, std::vector<ValueShape>& out) {
  return broadcast_all(in, out, 0, in.inputs.empty() ? DType::Undefined : in.inputs[0].dtype);
}

Status comparison(const RuleInput& in, std::vector<ValueShape>& out) {
  return broadcast_all(in, out, 0, DType::Bool);
}

Status where(const RuleInput& in, std::vector<ValueShape>& out) {
  return broadcast_all(in, out, 0, in.inputs.size() > 1 ? in.inputs[1].dtype : DType::Undefined);
}

// ---- linear algebra ----------------------------------------------------------------------

Status matmul(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.size() < 2) return Status::ok();
  const ValueShape& a = in.inputs[0];
  const ValueShape& b = in.inputs[1];
  out[0].dtype = a.dtype;
  if (!a.has_shape || !b.has_shape || a.dims.empty() || b.dims.empty()) return Status::ok();
  // 1-D operands are promoted to matrices ([K] -> [1, K] and [K, 1]); the added dim is dropped.
  ValueShape a2 = a, b2 = b;
  if (a.rank() == 1) a2.dims.insert(a2.dims.begin(), fixed_dim(1));
  if (b.rank() == 1) b2.dims.push_back(fixed_dim(1));
  const Dim& k_a = a2.dims.back();
  const Dim& k_b = b2.dims[b2.dims.size() - 2];
  if (k_a.is_fixed() && k_b.is_fixed() && k_a.value != k_b.value) {
    return mismatch(in.node, "inner dimensions differ", a, b);
  }
  ValueShape batch_a = with_dims(a.dtype, {a2.dims.begin(), a2.dims.end() - 2});
  ValueShape batch_b = with_dims(a.dtype, {b2.dims.begin(), b2.dims.end() - 2});
  ValueShape result;
  WISP_RETURN_IF_ERROR(broadcast_into(in.node, batch_a, batch_b, result));
  if (a.rank() != 1) result.dims.push_back(a2.dims[a2.dims.size() - 2]);
  if (b.rank() != 1) result.dims.push_back(b2.dims.back());
  result.dtype = a.dtype;
  out[0] = result;
  return Status::ok();
}

Status gemm(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.size() < 2) return Status::ok();
  const ValueShape& a = in.inputs[0];
  const ValueShape& b = in.inputs[1];
  out[0].dtype = a.dtype;
  if (!a.has_shape || !b.has_shape || a.rank() != 2 || b.rank() != 2) return Status::ok();
  WISP_ASSIGN_OR_RETURN(int64_t trans_a, in.node.attr_int("transA", 0));
  WISP_ASSIGN_OR_RETURN(int64_t trans_b, in.node.attr_int("transB", 0));
  const Dim& m = a.dims[trans_a ? 1 : 0];
  const Dim& k_a = a.dims[trans_a ? 0 : 1];
  const Dim& k_b = b.dims[trans_b ? 1 : 0];
  const Dim& n = b.dims[trans_b ? 0 : 1];
  if (k_a.is_fixed() && k_b.is_fixed() && k_a.value != k_b.value) {
    return mismatch(in.node, "inner dimensions differ (transA=" + std::to_string(trans_a) +
                                 ", transB=" + std::to_string(trans_b) + ")",
                    a, b);
  }
  out[0] = with_dims(a.dtype, {m, n});
  return Status::ok();
}

// ---- convolution and pooling -------------------------------------------------------------

// Spatial attributes shared by Conv, ConvTranspose and the pools.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads, output_padding, output_shape;
  std::string auto_pad;
  bool ceil_mode = false;

  int64_t at(const std::vector<int64_t>& v, size_t i, int64_t fallback) const {
    return i < v.size() ? v[i] : fallback;
  }
  int64_t pad_begin(size_t i, size_t nd) const { return pads.size() == 2 * nd ? pads[i] : 0; }
  int64_t pad_end(size_t i, size_t nd) const { return pads.size() == 2 * nd ? pads[i + nd] : 0; }
};

Result<Window> read_window(const Node& node) {
  Window w;
  WISP_ASSIGN_OR_RETURN(w.kernel, node.attr_ints("kernel_shape"));
  WISP_ASSIGN_OR_RETURN(w.strides, node.attr_ints("strides"));
  WISP_ASSIGN_OR_RETURN(w.dilations, node.attr_ints("dilations"));
  WISP_ASSIGN_OR_RETURN(w.pads, node.attr_ints("pads"));
  WISP_ASSIGN_OR_RETURN(w.output_padding, node.attr_ints("output_padding"));
  WISP_ASSIGN_OR_RETURN(w.output_shape, node.attr_ints("output_shape"));
  WISP_ASSIGN_OR_RETURN(w.auto_pad, node.attr_string("auto_pad", "NOTSET"));
  WISP_ASSIGN_OR_RETURN(int64_t ceil_mode, node.attr_int("ceil_mode", 0));
  w.ceil_mode = ceil_mode != 0;
  return w;
}

Status check_rank(const Node& node, const ValueShape& x, int64_t expected, const char* what) {
  if (x.has_shape && x.rank() != expected) {
    return invalid_model(node.context(), what, " must have rank ", expected, ", got ", dims_to_string(x));
  }
  return Status::ok();
}

// The start shared by the Conv and ConvTranspose rules: output dtype, window attributes, group,
// and the rank checks of X against W. Returns false when the shapes are too unknown to go on.
Result<bool> conv_prologue(const RuleInput& in, std::vector<ValueShape>& out, Window& win, int64_t& group,
                           bool check_kernel_rank) {
  if (in.inputs.size() < 2) return false;
  const ValueShape& x = in.inputs[0];
  const ValueShape& w = in.inputs[1];
  out[0].dtype = x.dtype;
  WISP_ASSIGN_OR_RETURN(win, read_window(in.node));
  WISP_ASSIGN_OR_RETURN(group, in.node.attr_int("group", 1));
  if (x.has_shape && x.rank() < 3) {
    return invalid_model(in.node.context(), "input X must have rank >= 3 (N, C, spatial...), got ",
                         dims_to_string(x));
  }
  if (check_kernel_rank && !win.kernel.empty()) {
    WISP_RETURN_IF_ERROR(check_rank(in.node, x, 2 + int64_t(win.kernel.size()), "input X"));
  }
  if (x.has_shape && w.has_shape && x.rank() != w.rank()) return mismatch(in.node, "input X and weight W ranks differ", x, w);
  return x.has_shape && w.has_shape;
}

Status conv(const RuleInput& in, std::vector<ValueShape>& out) {
  Window win;
  int64_t group = 1;
  WISP_ASSIGN_OR_RETURN(bool known, conv_prologue(in, out, win, group, true));
  if (!known) return Status::ok();
  const ValueShape& x = in.inputs[0];
  const ValueShape& w = in.inputs[1];
  int64_t expected_channels = w.dims[1].value;
  if (x.dims[1].is_fixed() && w.dims[1].is_fixed() && mul_ok(expected_channels, group) &&
      x.dims[1].value != expected_channels) {
    return mismatch(in.node, "input channels != weight channels * group (group=" + std::to_string(group) + ")", x, w);
  }
  const size_t nd = x.dims.size() - 2;
  std::vector<Dim> dims = {x.dims[0], w.dims[0]};
  for (size_t i = 0; i < nd; ++i) {
    const int64_t k = win.at(win.kernel, i, w.dims[2 + i].value);
    dims.push_back(k <= 0 ? Dim{}
                          : conv_output_dim(x.dims[2 + i], k, win.at(win.strides, i, 1), win.at(win.dilations, i, 1),
                                            win.pad_begin(i, nd), win.pad_end(i, nd), win.auto_pad, false));
  }
  out[0] = with_dims(x.dtype, std::move(dims));
  return Status::ok();
}

Status conv_transpose(const RuleInput& in, std::vector<ValueShape>& out) {
  Window win;
  int64_t group = 1;
  WISP_ASSIGN_OR_RETURN(bool known, conv_prologue(in, out, win, group, false));
  if (!known) return Status::ok();
  const ValueShape& x = in.inputs[0];
  const ValueShape& w = in.inputs[1];
  // W is [C, M / group, k...].
  if (x.dims[1].is_fixed() && w.dims[0].is_fixed() && x.dims[1].value != w.dims[0].value) {
    return mismatch(in.node, "input channels != weight dimension 0", x, w);
  }
  const size_t nd = x.dims.size() - 2;
  int64_t channels = w.dims[1].value;
  std::vector<Dim> dims = {x.dims[0], w.dims[1].is_fixed() && mul_ok(channels, group) ? fixed_dim(channels) : Dim{}};
  for (size_t i = 0; i < nd; ++i) {
    const Dim& in_dim = x.dims[2 + i];
    const int64_t k = win.at(win.kernel, i, w.dims[2 + i].value);
    const int64_t s = win.at(win.strides, i, 1);
    if (win.output_shape.size() == nd) {
      dims.push_back(fixed_dim(win.output_shape[i]));
    } else if (!in_dim.is_fixed() || k <= 0 || s <= 0 || win.at(win.dilations, i, 1) <= 0) {
      dims.push_back(Dim{});
    } else if (win.auto_pad == "SAME_UPPER" || win.auto_pad == "SAME_LOWER") {
      int64_t size = in_dim.value;
      dims.push_back(mul_ok(size, s) ? fixed_dim(size) : Dim{});
    } else {
      // s * (in - 1) + output_padding + ((k - 1) * d + 1) - pads
      int64_t extent = k - 1, size = in_dim.value - 1, pads = 0;
      if (win.auto_pad != "VALID") pads = win.pad_begin(i, nd);
      const bool ok = mul_ok(extent, win.at(win.dilations, i, 1)) && add_ok(extent, 1) && mul_ok(size, s) &&
                      add_ok(size, win.at(win.output_padding, i, 0)) && add_ok(size, extent) &&
                      (win.auto_pad == "VALID" || add_ok(pads, win.pad_end(i, nd))) && add_ok(size, -pads);
      dims.push_back(ok && size > 0 ? fixed_dim(size) : Dim{});
    }
  }
  out[0] = with_dims(x.dtype, std::move(dims));
  return Status::ok();
}

Status pool(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.empty()) return Status::ok();
  const ValueShape& x = in.inputs[0];
  out[0].dtype = x.dtype;
  WISP_ASSIGN_OR_RETURN(Window win, read_window(in.node));
  if (win.kernel.empty()) return Status::ok();
  WISP_RETURN_IF_ERROR(check_rank(in.node, x, 2 + int64_t(win.kernel.size()), "input X"));
  if (!x.has_shape) return Status::ok();
  const size_t nd = win.kernel.size();
  std::vector<Dim> dims = {x.dims[0], x.dims[1]};
  for (size_t i = 0; i < nd; ++i) {
    dims.push_back(conv_output_dim(x.dims[2 + i], win.kernel[i], win.at(win.strides, i, 1),
                                   win.at(win.dilations, i, 1), win.pad_begin(i, nd), win.pad_end(i, nd),
                                   win.auto_pad, win.ceil_mode));
  }
  out[0] = with_dims(x.dtype, dims);
  if (out.size() > 1) out[1] = with_dims(DType::Int64, dims);  // MaxPool's Indices
  return Status::ok();
}

Status global_pool(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.empty()) return Status::ok();
  const ValueShape& x = in.inputs[0];
  out[0].dtype = x.dtype;
  if (!x.has_shape || x.rank() < 2) return Status::ok();
  std::vector<Dim> dims = {x.dims[0], x.dims[1]};
  dims.resize(x.dims.size(), fixed_dim(1));
  out[0] = with_dims(x.dtype, std::move(dims));
  return Status::ok();
}

// ---- normalization -----------------------------------------------------------------------

// LayerNormalization: Y like X; Mean and InvStdDev keep the dims before `axis`, 1 after.
Status layer_norm(const RuleInput& in, std::vector<ValueShape>& out) {
  WISP_RETURN_IF_ERROR(same_as_input(in, out));
  if (in.inputs.empty()) return Status::ok();
  const ValueShape& x = in.inputs[0];
  WISP_ASSIGN_OR_RETURN(int64_t axis, in.node.attr_int("axis", -1));
  WISP_ASSIGN_OR_RETURN(int64_t stash, in.node.attr_int("stash_type", 1));
  if (!x.has_shape || !normalize_axis(axis, x.rank())) return Status::ok();
  std::vector<Dim> dims = x.dims;
  for (size_t i = size_t(axis); i < dims.size(); ++i) dims[i] = fixed_dim(1);
  for (size_t i = 1; i < out.size() && i < 3; ++i) out[i] = with_dims(DType(stash), dims);
  return Status::ok();
}

// ---- shape manipulation ------------------------------------------------------------------

Status transpose(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.empty()) return Status::ok();
  const ValueShape& x = in.inputs[0];
  out[0].dtype = x.dtype;
  if (!x.has_shape) return Status::ok();
  std::vector<int64_t> reversed;
  for (int64_t i = x.rank() - 1; i >= 0; --i) reversed.push_back(i);
  WISP_ASSIGN_OR_RETURN(std::vector<int64_t> perm, in.node.attr_ints("perm", reversed));
  if (int64_t(perm.size()) != x.rank()) return Status::ok();  // the kernel reports it
  std::vector<Dim> dims;
  for (int64_t p : perm) {
    if (!normalize_axis(p, x.rank())) return Status::ok();
    dims.push_back(x.dims[size_t(p)]);
  }
  out[0] = with_dims(x.dtype, std::move(dims));
  return Status::ok();
}

Status reshape(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.empty()) return Status::ok();
  const ValueShape& x = in.inputs[0];
  out[0].dtype = x.dtype;
  std::vector<int64_t> target;
  if (in.node.has_attr("shape")) {  // Reshape-1 took the shape as an attribute
    WISP_ASSIGN_OR_RETURN(target, in.node.attr_ints("shape"));
  } else if (!constant_ints(in, 1, target)) {
    // Unknown values, but a 1-D shape input of fixed length still gives the rank.
    const ValueShape& shape = in.inputs.size() > 1 ? in.inputs[1] : x;
    if (in.inputs.size() > 1 && shape.has_shape && shape.rank() == 1 && shape.dims[0].is_fixed() &&
        shape.dims[0].value <= kMaxRank) {
      out[0] = with_dims(x.dtype, std::vector<Dim>(size_t(shape.dims[0].value)));
    }
    return Status::ok();
  }
  WISP_ASSIGN_OR_RETURN(int64_t allow_zero, in.node.attr_int("allowzero", 0));
  // Input dims not copied by a 0 must account for the elements of the fixed target dims.
  std::vector<bool> copied(x.dims.size(), false);
  std::vector<Dim> dims;
  int64_t target_product = 1, inferred = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == 0 && !allow_zero) {
      if (!x.has_shape) {
        dims.push_back(Dim{});
        continue;
      }
      if (i >= x.dims.size()) return Status::ok();  // the kernel reports it
      copied[i] = true;
      dims.push_back(x.dims[i]);
    } else if (target[i] == -1) {
      if (inferred >= 0) return Status::ok();
      inferred = int64_t(i);
      dims.push_back(Dim{});
    } else if (target[i] < -1) {
      return Status::ok();
    } else {
      if (!mul_ok(target_product, target[i])) return Status::ok();
      dims.push_back(fixed_dim(target[i]));
    }
  }
  out[0] = with_dims(x.dtype, dims);
  if (!x.has_shape) return Status::ok();
  int64_t input_product = 1;
  for (size_t i = 0; i < x.dims.size(); ++i) {
    if (copied[i]) continue;
    if (!x.dims[i].is_fixed()) return Status::ok();
    if (!mul_ok(input_product, x.dims[i].value)) return Status::ok();
  }
  const bool fits = inferred >= 0 ? (target_product != 0 && input_product % target_product == 0)
                                  : input_product == target_product;
  if (!fits) {
    ValueShape requested = with_dims(x.dtype, {});
    for (int64_t t : target) requested.dims.push_back(t == -1 ? Dim{-1, "-1"} : fixed_dim(t));
    return mismatch(in.node, "element count does not match the target shape", x, requested);
  }
  if (inferred >= 0) out[0].dims[size_t(inferred)] = fixed_dim(input_product / target_product);
  return Status::ok();
}

// Product of dims[begin, end): fixed when all are; a lone dim keeps its symbol.
Dim product(const std::vector<Dim>& dims, size_t begin, size_t end) {
  std::vector<Dim> not_one;
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) {
    if (dims[i].is_fixed() && !mul_ok(p, dims[i].value)) return Dim{};
    if (!dims[i].is_fixed() || dims[i].value != 1) not_one.push_back(dims[i]);
  }
  if (all_fixed(dims, begin, end)) return fixed_dim(p);
  return not_one.size() == 1 ? not_one[0] : Dim{};
}

Status flatten(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.empty()) return Status::ok();
  const ValueShape& x = in.inputs[0];
  out[0].dtype = x.dtype;
  WISP_ASSIGN_OR_RETURN(int64_t axis, in.node.attr_int("axis", 1));
  if (!x.has_shape) return Status::ok();
  if (axis < 0) axis += x.rank();
  if (axis < 0 || axis > x.rank()) return Status::ok();
  out[0] = with_dims(x.dtype, {product(x.dims, 0, size_t(axis)), product(x.dims, size_t(axis), x.dims.size())});
  return Status::ok();
}

// Squeeze/Unsqueeze axes: an attribute before opset 13, the optional second input after.
bool read_axes(const RuleInput& in, std::vector<int64_t>& axes, bool& given) {
  given = true;
  if (in.node.has_attr("axes")) {
    Result<std::vector<int64_t>> a = in.node.attr_ints("axes");
    if (!a) return false;
    axes = std::move(a).value();
    return true;
  }
  if (in.inputs.size() > 1 && !in.node.inputs[1].empty()) return constant_ints(in, 1, axes);
  given = false;
  return true;
}

Status squeeze(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.empty()) return Status::ok();
  const ValueShape& x = in.inputs[0];
  out[0].dtype = x.dtype;
  std::vector<int64_t> axes;
  bool given = false;
  if (!x.has_shape || !read_axes(in, axes, given)) return Status::ok();
  std::vector<bool> drop(x.dims.size(), false);
  for (int64_t a : axes) {
    if (!normalize_axis(a, x.rank())) return Status::ok();
    drop[size_t(a)] = true;
  }
  std::vector<Dim> dims;
  for (size_t i = 0; i < x.dims.size(); ++i) {
    if (!given && !x.dims[i].is_fixed()) return Status::ok();  // may or may not be 1
    if (given ? drop[i] : x.dims[i].value == 1) continue;
    dims.push_back(x.dims[i]);
  }
  out[0] = with_dims(x.dtype, std::move(dims));
  return Status::ok();
}

Status unsqueeze(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.empty()) return Status::ok();
  const ValueShape& x = in.inputs[0];
  out[0].dtype = x.dtype;
  std::vector<int64_t> axes;
  bool given = false;
  if (!x.has_shape || !read_axes(in, axes, given) || !given) return Status::ok();
  const int64_t rank = x.rank() + int64_t(axes.size());
  std::vector<bool> inserted(size_t(rank), false);
  for (int64_t a : axes) {
    if (!normalize_axis(a, rank) || inserted[size_t(a)]) return Status::ok();
    inserted[size_t(a)] = true;
  }
  std::vector<Dim> dims;
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i) dims.push_back(inserted[size_t(i)] ? fixed_dim(1) : x.dims[next++]);
  out[0] = with_dims(x.dtype, std::move(dims));
  return Status::ok();
}

Status concat(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.empty()) return Status::ok();
  out[0].dtype = in.inputs[0].dtype;
  WISP_ASSIGN_OR_RETURN(int64_t axis, in.node.attr_int("axis", 0));
  const ValueShape* first = nullptr;
  for (const ValueShape& v : in.inputs) {
    if (!v.has_shape) continue;
    if (!first) first = &v;
    if (v.rank() != first->rank()) return mismatch(in.node, "inputs have different ranks", *first, v);
  }
  if (!first || !normalize_axis(axis, first->rank())) return Status::ok();
  ValueShape result = with_dims(first->dtype, first->dims);
  int64_t axis_total = 0;
  bool axis_fixed = true;
  for (const ValueShape& v : in.inputs) {
    if (!v.has_shape) {
      axis_fixed = false;
      continue;
    }
    for (size_t i = 0; i < v.dims.size(); ++i) {
      if (int64_t(i) == axis) continue;
      Dim& r = result.dims[i];
      if (r.is_fixed() && v.dims[i].is_fixed() && r.value != v.dims[i].value) {
        return mismatch(in.node, "inputs differ outside axis " + std::to_string(axis), *first, v);
      }
      if (!r.is_fixed() && (v.dims[i].is_fixed() || !same_dim(r, v.dims[i]))) r = v.dims[i].is_fixed() ? v.dims[i] : Dim{};
    }
    axis_fixed = axis_fixed && v.dims[size_t(axis)].is_fixed() && add_ok(axis_total, v.dims[size_t(axis)].value);
  }
  result.dims[size_t(axis)] = axis_fixed ? fixed_dim(axis_total) : Dim{};
  out[0] = result;
  return Status::ok();
}

Status shape_op(const RuleInput& in, std::vector<ValueShape>& out) {
  out[0] = with_dims(DType::Int64, {Dim{}});
  if (in.inputs.empty() || !in.inputs[0].has_shape) return Status::ok();
  const int64_t rank = in.inputs[0].rank();
  // Shape-15 may slice with start/end (clamped like Slice).
  WISP_ASSIGN_OR_RETURN(int64_t start, in.node.attr_int("start", 0));
  WISP_ASSIGN_OR_RETURN(int64_t end, in.node.attr_int("end", rank));
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  out[0].dims[0] = fixed_dim(std::max<int64_t>(0, end - start));
  return Status::ok();
}

Status size_op(const RuleInput&, std::vector<ValueShape>& out) {
  out[0] = with_dims(DType::Int64, {});
  return Status::ok();
}

Status gather(const RuleInput& in, std::vector<ValueShape>& out) {
  if (in.inputs.size() < 2) return Status::ok();
  const ValueShape& data = in.inputs[0];
  const ValueShape& indices = in.inputs[1];
  out[0].dtype = data.dtype;
  WISP_ASSIGN_OR_RETURN(int64_t axis, in.node.attr_int("axis", 0));
  if (!data.has_shape || !indices.has_shape || !normalize_axis(axis, data.rank())) return Status::ok();
  std::vector<Dim> dims(data.dims.begin(), data.dims.begin() + axis);
  dims.insert(dims.end(), indices.dims.begin(), indices.dims.end());
  dims.insert(dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  out[0] = with_dims(data.dtype, std::move(dims));
  return Status::ok();
}

// Constant nodes (left in place when the optimizer is off).
Status constant(const RuleInput& in, std::vector<ValueShape>& out) {
  const Node& node = in.node;
  if (const Attribute* v = node.attr("value"); v && v->kind == Attribute::Kind::Tensor) {
    std::vector<Dim> dims;
    for (int64_t d : v->t.shape()) dims.push_back(fixed_dim(d));
    out[0] = with_dims(v->t.dtype(), std::move(dims));
    out[0].constant = &v->t;
  } else if (node.has_attr("value_float") || node.has_attr("value_int")) {
    out[0] = with_dims(node.has_attr("value_int") ? DType::Int64 : DType::Float32, {});
  } else if (const Attribute* f = node.attr("value_floats")) {
    out[0] = with_dims(DType::Float32, {fixed_dim(int64_t(f->floats.size()))});
  } else if (const Attribute* i = node.attr("value_ints")) {
    out[0] = with_dims(DType::Int64, {fixed_dim(int64_t(i->ints.size()))});
  }
  return Status::ok();
}

const std::map<std::string, ShapeRule>& rules() {
  static const std::map<std::string, ShapeRule> table = [] {
    std::map<std::string, ShapeRule> t;
    for (const char* op : {"Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sign",
                           "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
                           "Erf", "Relu", "LeakyRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid", "HardSwish",
                           "Softplus", "Softsign", "Tanh", "Gelu", "Mish", "ThresholdedRelu", "Clip", "Shrink",
                           "Not", "BitwiseNot", "Identity", "Softmax", "LogSoftmax", "Hardmax", "LRN",
                           "BatchNormalization", "InstanceNormalization", "MeanVarianceNormalization",
                           "LpNormalization", "CumSum"}) {
      t[op] = same_as_input;
    }
    for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean", "PRelu",
                           "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor"}) {
      t[op] = broadcasting;
    }
    for (const char* op : {"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"}) {
      t[op] = comparison;
    }
    for (const char* op : {"IsNaN", "IsInf"}) t[op] = bool_same_shape;
    for (const char* op : {"MaxPool", "AveragePool", "LpPool"}) t[op] = pool;
    for (const char* op : {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}) t[op] = global_pool;
    t["Where"] = where;
    t["Cast"] = cast;
    t["CastLike"] = cast_like;
    t["Dropout"] = dropout;
    t["MatMul"] = matmul;
    t["Gemm"] = gemm;
    t["Conv"] = conv;
    t["ConvTranspose"] = conv_transpose;
    t["LayerNormalization"] = layer_norm;
    t["Transpose"] = transpose;
    t["Reshape"] = reshape;
    t["Flatten"] = flatten;
    t["Squeeze"] = squeeze;
    t["Unsqueeze"] = unsqueeze;
    t["Concat"] = concat;
    t["Shape"] = shape_op;
    t["Size"] = size_op;
    t["Gather"] = gather;
    t["Constant"] = constant;
    return t;
  }();
  return table;
}

}  // namespace

ShapeRule find_shape_rule(const std::string& op_type) {
  auto it = rules().find(op_type);
  return it == rules().end() ? nullptr : it->second;
}

Dim fixed_dim(int64_t value) { return Dim{value, ""}; }

std::string dims_to_string(const ValueShape& value) {
  if (!value.has_shape) return "[unknown rank]";
  std::string s = "[";
  for (size_t i = 0; i < value.dims.size(); ++i) {
    const Dim& d = value.dims[i];
    s += (i ? ", " : "") + (d.is_fixed() ? std::to_string(d.value) : d.symbol.empty() ? "?" : d.symbol);
  }
  return s + "]";
}

Status broadcast_into(const Node& node, const ValueShape& a, const ValueShape& b, ValueShape& out) {
  if (!a.has_shape || !b.has_shape) {
    out = ValueShape{a.dtype, false, {}, nullptr};
    return Status::ok();
  }
  const size_t rank = std::max(a.dims.size(), b.dims.size());
  std::vector<Dim> dims(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the right; missing leading dims act as 1.
    const Dim da = i + a.dims.size() >= rank ? a.dims[i + a.dims.size() - rank] : fixed_dim(1);
    const Dim db = i + b.dims.size() >= rank ? b.dims[i + b.dims.size() - rank] : fixed_dim(1);
    if (da.is_fixed() && db.is_fixed() && da.value != db.value && da.value != 1 && db.value != 1) {
      return mismatch(node, "shapes cannot be broadcast", a, b);
    }
    if (da.is_fixed() && da.value == 1) {
      dims[i] = db;
    } else if (db.is_fixed() && db.value == 1) {
      dims[i] = da;
    } else if (da.is_fixed() || db.is_fixed()) {
      dims[i] = da.is_fixed() ? da : db;  // a symbol next to a fixed dim n > 1 is 1 or n
    } else {
      dims[i] = same_dim(da, db) ? da : Dim{};
    }
  }
  out = with_dims(a.dtype, std::move(dims));
  return Status::ok();
}

Dim conv_output_dim(const Dim& in, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_begin,
                    int64_t pad_end, const std::string& auto_pad, bool ceil_mode) {
  if (!in.is_fixed() || stride <= 0 || dilation <= 0 || kernel <= 0) return Dim{};
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") return fixed_dim(in.value / stride + (in.value % stride != 0));
  int64_t extent = kernel - 1, out = 0;
  if (!mul_ok(extent, dilation) || !add_ok(extent, 1)) return Dim{};
  if (auto_pad == "VALID") {
    const int64_t span = in.value - extent;
    if (span < 0) return Dim{};
    out = span / stride + 1;
    if (ceil_mode && span % stride != 0) ++out;
  } else {
    int64_t span = in.value;
    if (!add_ok(span, pad_begin) || !add_ok(span, pad_end) || !add_ok(span, -extent) || span < 0) return Dim{};
    out = span / stride + 1;
    if (ceil_mode && span % stride != 0) ++out;
    // A window that would start inside the end padding is dropped (as the pool kernels do).
    int64_t last_start = out - 1;
    int64_t first_pad = in.value;
    if (ceil_mode && mul_ok(last_start, stride) && add_ok(first_pad, pad_begin) && last_start >= first_pad) --out;
  }
  return out > 0 ? fixed_dim(out) : Dim{};
}

}  // namespace wisp::shape
