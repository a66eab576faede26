// Layer normalisations that exported transformer models use, as onnxruntime defines them:
//
//   SkipLayerNormalization (com.microsoft)
//     inputs  input, skip, gamma, beta?, bias?      attribute epsilon (default 1e-12)
//     s = input + skip (+ bias);  y = (s - mean(s)) / sqrt(var(s) + eps) * gamma (+ beta)
//     outputs y, mean?, inv_std_var?, input_skip_bias_sum? (= s)
//   SkipSimplifiedLayerNormalization (com.microsoft)
//     inputs  input, skip, gamma, bias?             (bias is input 3 here: there is no beta)
//     y = s / sqrt(mean(s^2) + eps) * gamma; the mean output is 0 (nothing is subtracted)
//   SimplifiedLayerNormalization (RMSNorm; onnx domain as onnxruntime exports it, and com.microsoft)
//     inputs  X, scale     attributes axis (-1), epsilon (1e-5), stash_type (1)
//     y = x / sqrt(mean(x^2) + eps) * scale over the axes from `axis` on; outputs y, inv_std_var?
//
// The skip input may be the full shape or broadcast over leading axes ((1, S, H) or (S, H)).
// Statistics are float32 tensors shaped like the input with the normalised axes set to 1.
// Each row is normalised in a float scratch row (double for double inputs); sums use several
// independent partial sums, which vectorises and also keeps long rows accurate.
#include <cmath>
#include <vector>

#include "core/ops/contrib/contrib_ops.h"
#include "core/ops/nn/float_io.h"

namespace wisp::contrib {
namespace {

using nn::FloatIO;

constexpr int kLanes = 8;

// Sum of x[i] (or of (x[i] - center)^2 when `squares`) over n values.
template <typename A, bool squares>
A lane_sum(const A* x, int64_t n, A center) {
  A acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      const A v = x[i + l] - center;
      acc[l] += squares ? v * v : v;
    }
  }
  A total = 0;
  for (; i < n; ++i) {
    const A v = x[i] - center;
    total += squares ? v * v : v;
  }
  for (int l = 0; l < kLanes; ++l) total += acc[l];
  return total;
}

// What one row's normalisation needs besides the row itself. Parameter vectors are already in
// the arithmetic type A; nullptr means absent.
template <typename A>
struct RowParams {
  const A* gamma = nullptr;
  const A* beta = nullptr;
  const A* bias = nullptr;
  A epsilon = 0;
  bool simplified = false;
};

// Normalises row `s` (n values, modified in place into the result) and returns its mean and
// 1 / std. `out` receives the result converted to T.
template <typename T, typename A>
void normalize_row(A* s, int64_t n, const RowParams<A>& p, T* out, A& mean, A& inv_std) {
  using IO = FloatIO<T>;
  const A count = A(n > 0 ? n : 1);  // an empty row has mean 0 and variance 0
  mean = p.simplified ? A(0) : lane_sum<A, false>(s, n, A(0)) / count;
  const A var = lane_sum<A, true>(s, n, mean) / count;
  inv_std = A(1) / std::sqrt(var + p.epsilon);
  const A m = mean, r = inv_std;
  if (p.beta) {
    for (int64_t i = 0; i < n; ++i) s[i] = (s[i] - m) * r * p.gamma[i] + p.beta[i];
  } else {
    for (int64_t i = 0; i < n; ++i) s[i] = (s[i] - m) * r * p.gamma[i];
  }
  for (int64_t i = 0; i < n; ++i) out[i] = IO::store(s[i]);
}

// Loads a 1-D parameter of n values of type T into the arithmetic type.
template <typename T>
std::vector<typename FloatIO<T>::Acc> load_param(const Tensor& t) {
  std::vector<typename FloatIO<T>::Acc> v(static_cast<size_t>(t.numel()));
  const T* src = t.data<T>();
  for (size_t i = 0; i < v.size(); ++i) v[i] = FloatIO<T>::load(src[i]);
  return v;
}

// Checks an optional parameter input: same type as the input and `count` elements.
Status check_param(const OpContext& ctx, size_t i, const char* name, DType dtype, int64_t count) {
  if (!ctx.has_input(i)) return Status::ok();
  const Tensor& t = ctx.input(i);
  WISP_CHECK_ARG(t.dtype() == dtype, name, " ", t.describe(), " must have the input's type ", dtype_name(dtype));
  WISP_CHECK_ARG(t.numel() == count, name, " must have ", count, " elements (the normalised size), got ",
                 t.describe());
  return Status::ok();
}

// Shape of the mean / inv_std_var outputs: the input's with the normalised axes set to 1.
Shape stats_shape(const Shape& x, size_t axis) {
  Shape s = x;
  for (size_t i = axis; i < s.size(); ++i) s[i] = 1;
  return s;
}

Result<float*> allocate_stats(OpContext& ctx, size_t i, const Shape& shape) {
  if (!ctx.wants_output(i)) return static_cast<float*>(nullptr);
  WISP_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(i, DType::Float32, shape));
  return t->data<float>();
}

// ---------------------------------------------------------------------------------------------
// SkipLayerNormalization and SkipSimplifiedLayerNormalization.
template <bool kSimplified>
class SkipLayerNormOp final : public OpKernel {
 public:
  // Input positions differ: the simplified op has no beta, so its bias is input 3.
  static constexpr size_t kBeta = kSimplified ? size_t(-1) : 3;
  static constexpr size_t kBias = kSimplified ? 3 : 4;

  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(epsilon_, ctx.node.attr_float("epsilon", 1e-12f));
    WISP_CHECK_MODEL(epsilon_ >= 0, "attribute epsilon must be >= 0, got ", epsilon_);
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(1) && ctx.has_input(2), "inputs input, skip and gamma are required");
    const Tensor& x = ctx.input(0);
    const Tensor& skip = ctx.input(1);
    WISP_CHECK_ARG(x.rank() >= 2, "input must have rank >= 2 (..., hidden_size), got ", x.describe());
    WISP_CHECK_ARG(skip.dtype() == x.dtype(), "skip ", skip.describe(), " must have the input's type ",
                   dtype_name(x.dtype()));
    const int64_t hidden = x.dim(-1);
    // skip has the input's trailing axes, after any leading axes of size 1 (which broadcast):
    // then row r of the input pairs with skip row r % skip_rows.
    bool fits = skip.rank() >= 1 && skip.rank() <= x.rank();
    if (fits) {
      int64_t lead = 0;
      while (lead + 1 < skip.rank() && skip.dim(lead) == 1) ++lead;
      for (int64_t j = lead; j < skip.rank(); ++j) fits = fits && skip.dim(j) == x.dim(x.rank() - skip.rank() + j);
    }
    WISP_CHECK_ARG(fits, "skip ", skip.describe(), " must have the shape of input ", x.describe(),
                   " or broadcast over its leading axes");
    WISP_RETURN_IF_ERROR(check_param(ctx, 2, "gamma", x.dtype(), hidden));
    if (!kSimplified) WISP_RETURN_IF_ERROR(check_param(ctx, kBeta, "beta", x.dtype(), hidden));
    WISP_RETURN_IF_ERROR(check_param(ctx, kBias, "bias", x.dtype(), hidden));

    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    const Shape st = stats_shape(x.shape(), x.shape().size() - 1);
    WISP_ASSIGN_OR_RETURN(float* mean_out, allocate_stats(ctx, 1, st));
    WISP_ASSIGN_OR_RETURN(float* inv_out, allocate_stats(ctx, 2, st));
    Tensor* sum_out = nullptr;
    if (ctx.wants_output(3)) {
      WISP_ASSIGN_OR_RETURN(sum_out, ctx.allocate_output(3, x.dtype(), x.shape()));
    }
    // Counted from the shapes (not numel / hidden) so that hidden_size 0 still fills the stats.
    const int64_t rows = nn::product(x.shape(), 0, x.shape().size() - 1);
    const int64_t skip_rows = nn::product(skip.shape(), 0, skip.shape().size() - 1);
    if (rows == 0) return Status::ok();

    return nn::visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = typename IO::Acc;
      const auto gamma = load_param<T>(ctx.input(2));
      std::vector<A> beta, bias;
      if (!kSimplified && ctx.has_input(kBeta)) beta = load_param<T>(ctx.input(kBeta));
      if (ctx.has_input(kBias)) bias = load_param<T>(ctx.input(kBias));
      RowParams<A> p;
      p.gamma = gamma.data();
      p.beta = beta.empty() ? nullptr : beta.data();
      p.bias = bias.empty() ? nullptr : bias.data();
      p.epsilon = A(epsilon_);
      p.simplified = kSimplified;
      const T* src = x.data<T>();
      const T* sk = skip.data<T>();
      T* dst = out->data<T>();
      T* sum = sum_out ? sum_out->data<T>() : nullptr;
      parallel_for(ctx.threads(), rows, nn::chunk_for(hidden * 8), [&](int64_t lo, int64_t hi) {
        std::vector<A> row(static_cast<size_t>(hidden));
        A* s = row.data();
        for (int64_t r = lo; r < hi; ++r) {
          const T* xr = src + r * hidden;
          const T* kr = sk + (r % skip_rows) * hidden;
          for (int64_t i = 0; i < hidden; ++i) s[i] = A(IO::load(xr[i])) + A(IO::load(kr[i]));
          if (p.bias) {
            for (int64_t i = 0; i < hidden; ++i) s[i] += p.bias[i];
          }
          if (sum) {
            for (int64_t i = 0; i < hidden; ++i) sum[r * hidden + i] = IO::store(s[i]);
          }
          A mean, inv_std;
          normalize_row<T, A>(s, hidden, p, dst + r * hidden, mean, inv_std);
          if (mean_out) mean_out[r] = float(mean);
          if (inv_out) inv_out[r] = float(inv_std);
        }
      });
      return Status::ok();
    });
  }

 private:
  float epsilon_ = 1e-12f;
};

// ---------------------------------------------------------------------------------------------
// SimplifiedLayerNormalization (RMSNorm).
class SimplifiedLayerNormOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", -1));
    WISP_ASSIGN_OR_RETURN(epsilon_, ctx.node.attr_float("epsilon", 1e-5f));
    WISP_CHECK_MODEL(epsilon_ >= 0, "attribute epsilon must be >= 0, got ", epsilon_);
    // stash_type names the precision of the statistics; they are always computed in float
    // (double for double inputs), which is what stash_type 1 asks for and at least as precise.
    WISP_ASSIGN_OR_RETURN(int64_t stash, ctx.node.attr_int("stash_type", 1));
    (void)stash;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(1), "input scale is required");
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 1, "input X must have rank >= 1, got ", x.describe());
    const int64_t rank = x.rank();
    WISP_CHECK_ARG(axis_ >= -rank && axis_ < rank, "axis ", axis_, " is out of range for X ", x.describe());
    const size_t axis = size_t(axis_ < 0 ? axis_ + rank : axis_);
    const int64_t n = nn::product(x.shape(), axis, x.shape().size());
    const int64_t rows = nn::product(x.shape(), 0, axis);
    WISP_RETURN_IF_ERROR(check_param(ctx, 1, "scale", x.dtype(), n));

    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    WISP_ASSIGN_OR_RETURN(float* inv_out, allocate_stats(ctx, 1, stats_shape(x.shape(), axis)));
    if (rows == 0) return Status::ok();

    return nn::visit_float(x.dtype(), "X", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = typename IO::Acc;
      const auto scale = load_param<T>(ctx.input(1));
      RowParams<A> p;
      p.gamma = scale.data();
      p.epsilon = A(epsilon_);
      p.simplified = true;
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), rows, nn::chunk_for(n * 6), [&](int64_t lo, int64_t hi) {
        std::vector<A> row(static_cast<size_t>(n));
        A* s = row.data();
        for (int64_t r = lo; r < hi; ++r) {
          const T* xr = src + r * n;
          for (int64_t i = 0; i < n; ++i) s[i] = A(IO::load(xr[i]));
          A mean, inv_std;
          normalize_row<T, A>(s, n, p, dst + r * n, mean, inv_std);
          if (inv_out) inv_out[r] = float(inv_std);
        }
      });
      return Status::ok();
    });
  }

 private:
  int64_t axis_ = -1;
  float epsilon_ = 1e-5f;
};

}  // namespace

void register_contrib_normalization_ops(OpRegistry& registry) {
  registry.add<SkipLayerNormOp<false>>("SkipLayerNormalization", kMicrosoftDomain);
  registry.add<SkipLayerNormOp<true>>("SkipSimplifiedLayerNormalization", kMicrosoftDomain);
  // onnxruntime exports RMSNorm as SimplifiedLayerNormalization in the onnx domain.
  registry.add<SimplifiedLayerNormOp>("SimplifiedLayerNormalization");
  registry.add<SimplifiedLayerNormOp>("SimplifiedLayerNormalization", kMicrosoftDomain);
}

}  // namespace wisp::contrib
