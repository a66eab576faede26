// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opset 12+).
//
// Both see the scores as (N, C, D) where D is the product of the trailing dims d1..dk (1 for
// a plain (N, C) input) and the target as (N, D). For every (n, d) with class t = target[n, d]:
//   loss[n, d] = -weight[t] * logp[n, t, d]      (0 when t == ignore_index)
// NLL takes logp as its input; SCE first applies log-softmax over axis 1 and can return it as
// its second output. Reduction "none" keeps the (N, d1..dk) losses, "sum" adds them and "mean"
// divides that sum by the total weight of the non-ignored targets (their count without weights).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/ops/nn/float_io.h"
#include "core/ops/nn/nn_ops.h"

namespace wisp::nn {
namespace {

enum class Reduction { None, Sum, Mean };

// Attributes common to both losses.
struct LossAttrs {
  Reduction reduction = Reduction::Mean;
  bool has_ignore_index = false;
  int64_t ignore_index = 0;

  Status init(const Node& node) {
    WISP_ASSIGN_OR_RETURN(std::string r, node.attr_string("reduction", "mean"));
    if (r == "none") reduction = Reduction::None;
    else if (r == "sum") reduction = Reduction::Sum;
    else if (r == "mean") reduction = Reduction::Mean;
    else return invalid_argument("reduction must be \"none\", \"sum\" or \"mean\", got \"", r, "\"");
    has_ignore_index = node.has_attr("ignore_index");
    if (has_ignore_index) {
      WISP_ASSIGN_OR_RETURN(ignore_index, node.attr_int("ignore_index", 0));
    }
    return Status::ok();
  }
};

// The (N, C, D) view of the scores after the inputs have been checked against each other.
struct LossDims {
  int64_t n = 0, c = 0, d = 1;
};

// Checks scores, target and the optional weight (input 2) and returns the (N, C, D) view.
Result<LossDims> check_inputs(const OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& target = ctx.input(1);
  WISP_CHECK_ARG(x.rank() >= 2, "input ", x.describe(), " must have shape (N, C) or (N, C, d1, ..., dk)");
  WISP_CHECK_ARG(target.dtype() == DType::Int32 || target.dtype() == DType::Int64, "target must be int32 or int64, got ",
                 dtype_name(target.dtype()));
  bool shape_ok = target.rank() == x.rank() - 1 && target.dim(0) == x.dim(0);
  for (int64_t i = 1; shape_ok && i < target.rank(); ++i) shape_ok = target.dim(i) == x.dim(i + 1);
  WISP_CHECK_ARG(shape_ok, "target ", target.describe(), " must have the shape of input ", x.describe(),
                 " without its class axis 1");
  LossDims dims;
  dims.n = x.dim(0);
  dims.c = x.dim(1);
  dims.d = product(x.shape(), 2, x.shape().size());
  if (ctx.has_input(2)) {
    const Tensor& w = ctx.input(2);
    WISP_CHECK_ARG(w.dtype() == x.dtype(), "weight ", w.describe(), " must have the dtype of input ", x.describe());
    WISP_CHECK_ARG(w.rank() == 1 && w.dim(0) == dims.c, "weight ", w.describe(), " must have shape (C) = (", dims.c,
                   ")");
  }
  return dims;
}

// Computes the per-element losses from `logp(n, c, d)` (log-probabilities in the arithmetic
// type of T) and writes output 0. Every target is validated before its score is read.
template <typename T, typename LogP>
Status nll_output(OpContext& ctx, const LossAttrs& attrs, const LossDims& dims, LogP&& logp) {
  using IO = FloatIO<T>;
  using A = typename IO::Acc;
  const Tensor& target_t = ctx.input(1);
  WISP_ASSIGN_OR_RETURN(std::vector<int64_t> target, target_t.to_int64_vector());
  const T* weight = ctx.has_input(2) ? ctx.input(2).data<T>() : nullptr;

  T* out = nullptr;
  if (attrs.reduction == Reduction::None) {
    WISP_ASSIGN_OR_RETURN(Tensor * o, ctx.allocate_output(0, ctx.input(0).dtype(), target_t.shape()));
    out = o->data<T>();
  }
  // Sums are kept in double: for "mean" both the loss and weight totals feed a division.
  double loss_sum = 0, weight_sum = 0;
  for (int64_t n = 0; n < dims.n; ++n) {
    for (int64_t d = 0; d < dims.d; ++d) {
      const int64_t i = n * dims.d + d;
      const int64_t t = target[size_t(i)];
      A loss = 0;
      A w = 0;
      if (!(attrs.has_ignore_index && t == attrs.ignore_index)) {
        WISP_CHECK_ARG(t >= 0 && t < dims.c, "target value ", t, " at flat index ", i, " is outside [0, ", dims.c,
                       ")", attrs.has_ignore_index ? " and is not ignore_index" : "");
        w = weight ? A(IO::load(weight[t])) : A(1);
        loss = -w * logp(n, t, d);
      }
      if (out) out[i] = IO::store(loss);
      loss_sum += double(loss);
      weight_sum += double(w);
    }
  }
  if (attrs.reduction == Reduction::None) return Status::ok();
  // Mean over no counted targets is 0/0 = NaN, as in the ONNX reference.
  double value = attrs.reduction == Reduction::Sum ? loss_sum : loss_sum / weight_sum;
  WISP_ASSIGN_OR_RETURN(Tensor * o, ctx.allocate_output(0, ctx.input(0).dtype(), Shape{}));
  o->data<T>()[0] = IO::store(A(value));
  return Status::ok();
}

class NegativeLogLikelihoodLossOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override { return attrs_.init(ctx.node); }

  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(LossDims dims, check_inputs(ctx));
    const Tensor& x = ctx.input(0);
    return visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = typename IO::Acc;
      const T* src = x.data<T>();
      return nll_output<T>(ctx, attrs_, dims, [&](int64_t n, int64_t c, int64_t d) -> A {
        return A(IO::load(src[(n * dims.c + c) * dims.d + d]));
      });
    });
  }

 private:
  LossAttrs attrs_;
};

// Log-sum-exp over the class axis for every (n, d): logp[n, c, d] = x[n, c, d] - lse[n, d].
template <typename T>
std::vector<typename FloatIO<T>::Acc> log_sum_exp(const T* x, const LossDims& dims) {
  using IO = FloatIO<T>;
  using A = typename IO::Acc;
  const size_t inner = size_t(dims.d);
  std::vector<A> lse(size_t(dims.n) * inner);
  std::vector<A> mx(inner), sum(inner);
  for (int64_t n = 0; n < dims.n; ++n) {
    // Walk the (C, D) block row by row with per-d running values so memory is read in order;
    // subtracting the max keeps exp() from overflowing.
    const T* block = x + n * dims.c * dims.d;
    std::fill(mx.begin(), mx.end(), -std::numeric_limits<A>::infinity());
    std::fill(sum.begin(), sum.end(), A(0));
    for (int64_t c = 0; c < dims.c; ++c) {
      for (size_t d = 0; d < inner; ++d) mx[d] = std::max(mx[d], A(IO::load(block[size_t(c) * inner + d])));
    }
    for (int64_t c = 0; c < dims.c; ++c) {
      for (size_t d = 0; d < inner; ++d) sum[d] += std::exp(A(IO::load(block[size_t(c) * inner + d])) - mx[d]);
    }
    for (size_t d = 0; d < inner; ++d) lse[size_t(n) * inner + d] = std::log(sum[d]) + mx[d];
  }
  return lse;
}

class SoftmaxCrossEntropyLossOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override { return attrs_.init(ctx.node); }

  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(LossDims dims, check_inputs(ctx));
    const Tensor& x = ctx.input(0);
    return visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = typename IO::Acc;
      const T* src = x.data<T>();
      const std::vector<A> lse = log_sum_exp(src, dims);
      auto logp = [&](int64_t n, int64_t c, int64_t d) -> A {
        return A(IO::load(src[(n * dims.c + c) * dims.d + d])) - lse[size_t(n * dims.d + d)];
      };
      WISP_RETURN_IF_ERROR(nll_output<T>(ctx, attrs_, dims, logp));
      if (ctx.wants_output(1)) {
        WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(1, x.dtype(), x.shape()));
        T* dst = out->data<T>();
        for (int64_t n = 0; n < dims.n; ++n) {
          for (int64_t c = 0; c < dims.c; ++c) {
            for (int64_t d = 0; d < dims.d; ++d) dst[(n * dims.c + c) * dims.d + d] = IO::store(logp(n, c, d));
          }
        }
      }
      return Status::ok();
    });
  }

 private:
  LossAttrs attrs_;
};

}  // namespace

void register_loss_kernels(OpRegistry& r) {
  r.add<NegativeLogLikelihoodLossOp>("NegativeLogLikelihoodLoss", "", 12);
  r.add<SoftmaxCrossEntropyLossOp>("SoftmaxCrossEntropyLoss", "", 12);
}

}  // namespace wisp::nn
