// Index-driven data movement: OneHot, NonZero, Trilu, Compress, ReverseSequence.
#include <algorithm>
#include <cmath>

#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

class OneHotOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", -1));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& indices = ctx.input(0);
    const Tensor& depth_t = ctx.input(1);
    const Tensor& values = ctx.input(2);
    WISP_CHECK_ARG(depth_t.numel() == 1 && depth_t.dtype() != DType::String, "depth must be a numeric scalar, got ",
                   depth_t.describe());
    WISP_CHECK_ARG(values.numel() == 2, "values must hold [off, on], got ", values.describe());
    WISP_CHECK_ARG(indices.dtype() != DType::String, "indices must be numeric");
    const double depth_d = depth_t.get_as_double(0);
    WISP_CHECK_ARG(depth_d >= 1 && depth_d <= double(ctx.limits().max_tensor_elements), "invalid depth ", depth_d);
    const int64_t depth = int64_t(depth_d);
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, indices.rank() + 1));
    Shape out_shape = indices.shape();
    out_shape.insert(out_shape.begin() + axis, depth);
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, values.dtype(), out_shape));
    Tensor off = values.slice_view(0, {}), on = values.slice_view(1, {});
    fill_with(*out, 0, out->numel(), off);
    const int64_t inner = dims_product(indices.shape(), size_t(axis), indices.shape().size());
    ElementCopier copier(*out, values);
    for (int64_t i = 0; i < indices.numel(); ++i) {
      double v = indices.get_as_double(i);
      if (!(v >= -depth_d && v < depth_d)) continue;  // out of range (or NaN): all off
      int64_t k = int64_t(v);
      if (k < 0) k += depth;
      int64_t o = i / inner, in = i % inner;
      copier.copy_one((o * depth + k) * inner + in, 1);
    }
    return Status::ok();
  }

 private:
  int64_t axis_ = -1;
};

// True when element i is not zero (NaN counts as non-zero, -0.0 as zero).
bool is_nonzero(const Tensor& t, int64_t i) {
  if (t.dtype() == DType::String) return !t.strings()[i].empty();
  return t.get_as_double(i) != 0.0 || std::isnan(t.get_as_double(i));
}

class NonZeroOp final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> hits;
    for (int64_t i = 0; i < x.numel(); ++i) if (is_nonzero(x, i)) hits.push_back(i);
    const int64_t rank = x.rank(), n = int64_t(hits.size());
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DType::Int64, {rank, n}));
    int64_t* o = out->data<int64_t>();
    for (int64_t j = 0; j < n; ++j) {
      int64_t rem = hits[size_t(j)];
      for (int64_t d = rank; d-- > 0;) {
        o[d * n + j] = rem % x.dim(d);
        rem /= x.dim(d);
      }
    }
    return Status::ok();
  }
};

class TriluOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(int64_t upper, ctx.node.attr_int("upper", 1));
    upper_ = upper != 0;
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 2, "input must have rank >= 2, got ", x.describe());
    WISP_CHECK_ARG(x.dtype() != DType::String, "Trilu does not support strings");
    int64_t k = 0;
    if (ctx.has_input(1)) {
      WISP_ASSIGN_OR_RETURN(std::vector<int64_t> kv, read_int64s(ctx.input(1), "k"));
      WISP_CHECK_ARG(kv.size() == 1, "k must be a scalar");
      k = kv[0];
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    const int64_t rows = x.dim(-2), cols = x.dim(-1);
    const int64_t mats = (rows > 0 && cols > 0) ? x.numel() / (rows * cols) : 0;
    const size_t elem = dtype_size(x.dtype());
    std::memcpy(out->raw_data(), x.raw_data(), x.nbytes());
    char* base = static_cast<char*>(out->raw_data());
    // Clamp k so that i + k cannot overflow; beyond +-(rows + cols) every k means the same.
    k = std::clamp<int64_t>(k, -(rows + cols), rows + cols);
    for (int64_t m = 0; m < mats; ++m) {
      for (int64_t i = 0; i < rows; ++i) {
        char* row = base + (m * rows + i) * cols * int64_t(elem);
        // Kept columns: j >= i + k (upper) or j <= i + k (lower); zero the rest.
        int64_t edge = std::clamp<int64_t>(upper_ ? i + k : i + k + 1, 0, cols);
        if (upper_) std::memset(row, 0, size_t(edge) * elem);
        else std::memset(row + edge * int64_t(elem), 0, size_t(cols - edge) * elem);
      }
    }
    return Status::ok();
  }

 private:
  bool upper_ = true;
};

class CompressOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    has_axis_ = ctx.node.has_attr("axis");
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 0));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& cond = ctx.input(1);
    WISP_CHECK_ARG(cond.rank() == 1, "condition must be 1-D, got ", cond.describe());
    WISP_CHECK_ARG(cond.dtype() != DType::String, "condition must be bool");
    Tensor x = input;
    int64_t axis = 0;
    if (has_axis_) {
      WISP_ASSIGN_OR_RETURN(axis, normalize_axis(axis_, x.rank()));
    } else {
      WISP_ASSIGN_OR_RETURN(x, input.reshaped({input.numel()}));
    }
    const int64_t extent = x.dim(axis);
    std::vector<int64_t> picked;
    for (int64_t i = 0; i < cond.numel(); ++i) {
      if (cond.get_as_double(i) == 0) continue;
      WISP_CHECK_ARG(i < extent, "condition selects index ", i, " beyond axis extent ", extent);
      picked.push_back(i);
    }
    Shape out_shape = x.shape();
    out_shape[size_t(axis)] = int64_t(picked.size());
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), out_shape));
    const int64_t outer = dims_product(x.shape(), 0, size_t(axis));
    const int64_t inner = dims_product(x.shape(), size_t(axis) + 1, x.shape().size());
    ElementCopier copier(*out, x);
    int64_t dst = 0;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t p : picked) {
        copier.copy(dst, (o * extent + p) * inner, inner);
        dst += inner;
      }
    }
    return Status::ok();
  }

 private:
  bool has_axis_ = false;
  int64_t axis_ = 0;
};

class ReverseSequenceOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(time_axis_, ctx.node.attr_int("time_axis", 0));
    WISP_ASSIGN_OR_RETURN(batch_axis_, ctx.node.attr_int("batch_axis", 1));
    WISP_CHECK_MODEL((time_axis_ == 0 && batch_axis_ == 1) || (time_axis_ == 1 && batch_axis_ == 0),
                     "time_axis and batch_axis must be 0 and 1");
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 2, "input must have rank >= 2, got ", x.describe());
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> lens, read_int64s(ctx.input(1), "sequence_lens"));
    const int64_t steps = x.dim(time_axis_), batch = x.dim(batch_axis_);
    WISP_CHECK_ARG(int64_t(lens.size()) == batch, "sequence_lens has ", lens.size(), " entries for batch ", batch);
    for (int64_t l : lens) WISP_CHECK_ARG(l >= 0 && l <= steps, "sequence length ", l, " is outside [0, ", steps, "]");
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    const int64_t inner = dims_product(x.shape(), 2, x.shape().size());
    const int64_t time_stride = (time_axis_ == 0 ? batch : 1) * inner;
    const int64_t batch_stride = (batch_axis_ == 0 ? steps : 1) * inner;
    ElementCopier copier(*out, x);
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t len = lens[size_t(b)];
      for (int64_t t = 0; t < steps; ++t) {
        int64_t src_t = t < len ? len - 1 - t : t;
        copier.copy(b * batch_stride + t * time_stride, b * batch_stride + src_t * time_stride, inner);
      }
    }
    return Status::ok();
  }

 private:
  int64_t time_axis_ = 0, batch_axis_ = 1;
};

}  // namespace

void register_index_ops(OpRegistry& r) {
  r.add<OneHotOp>("OneHot");
  r.add<NonZeroOp>("NonZero");
  r.add<TriluOp>("Trilu");
  r.add<CompressOp>("Compress");
  r.add<ReverseSequenceOp>("ReverseSequence");
}

}  // namespace wisp::shape_ops
