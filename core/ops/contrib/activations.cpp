// com.microsoft activations as onnxruntime's contrib ops define them:
//   Gelu       y = 0.5 x (1 + erf(x / sqrt(2)))
//   FastGelu   y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), x += bias when given
//   BiasGelu   Gelu(A + B)
//   QuickGelu  y = x sigmoid(alpha x), alpha defaulting to 1.702
// The optional bias is 1-D and runs along the last axis. Half types are computed in float.
// Float math uses branch-free approximations (fast_math.h and erfc below) so the block
// loops vectorise; double keeps the std functions.
#include <algorithm>
#include <cmath>

#include "core/ops/contrib/contrib_ops.h"
#include "core/ops/elementwise/fast_math.h"
#include "core/ops/nn/float_io.h"

namespace wisp::contrib {
namespace {

using elementwise::abs_f32;
using elementwise::exp_f32;
using elementwise::select_f32;
using elementwise::sigmoid_f32;
using nn::FloatIO;

// erfc(z) for z >= 0 with a relative error of about 1.2e-7 everywhere (the Chebyshev-fitted
// formula of Numerical Recipes' erfcc): t exp(-z^2 + P(t)) with t = 1 / (1 + z / 2). Relative
// accuracy matters because Gelu of a negative x is 0.5 x erfc(|x| / sqrt(2)), a small number
// that 1 + erf(x) would compute with cancellation. exp_f32 flushes to 0 for large z.
inline float erfc_nonneg_f32(float z) {
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  return t * exp_f32(p - z * z);
}

// 0.5 x (1 + erf(x / sqrt(2))), where 1 + erf(x / sqrt(2)) = erfc(-x / sqrt(2)): erfc(z) for
// x < 0 and 2 - erfc(z) otherwise, z = |x| / sqrt(2); neither form cancels.
inline float gelu_f32(float x) {
  const float c = erfc_nonneg_f32(abs_f32(x) * 0.70710678118654752f);
  return 0.5f * x * select_f32(x < 0.0f, c, 2.0f - c);
}

enum class Kind { Gelu, FastGelu, BiasGelu, QuickGelu };

constexpr double kSqrtHalf = 0.70710678118654752440;  // 1 / sqrt(2)
constexpr double kSqrt2OverPi = 0.79788456080286535588;

// The activation on one value in the arithmetic type A (float or double).
template <Kind K, typename A>
inline A activate(A x, A alpha) {
  if constexpr (std::is_same_v<A, float>) {
    if constexpr (K == Kind::FastGelu) {
      // 0.5 (1 + tanh(u)) = sigmoid(2u), which keeps its precision where tanh(u) nears -1.
      return x * sigmoid_f32(2.0f * float(kSqrt2OverPi) * (x + 0.044715f * x * x * x));
    } else if constexpr (K == Kind::QuickGelu) {
      return x * sigmoid_f32(alpha * x);
    } else {
      return gelu_f32(x);
    }
  } else {
    if constexpr (K == Kind::FastGelu) {
      return x / (A(1) + std::exp(A(-2) * A(kSqrt2OverPi) * (x + A(0.044715) * x * x * x)));
    } else if constexpr (K == Kind::QuickGelu) {
      return x / (A(1) + std::exp(-alpha * x));
    } else {
      return A(0.5) * x * std::erfc(-x * A(kSqrtHalf));
    }
  }
}

// Applies the activation to x[0, n) (+ bias[(first + i) % bias_len]) into y. Values go through a
// small block in the arithmetic type so the math loop is free of conversions and branches.
template <Kind K, typename T>
void activate_range(const T* x, const T* bias, int64_t bias_len, int64_t first, int64_t n, T* y,
                    typename FloatIO<T>::Acc alpha) {
  using IO = FloatIO<T>;
  using A = typename IO::Acc;
  constexpr int64_t kBlock = 512;
  A buf[kBlock];
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t len = std::min(kBlock, n - start);
    for (int64_t i = 0; i < len; ++i) buf[i] = IO::load(x[start + i]);
    if (bias) {
      // Add the bias in runs that do not wrap around its end, so each run vectorises.
      int64_t b = (first + start) % bias_len;
      for (int64_t i = 0; i < len;) {
        const int64_t run = std::min(len - i, bias_len - b);
        for (int64_t k = 0; k < run; ++k) buf[i + k] += IO::load(bias[b + k]);
        i += run;
        b = 0;
      }
    }
    for (int64_t i = 0; i < len; ++i) buf[i] = activate<K, A>(buf[i], alpha);
    for (int64_t i = 0; i < len; ++i) y[start + i] = IO::store(buf[i]);
  }
}

template <Kind K>
class ContribGeluOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    if constexpr (K == Kind::QuickGelu) {
      WISP_ASSIGN_OR_RETURN(alpha_, ctx.node.attr_float("alpha", 1.702f));
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor* bias = nullptr;
    if constexpr (K == Kind::BiasGelu) {
      WISP_CHECK_ARG(ctx.has_input(1), "BiasGelu needs the bias input B");
    }
    if constexpr (K == Kind::BiasGelu || K == Kind::FastGelu) {
      if (ctx.has_input(1)) bias = &ctx.input(1);
    }
    if (bias) {
      WISP_CHECK_ARG(x.rank() >= 1, "input must have rank >= 1 when a bias is given, got ", x.describe());
      WISP_CHECK_ARG(bias->dtype() == x.dtype(), "bias ", bias->describe(), " must have the input's type ",
                     dtype_name(x.dtype()));
      WISP_CHECK_ARG(bias->rank() == 1 && bias->dim(0) == x.dim(-1), "bias must be 1-D with the input's last dimension ",
                     x.dim(-1), ", got ", bias->describe());
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    const int64_t n = x.numel();
    if (n == 0) return Status::ok();
    return nn::visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using A = typename FloatIO<T>::Acc;
      const T* src = x.data<T>();
      const T* b = bias ? bias->data<T>() : nullptr;
      const int64_t bias_len = bias ? bias->numel() : 1;
      T* dst = out->data<T>();
      const A alpha = A(alpha_);
      parallel_for(ctx.threads(), n, int64_t(1) << 12, [&](int64_t lo, int64_t hi) {
        activate_range<K, T>(src + lo, b, bias_len, lo, hi - lo, dst + lo, alpha);
      });
      return Status::ok();
    });
  }

 private:
  float alpha_ = 1.702f;
};

}  // namespace

void register_contrib_activation_ops(OpRegistry& registry) {
  registry.add<ContribGeluOp<Kind::Gelu>>("Gelu", kMicrosoftDomain);
  registry.add<ContribGeluOp<Kind::FastGelu>>("FastGelu", kMicrosoftDomain);
  registry.add<ContribGeluOp<Kind::BiasGelu>>("BiasGelu", kMicrosoftDomain);
  registry.add<ContribGeluOp<Kind::QuickGelu>>("QuickGelu", kMicrosoftDomain);
}

}  // namespace wisp::contrib
