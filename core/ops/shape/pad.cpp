// Pad (modes constant / reflect / edge / wrap; negative pads crop) and CenterCropPad, which
// is a Pad with centred, possibly negative, pads.
#include <algorithm>

#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

enum class PadMode { Constant, Reflect, Edge, Wrap };

Result<PadMode> parse_mode(const std::string& m) {
  if (m == "constant") return PadMode::Constant;
  if (m == "reflect") return PadMode::Reflect;
  if (m == "edge") return PadMode::Edge;
  if (m == "wrap") return PadMode::Wrap;
  return invalid_model("unknown pad mode '", m, "'");
}

// Source index along an axis of extent n for output position o, or -1 for "use the constant".
int64_t source_index(int64_t o, int64_t begin, int64_t n, PadMode mode) {
  int64_t j = o - begin;
  if (j >= 0 && j < n) return j;
  switch (mode) {
    case PadMode::Constant: return -1;
    case PadMode::Edge: return j < 0 ? 0 : n - 1;
    case PadMode::Wrap: return ((j % n) + n) % n;
    case PadMode::Reflect: {
      if (n == 1) return 0;
      int64_t period = 2 * (n - 1);
      j = ((j % period) + period) % period;
      return j < n ? j : period - j;
    }
  }
  return -1;
}

// A run of output positions along the last axis: `length` elements copied from `src`
// onwards (or the constant when src < 0).
struct Run {
  int64_t out, src, length;
};

Status pad_to_output(OpContext& ctx, const Tensor& x, const std::vector<int64_t>& begin,
                     const std::vector<int64_t>& end, PadMode mode, const Tensor& value) {
  const size_t rank = x.shape().size();
  Shape out_shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t n = x.shape()[d];
    const int64_t limit = ctx.limits().max_tensor_elements;
    WISP_CHECK_ARG(begin[d] >= -limit && begin[d] <= limit && end[d] >= -limit && end[d] <= limit,
                   "pad amount exceeds the tensor size limit");
    out_shape[d] = n + begin[d] + end[d];
    WISP_CHECK_ARG(out_shape[d] >= 0, "pads ", begin[d], ", ", end[d], " crop more than axis ", d, " of ",
                   x.describe(), " holds");
    WISP_CHECK_ARG(mode == PadMode::Constant || n > 0 || out_shape[d] == 0, "cannot pad an empty axis ", d,
                   " in this mode");
  }
  WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), out_shape));
  if (out->numel() == 0) return Status::ok();
  if (rank == 0) {
    ElementCopier(*out, x).copy(0, 0, 1);
    return Status::ok();
  }

  // Source index for every output position of every axis but the last.
  std::vector<std::vector<int64_t>> maps(rank);
  for (size_t d = 0; d + 1 < rank; ++d) {
    maps[d].resize(size_t(out_shape[d]));
    for (int64_t o = 0; o < out_shape[d]; ++o) maps[d][size_t(o)] = source_index(o, begin[d], x.shape()[d], mode);
  }
  // The last axis as runs, so the interior is one memcpy per row.
  std::vector<Run> runs;
  const size_t last = rank - 1;
  for (int64_t o = 0; o < out_shape[last]; ++o) {
    int64_t s = source_index(o, begin[last], x.shape()[last], mode);
    if (!runs.empty()) {
      Run& r = runs.back();
      bool extends = (s < 0 && r.src < 0) || (s >= 0 && r.src >= 0 && s == r.src + r.length);
      if (extends) {
        ++r.length;
        continue;
      }
    }
    runs.push_back({o, s, 1});
  }

  const std::vector<int64_t> in_strides = x.strides();
  const int64_t row_len = out_shape[last];
  const int64_t rows = out->numel() / row_len;
  ElementCopier copier(*out, x);
  parallel_for(ctx.threads(), rows, std::max<int64_t>(1, 16384 / row_len), [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      int64_t rem = row, src = 0;
      bool constant_row = false;
      for (size_t d = last; d-- > 0;) {
        int64_t s = maps[d][size_t(rem % out_shape[d])];
        rem /= out_shape[d];
        if (s < 0) constant_row = true;
        src += s * in_strides[d];
      }
      const int64_t dst = row * row_len;
      if (constant_row) {
        fill_with(*out, dst, row_len, value);
        continue;
      }
      for (const Run& r : runs) {
        if (r.src < 0) fill_with(*out, dst + r.out, r.length, value);
        else copier.copy(dst + r.out, src + r.src, r.length);
      }
    }
  });
  return Status::ok();
}

// A one-element tensor of `dtype` holding zero (or the empty string).
Result<Tensor> zero_value(DType dtype) {
  if (dtype == DType::String) return Tensor::from_strings({}, {""});
  return Tensor::zeros(dtype, {});
}

class PadOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    opset_ = ctx.opset == 0 ? 1000 : ctx.opset;
    WISP_ASSIGN_OR_RETURN(std::string m, ctx.node.attr_string("mode", "constant"));
    WISP_ASSIGN_OR_RETURN(mode_, parse_mode(m));
    if (opset_ < 11) {
      WISP_ASSIGN_OR_RETURN(pads_attr_, ctx.node.attr_ints(opset_ < 2 ? "paddings" : "pads"));
      WISP_ASSIGN_OR_RETURN(value_attr_, ctx.node.attr_float("value", 0.0f));
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    std::vector<int64_t> pads = pads_attr_, axes;
    Tensor value;
    if (opset_ < 11) {
      WISP_ASSIGN_OR_RETURN(value, zero_value(x.dtype()));
      if (x.dtype() != DType::String) set_from_double(value, 0, value_attr_);
    } else {
      WISP_ASSIGN_OR_RETURN(pads, read_int64s(ctx.input(1), "pads"));
      if (ctx.has_input(2) && ctx.input(2).numel() > 0) {
        const Tensor& v = ctx.input(2);
        WISP_CHECK_ARG(v.dtype() == x.dtype(), "constant_value ", v.describe(), " does not match ", x.describe());
        value = v.slice_view(0, {});
      } else {
        WISP_ASSIGN_OR_RETURN(value, zero_value(x.dtype()));
      }
      WISP_ASSIGN_OR_RETURN(axes, optional_int64s(ctx, 3, "axes"));
    }
    if (axes.empty() && !(opset_ >= 18 && ctx.has_input(3))) {
      for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
    }
    WISP_ASSIGN_OR_RETURN(axes, normalize_axes(axes, rank));
    WISP_CHECK_ARG(pads.size() == 2 * axes.size(), "pads has ", pads.size(), " entries, expected ",
                   2 * axes.size(), " for ", x.describe());
    std::vector<int64_t> begin(size_t(rank), 0), end(size_t(rank), 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      begin[size_t(axes[i])] = pads[i];
      end[size_t(axes[i])] = pads[i + axes.size()];
    }
    return pad_to_output(ctx, x, begin, end, mode_, value);
  }

 private:
  int64_t opset_ = 0;
  PadMode mode_ = PadMode::Constant;
  std::vector<int64_t> pads_attr_;
  float value_attr_ = 0;
};

class CenterCropPadOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axes_, ctx.node.attr_ints("axes"));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> shape, read_int64s(ctx.input(1), "shape"));
    std::vector<int64_t> axes = axes_;
    if (axes.empty()) for (int64_t d = 0; d < x.rank(); ++d) axes.push_back(d);
    WISP_ASSIGN_OR_RETURN(axes, normalize_axes(axes, x.rank()));
    WISP_CHECK_ARG(shape.size() == axes.size(), "shape has ", shape.size(), " entries for ", axes.size(), " axes");
    std::vector<int64_t> begin(size_t(x.rank()), 0), end(size_t(x.rank()), 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      const int64_t n = x.dim(axes[i]), t = shape[i];
      WISP_CHECK_ARG(t >= 0, "negative target size ", t);
      // Cropping removes (n - t) / 2 from the start; padding adds (t - n) / 2 there.
      int64_t b = n >= t ? -((n - t) / 2) : (t - n) / 2;
      begin[size_t(axes[i])] = b;
      end[size_t(axes[i])] = t - n - b;
    }
    WISP_ASSIGN_OR_RETURN(Tensor zero, zero_value(x.dtype()));
    return pad_to_output(ctx, x, begin, end, PadMode::Constant, zero);
  }

 private:
  std::vector<int64_t> axes_;
};

}  // namespace

void register_pad_ops(OpRegistry& r) {
  r.add<PadOp>("Pad");
  r.add<CenterCropPadOp>("CenterCropPad");
}

}  // namespace wisp::shape_ops
