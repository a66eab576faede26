// Softmax, LogSoftmax and Hardmax. Before opset 13 the input is coerced to 2-D at `axis`
// (rows = dims before axis, one row = everything from axis on; default axis 1); from opset 13
// the op works along the single `axis` (default -1). Both views are (outer, n, inner) walks.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/ops/elementwise/fast_math.h"
#include "core/ops/nn/float_io.h"
#include "core/ops/nn/nn_ops.h"

namespace wisp::nn {
namespace {

enum class Kind { Softmax, LogSoftmax, Hardmax };

// One (outer) block of `n` x `inner` values: normalises along n for every inner position.
template <typename T>
void softmax_block(Kind kind, const T* x, T* y, int64_t n, int64_t inner) {
  using IO = FloatIO<T>;
  using A = std::conditional_t<std::is_same_v<T, double>, double, float>;
  if (inner == 1) {
    // Contiguous row: the hot path for attention and classifier heads.
    A mx = -std::numeric_limits<A>::infinity();
    int64_t arg = 0;
    for (int64_t k = 0; k < n; ++k) {
      A v = A(IO::load(x[k]));
      if (v > mx) {
        mx = v;
        arg = k;
      }
    }
    if (kind == Kind::Hardmax) {
      for (int64_t k = 0; k < n; ++k) y[k] = IO::store(k == arg ? 1 : 0);
      return;
    }
    A sum = 0;
    if (kind == Kind::Softmax) {
      if constexpr (std::is_same_v<T, float>) {
        // float32: the branch-free exp in a loop of its own vectorises (classifier heads with
        // thousands of classes spent most of their Softmax in std::exp); the sum stays in order.
        for (int64_t k = 0; k < n; ++k) y[k] = elementwise::exp_f32(x[k] - mx);
        for (int64_t k = 0; k < n; ++k) sum += y[k];
      } else {
        for (int64_t k = 0; k < n; ++k) {
          A e = std::exp(A(IO::load(x[k])) - mx);
          y[k] = IO::store(e);
          sum += e;
        }
      }
      // y holds exp(x - max) now; for half types re-reading it adds a harmless rounding.
      A inv = A(1) / sum;
      for (int64_t k = 0; k < n; ++k) y[k] = IO::store(A(IO::load(y[k])) * inv);
    } else {
      for (int64_t k = 0; k < n; ++k) sum += std::exp(A(IO::load(x[k])) - mx);
      A lse = std::log(sum) + mx;
      for (int64_t k = 0; k < n; ++k) y[k] = IO::store(A(IO::load(x[k])) - lse);
    }
    return;
  }
  // Strided case: keep per-inner-position running values so memory is read row by row.
  std::vector<A> mx(static_cast<size_t>(inner), -std::numeric_limits<A>::infinity());
  std::vector<A> sum(static_cast<size_t>(inner), 0);
  std::vector<int64_t> arg(static_cast<size_t>(inner), 0);
  for (int64_t k = 0; k < n; ++k) {
    for (int64_t i = 0; i < inner; ++i) {
      A v = A(IO::load(x[k * inner + i]));
      if (v > mx[size_t(i)]) {
        mx[size_t(i)] = v;
        arg[size_t(i)] = k;
      }
    }
  }
  if (kind == Kind::Hardmax) {
    for (int64_t k = 0; k < n; ++k) {
      for (int64_t i = 0; i < inner; ++i) y[k * inner + i] = IO::store(k == arg[size_t(i)] ? 1 : 0);
    }
    return;
  }
  for (int64_t k = 0; k < n; ++k) {
    for (int64_t i = 0; i < inner; ++i) sum[size_t(i)] += std::exp(A(IO::load(x[k * inner + i])) - mx[size_t(i)]);
  }
  for (int64_t i = 0; i < inner; ++i) {
    // Softmax multiplies by 1/sum; LogSoftmax subtracts log(sum) + max.
    sum[size_t(i)] = kind == Kind::Softmax ? A(1) / sum[size_t(i)] : std::log(sum[size_t(i)]) + mx[size_t(i)];
  }
  for (int64_t k = 0; k < n; ++k) {
    for (int64_t i = 0; i < inner; ++i) {
      A v = A(IO::load(x[k * inner + i]));
      y[k * inner + i] = IO::store(kind == Kind::Softmax ? std::exp(v - mx[size_t(i)]) * sum[size_t(i)]
                                                         : v - sum[size_t(i)]);
    }
  }
}

template <Kind K>
class SoftmaxOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    coerce_2d_ = ctx.opset > 0 && ctx.opset < 13;
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", coerce_2d_ ? 1 : -1));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape& shape = x.shape();
    int64_t rank = x.rank();
    int64_t outer = 1, n = 1, inner = 1;
    if (rank > 0) {
      WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, rank));
      outer = product(shape, 0, size_t(axis));
      if (coerce_2d_) {
        n = product(shape, size_t(axis), shape.size());
      } else {
        n = shape[size_t(axis)];
        inner = product(shape, size_t(axis) + 1, shape.size());
      }
    } else {
      WISP_CHECK_ARG(axis_ == 0 || axis_ == -1, "axis ", axis_, " is out of range for a scalar");
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), shape));
    if (out->numel() == 0) return Status::ok();
    return visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), outer, chunk_for(n * inner * 8), [&](int64_t b, int64_t e) {
        for (int64_t o = b; o < e; ++o) softmax_block<T>(K, src + o * n * inner, dst + o * n * inner, n, inner);
      });
      return Status::ok();
    });
  }

 private:
  bool coerce_2d_ = false;
  int64_t axis_ = -1;
};

}  // namespace

void register_softmax_kernels(OpRegistry& r) {
  r.add<SoftmaxOp<Kind::Softmax>>("Softmax");
  r.add<SoftmaxOp<Kind::LogSoftmax>>("LogSoftmax");
  r.add<SoftmaxOp<Kind::Hardmax>>("Hardmax");
}

}  // namespace wisp::nn
