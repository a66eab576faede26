// LRN (local response normalisation across channels, AlexNet):
// y = x / (bias + alpha / size * sum of x^2 over the channel window) ^ beta, where the window
// around c is [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped to the channels.
#include <cmath>

#include "core/ops/nn/float_io.h"
#include "core/ops/nn/nn_ops.h"

namespace wisp::nn {
namespace {

class LrnOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(alpha_, ctx.node.attr_float("alpha", 1e-4f));
    WISP_ASSIGN_OR_RETURN(beta_, ctx.node.attr_float("beta", 0.75f));
    WISP_ASSIGN_OR_RETURN(bias_, ctx.node.attr_float("bias", 1.0f));
    WISP_ASSIGN_OR_RETURN(size_, ctx.node.attr_int("size", 0));
    WISP_CHECK_MODEL(size_ > 0, "attribute 'size' is required and must be positive");
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 2, "input must have rank >= 2 (N, C, ...), got ", x.describe());
    const int64_t batch = x.dim(0), channels = x.dim(1);
    const int64_t size = product(x.shape(), 2, x.shape().size());
    const int64_t before = (size_ - 1) / 2, after = size_ - 1 - before;
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    const double alpha_over_size = double(alpha_) / double(size_);
    return visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = decltype(IO::load(T{}));
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), batch * channels, chunk_for(size * size_), [&](int64_t lo, int64_t hi) {
        for (int64_t p = lo; p < hi; ++p) {
          const int64_t n = p / channels, c = p % channels;
          const int64_t c0 = std::max<int64_t>(0, c - before), c1 = std::min<int64_t>(channels - 1, c + after);
          for (int64_t i = 0; i < size; ++i) {
            double sq = 0;
            for (int64_t k = c0; k <= c1; ++k) {
              double v = double(IO::load(src[(n * channels + k) * size + i]));
              sq += v * v;
            }
            double v = double(IO::load(src[p * size + i]));
            dst[p * size + i] = IO::store(A(v / std::pow(double(bias_) + alpha_over_size * sq, double(beta_))));
          }
        }
      });
      return Status::ok();
    });
  }

 private:
  float alpha_ = 1e-4f, beta_ = 0.75f, bias_ = 1.0f;
  int64_t size_ = 0;
};

}  // namespace

void register_lrn_kernels(OpRegistry& r) { r.add<LrnOp>("LRN"); }

}  // namespace wisp::nn
