// Ops that make tensors from attributes or from shapes: Constant, ConstantOfShape, EyeLike,
// Range, Shape, Size. Their int64 outputs are usually constant-folded, so they stay cheap.
#include <algorithm>
#include <cmath>

#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

class ConstantOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    const Node& n = ctx.node;
    int found = 0;
    for (const auto& [key, attr] : n.attributes) {
      if (key == "value") {
        WISP_CHECK_MODEL(attr.kind == Attribute::Kind::Tensor, "attribute 'value' must be a tensor");
        value_ = attr.t;
      } else if (key == "value_float") {
        value_ = Tensor::from_vector<float>({}, {attr.f});
      } else if (key == "value_floats") {
        value_ = Tensor::from_vector<float>({int64_t(attr.floats.size())}, attr.floats);
      } else if (key == "value_int") {
        value_ = Tensor::from_vector<int64_t>({}, {attr.i});
      } else if (key == "value_ints") {
        value_ = Tensor::from_vector<int64_t>({int64_t(attr.ints.size())}, attr.ints);
      } else if (key == "value_string") {
        value_ = Tensor::from_strings({}, {attr.s});
      } else if (key == "value_strings") {
        value_ = Tensor::from_strings({int64_t(attr.strings.size())}, attr.strings);
      } else if (key == "sparse_value") {
        return unsupported("sparse_value constants are not supported");
      } else {
        continue;
      }
      ++found;
    }
    WISP_CHECK_MODEL(found == 1, "Constant needs exactly one value attribute, got ", found);
    WISP_CHECK_MODEL(value_.defined(), "Constant value is empty");
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    ctx.set_output(0, value_);
    return Status::ok();
  }

 private:
  Tensor value_;
};

class ConstantOfShapeOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    if (const Attribute* a = ctx.node.attr("value")) {
      WISP_CHECK_MODEL(a->kind == Attribute::Kind::Tensor && a->t.numel() == 1,
                       "attribute 'value' must be a one-element tensor");
      value_ = a->t;
    } else {
      value_ = Tensor::from_vector<float>({1}, {0.0f});
    }
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(Shape shape, read_int64s(ctx.input(0), "shape"));
    WISP_CHECK_ARG(ctx.input(0).rank() == 1, "shape input must be 1-D, got ", ctx.input(0).describe());
    for (int64_t d : shape) WISP_CHECK_ARG(d >= 0, "negative dimension in shape ", shape_to_string(shape));
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, value_.dtype(), shape));
    fill_with(*out, 0, out->numel(), value_);
    return Status::ok();
  }

 private:
  Tensor value_;
};

class EyeLikeOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(k_, ctx.node.attr_int("k", 0));
    WISP_ASSIGN_OR_RETURN(int64_t dt, ctx.node.attr_int("dtype", 0));
    if (dt != 0) {
      WISP_CHECK_MODEL(dtype_is_known(int32_t(dt)) && DType(dt) != DType::String, "unsupported dtype ", dt);
      dtype_ = DType(dt);
    }
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() == 2, "EyeLike input must be 2-D, got ", x.describe());
    DType dt = dtype_ == DType::Undefined ? x.dtype() : dtype_;
    WISP_CHECK_ARG(dt != DType::String, "EyeLike does not support strings");
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dt, x.shape()));
    std::memset(out->raw_data(), 0, out->nbytes());
    int64_t rows = x.dim(0), cols = x.dim(1);
    for (int64_t r = 0; r < rows; ++r) {
      int64_t c = r + k_;
      if (c >= 0 && c < cols) set_from_double(*out, r * cols + c, 1.0);
    }
    return Status::ok();
  }

 private:
  int64_t k_ = 0;
  DType dtype_ = DType::Undefined;
};

class RangeOp final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    const Tensor& start = ctx.input(0);
    const Tensor& limit = ctx.input(1);
    const Tensor& delta = ctx.input(2);
    WISP_CHECK_ARG(start.numel() == 1 && limit.numel() == 1 && delta.numel() == 1,
                   "Range inputs must be scalars, got ", start.describe(), ", ", limit.describe(), ", ",
                   delta.describe());
    WISP_CHECK_ARG(start.dtype() == limit.dtype() && start.dtype() == delta.dtype(),
                   "Range inputs must share one dtype");
    DType dt = start.dtype();
    WISP_CHECK_ARG(dt == DType::Float32 || dt == DType::Float64 || dt == DType::Int16 || dt == DType::Int32 ||
                       dt == DType::Int64,
                   "Range does not support ", dtype_name(dt));
    int64_t count = 0;
    if (dtype_is_integer(dt)) {
      int64_t s = start.get_as_int64(0), l = limit.get_as_int64(0), d = delta.get_as_int64(0);
      WISP_CHECK_ARG(d != 0, "Range delta must not be zero");
      // ceil((l - s) / d) in unsigned integers so that extreme values cannot overflow.
      uint64_t n = 0;
      if ((d > 0 && l > s) || (d < 0 && l < s)) {
        uint64_t span = d > 0 ? uint64_t(l) - uint64_t(s) : uint64_t(s) - uint64_t(l);
        uint64_t step = d > 0 ? uint64_t(d) : uint64_t(0) - uint64_t(d);
        n = span / step + (span % step != 0);
      }
      WISP_CHECK_ARG(n <= uint64_t(ctx.limits().max_tensor_elements), "Range would produce ", n,
                     " elements, above the limit");
      count = int64_t(n);
      WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dt, {count}));
      visit_numeric_dtype(dt, [&](auto tag) {
        using T = decltype(tag);
        if constexpr (std::is_integral_v<T>) {
          T* p = out->data<T>();
          // Wrapping unsigned arithmetic: i * d alone may leave int64 (start near INT64_MIN,
          // limit near INT64_MAX) although every s + i * d fits.
          for (int64_t i = 0; i < count; ++i) p[i] = T(int64_t(uint64_t(s) + uint64_t(i) * uint64_t(d)));
        }
      });
      return Status::ok();
    }
    double s = start.get_as_double(0), l = limit.get_as_double(0), d = delta.get_as_double(0);
    WISP_CHECK_ARG(d != 0 && std::isfinite(s) && std::isfinite(l) && std::isfinite(d),
                   "Range needs finite inputs and a non-zero delta");
    double n = std::ceil((l - s) / d);
    if (!(n > 0)) n = 0;
    WISP_CHECK_ARG(n <= double(ctx.limits().max_tensor_elements), "Range would produce ", n,
                   " elements, above the limit");
    count = int64_t(n);
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dt, {count}));
    // The spec's reference adds delta repeatedly in the input precision.
    if (dt == DType::Float32) {
      float* p = out->data<float>();
      float v = float(s), fd = float(d);
      for (int64_t i = 0; i < count; ++i, v += fd) p[i] = v;
    } else {
      double* p = out->data<double>();
      for (int64_t i = 0; i < count; ++i) p[i] = s + double(i) * d;
    }
    return Status::ok();
  }
};

class ShapeOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(start_, ctx.node.attr_int("start", 0));
    has_end_ = ctx.node.has_attr("end");
    WISP_ASSIGN_OR_RETURN(end_, ctx.node.attr_int("end", 0));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Shape& shape = ctx.input(0).shape();
    int64_t rank = int64_t(shape.size());
    auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t(0), rank); };
    int64_t b = clamp(start_), e = has_end_ ? clamp(end_) : rank;
    int64_t n = std::max<int64_t>(0, e - b);
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DType::Int64, {n}));
    for (int64_t i = 0; i < n; ++i) out->data<int64_t>()[i] = shape[size_t(b + i)];
    return Status::ok();
  }

 private:
  int64_t start_ = 0, end_ = 0;
  bool has_end_ = false;
};

class SizeOp final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DType::Int64, {}));
    out->data<int64_t>()[0] = ctx.input(0).numel();
    return Status::ok();
  }
};

}  // namespace

void register_constant_ops(OpRegistry& r) {
  r.add<ConstantOp>("Constant");
  r.add<ConstantOfShapeOp>("ConstantOfShape");
  r.add<EyeLikeOp>("EyeLike");
  r.add<RangeOp>("Range");
  r.add<ShapeOp>("Shape");
  r.add<SizeOp>("Size");
}

}  // namespace wisp::shape_ops
