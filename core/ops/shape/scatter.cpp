// Scatter (deprecated), ScatterElements and ScatterND, with the optional reductions
// add / mul (opset 16) and max / min (opset 18).
#include <algorithm>

#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

enum class Reduction { None, Add, Mul, Max, Min };

Result<Reduction> parse_reduction(const Node& node) {
  WISP_ASSIGN_OR_RETURN(std::string r, node.attr_string("reduction", "none"));
  if (r == "none") return Reduction::None;
  if (r == "add") return Reduction::Add;
  if (r == "mul") return Reduction::Mul;
  if (r == "max") return Reduction::Max;
  if (r == "min") return Reduction::Min;
  return invalid_model("unknown reduction '", r, "'");
}

template <typename T>
float to_float(T v) {
  if constexpr (std::is_same_v<T, Float16>) return half_to_float(v.bits);
  else return bfloat16_to_float(v.bits);
}

template <typename T>
T combine(T a, T b, Reduction r) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    float x = combine(to_float(a), to_float(b), r);
    if constexpr (std::is_same_v<T, Float16>) return Float16{float_to_half(x)};
    else return BFloat16{float_to_bfloat16(x)};
  } else if constexpr (std::is_same_v<T, bool>) {
    switch (r) {
      case Reduction::Add: case Reduction::Max: return a || b;
      case Reduction::Mul: case Reduction::Min: return a && b;
      default: return b;
    }
  } else {
    switch (r) {
      case Reduction::Add: return T(a + b);
      case Reduction::Mul: return T(a * b);
      case Reduction::Max: return std::max(a, b);
      case Reduction::Min: return std::min(a, b);
      default: return b;
    }
  }
}

// Writes updates into `out` element by element: dst_of(i) gives the target of update element i
// (runs of `block` consecutive elements).
class Scatterer {
 public:
  Scatterer(Tensor& out, const Tensor& updates, Reduction r) : out_(out), updates_(updates), r_(r), copier_(out, updates) {}

  void apply(int64_t dst, int64_t src, int64_t n) const {
    if (r_ == Reduction::None) {
      copier_.copy(dst, src, n);
      return;
    }
    visit_numeric_dtype(out_.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* o = out_.data<T>();
      const T* u = updates_.data<T>();
      for (int64_t k = 0; k < n; ++k) o[dst + k] = combine(o[dst + k], u[src + k], r_);
    });
  }

 private:
  Tensor& out_;
  const Tensor& updates_;
  Reduction r_;
  ElementCopier copier_;
};

// The output starts as a copy of data, or is data itself when the executor frees it next.
Result<Tensor> output_from_data(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  if (ctx.input_is_dying(0)) return data;
  WISP_ASSIGN_OR_RETURN(Tensor out, ctx.allocate(data.dtype(), data.shape()));
  ElementCopier(out, data).copy(0, 0, data.numel());
  return out;
}

Status check_reduction_dtype(const Tensor& data, Reduction r) {
  WISP_CHECK_ARG(r == Reduction::None || data.dtype() != DType::String, "reduction needs a numeric tensor, got ",
                 data.describe());
  return Status::ok();
}

class ScatterElementsOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 0));
    WISP_ASSIGN_OR_RETURN(reduction_, parse_reduction(ctx.node));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    WISP_CHECK_ARG(updates.dtype() == data.dtype(), "updates ", updates.describe(), " do not match data ",
                   data.describe());
    WISP_CHECK_ARG(indices.shape() == updates.shape(), "indices ", indices.describe(), " and updates ",
                   updates.describe(), " must have the same shape");
    WISP_CHECK_ARG(data.rank() == indices.rank() && data.rank() > 0, "data ", data.describe(), " and indices ",
                   indices.describe(), " must have the same non-zero rank");
    WISP_RETURN_IF_ERROR(check_reduction_dtype(data, reduction_));
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, data.rank()));
    for (int64_t d = 0; d < data.rank(); ++d) {
      WISP_CHECK_ARG(d == axis || indices.dim(d) <= data.dim(d), "indices ", indices.describe(),
                     " exceed data ", data.describe(), " on axis ", d);
    }
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int64s(indices, "indices"));
    for (int64_t& i : idx) {
      WISP_ASSIGN_OR_RETURN(i, checked_index(i, data.dim(axis), "scatter"));
    }

    WISP_ASSIGN_OR_RETURN(Tensor out, output_from_data(ctx));
    Scatterer scatter(out, updates, reduction_);
    const std::vector<int64_t> strides = data.strides();
    const size_t rank = size_t(data.rank());
    std::vector<int64_t> counter(rank, 0);
    for (int64_t i = 0; i < int64_t(idx.size()); ++i) {
      int64_t dst = 0;
      for (size_t d = 0; d < rank; ++d) dst += (d == size_t(axis) ? idx[size_t(i)] : counter[d]) * strides[d];
      scatter.apply(dst, i, 1);
      for (size_t d = rank; d-- > 0;) {
        if (++counter[d] < indices.shape()[d]) break;
        counter[d] = 0;
      }
    }
    ctx.set_output(0, std::move(out));
    return Status::ok();
  }

 private:
  int64_t axis_ = 0;
  Reduction reduction_ = Reduction::None;
};

class ScatterNDOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(reduction_, parse_reduction(ctx.node));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    WISP_CHECK_ARG(updates.dtype() == data.dtype(), "updates ", updates.describe(), " do not match data ",
                   data.describe());
    WISP_CHECK_ARG(indices.rank() >= 1, "indices must have rank >= 1");
    WISP_RETURN_IF_ERROR(check_reduction_dtype(data, reduction_));
    const int64_t k = indices.dim(-1);
    WISP_CHECK_ARG(k >= 0 && k <= data.rank(), "indices ", indices.describe(), " index too many dims of ",
                   data.describe());
    Shape expected(indices.shape().begin(), indices.shape().end() - 1);
    expected.insert(expected.end(), data.shape().begin() + k, data.shape().end());
    WISP_CHECK_ARG(updates.shape() == expected, "updates ", updates.describe(), " should have shape ",
                   shape_to_string(expected));
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int64s(indices, "indices"));
    const std::vector<int64_t> strides = data.strides();
    const int64_t block = dims_product(data.shape(), size_t(k), data.shape().size());
    const int64_t tuples = dims_product(indices.shape(), 0, indices.shape().size() - 1);
    std::vector<int64_t> targets(static_cast<size_t>(tuples));
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t dst = 0;
      for (int64_t j = 0; j < k; ++j) {
        WISP_ASSIGN_OR_RETURN(int64_t i, checked_index(idx[size_t(t * k + j)], data.dim(j), "ScatterND"));
        dst += i * strides[size_t(j)];
      }
      targets[size_t(t)] = dst;
    }
    WISP_ASSIGN_OR_RETURN(Tensor out, output_from_data(ctx));
    Scatterer scatter(out, updates, reduction_);
    for (int64_t t = 0; t < tuples; ++t) scatter.apply(targets[size_t(t)], t * block, block);
    ctx.set_output(0, std::move(out));
    return Status::ok();
  }

 private:
  Reduction reduction_ = Reduction::None;
};

}  // namespace

void register_scatter_ops(OpRegistry& r) {
  r.add<ScatterElementsOp>("Scatter");  // same semantics, without reduction
  r.add<ScatterElementsOp>("ScatterElements");
  r.add<ScatterNDOp>("ScatterND");
}

}  // namespace wisp::shape_ops
