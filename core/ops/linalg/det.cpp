// Det (opset 11): the determinant of each square matrix in the last two dims of X, computed
// by LU decomposition with partial pivoting in double (det = sign of the row swaps times the
// product of U's diagonal). Output shape is X's shape without the last two dims.
#include <cmath>
#include <utility>
#include <vector>

#include "core/ops/linalg/linalg_ops.h"
#include "core/ops/nn/float_io.h"

namespace wisp::linalg {
namespace {

// Determinant of the n x n row-major matrix `a`, which is overwritten by the elimination.
double lu_determinant(double* a, int64_t n) {
  double det = 1.0;
  for (int64_t col = 0; col < n; ++col) {
    // Partial pivoting: the row with the largest magnitude in this column keeps errors small.
    int64_t pivot = col;
    for (int64_t r = col + 1; r < n; ++r) {
      if (std::fabs(a[r * n + col]) > std::fabs(a[pivot * n + col])) pivot = r;
    }
    const double p = a[pivot * n + col];
    if (p == 0.0) return 0.0;  // the column has no pivot: the matrix is singular
    if (pivot != col) {
      for (int64_t c = 0; c < n; ++c) std::swap(a[col * n + c], a[pivot * n + c]);
      det = -det;
    }
    det *= p;
    for (int64_t r = col + 1; r < n; ++r) {
      const double f = a[r * n + col] / p;
      for (int64_t c = col + 1; c < n; ++c) a[r * n + c] -= f * a[col * n + c];
    }
  }
  return det;
}

class DetOp final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 2, "X must have at least 2 dims, got ", x.describe());
    const int64_t n = x.dim(-1);
    WISP_CHECK_ARG(x.dim(-2) == n, "X must hold square matrices in its last two dims, got ", x.describe());
    const Shape out_shape(x.shape().begin(), x.shape().end() - 2);
    WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    const int64_t batches = y->numel();
    return nn::visit_float(x.dtype(), "X", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = nn::FloatIO<T>;
      const T* src = x.data<T>();
      T* dst = y->data<T>();
      parallel_for(ctx.threads(), batches, nn::chunk_for(n * n * n), [&](int64_t begin, int64_t end) {
        std::vector<double> m(size_t(n * n));  // per task: run() may be called concurrently
        for (int64_t b = begin; b < end; ++b) {
          for (int64_t i = 0; i < n * n; ++i) m[size_t(i)] = double(IO::load(src[b * n * n + i]));
          dst[b] = IO::store(typename IO::Acc(lu_determinant(m.data(), n)));
        }
      });
      return Status::ok();
    });
  }
};

}  // namespace

void register_det_ops(OpRegistry& registry) { registry.add<DetOp>("Det"); }

}  // namespace wisp::linalg
