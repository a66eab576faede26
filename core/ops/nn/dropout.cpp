// Dropout. In inference (the normal case) it is the identity and the mask is all true.
// Opset 12 moved `ratio` to an input and added the `training_mode` input; with training_mode
// true the op really drops: mask = u >= ratio, y = x * mask / (1 - ratio).
// Opsets 7-9 typed the mask like the input; from opset 10 it is bool.
#include <random>

#include "core/ops/nn/float_io.h"
#include "core/ops/nn/nn_ops.h"

namespace wisp::nn {
namespace {

class DropoutOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    opset_ = ctx.opset == 0 ? 22 : ctx.opset;
    WISP_ASSIGN_OR_RETURN(float ratio, ctx.node.attr_float("ratio", 0.5f));
    ratio_attr_ = ratio;
    if (ctx.node.has_attr("seed")) {
      WISP_ASSIGN_OR_RETURN(int64_t seed, ctx.node.attr_int("seed", 0));
      seed_ = uint64_t(seed);
      has_seed_ = true;
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    bool training = false;
    float ratio = ratio_attr_;
    if (opset_ >= 12) {
      if (ctx.has_input(1)) {
        WISP_CHECK_ARG(ctx.input(1).numel() == 1, "ratio must be a scalar, got ", ctx.input(1).describe());
        ratio = float(ctx.input(1).get_as_double(0));
      }
      if (ctx.has_input(2)) {
        WISP_CHECK_ARG(ctx.input(2).numel() == 1, "training_mode must be a scalar, got ", ctx.input(2).describe());
        training = ctx.input(2).get_as_double(0) != 0;
      }
    }
    WISP_CHECK_ARG(ratio >= 0 && ratio < 1, "ratio must be in [0, 1), got ", ratio);
    const bool want_mask = ctx.wants_output(1);
    const DType mask_type = opset_ < 10 ? x.dtype() : DType::Bool;

    if (!training || ratio == 0) {
      ctx.set_output(0, x);  // identity: share the input's storage
      if (want_mask) {
        WISP_ASSIGN_OR_RETURN(Tensor * mask, ctx.allocate_output(1, mask_type, x.shape()));
        if (mask_type == DType::Bool) {
          std::memset(mask->raw_data(), 1, mask->nbytes());
        } else {
          WISP_RETURN_IF_ERROR(visit_float(mask_type, "input", [&](auto tag) -> Status {
            using T = decltype(tag);
            T one = FloatIO<T>::store(1.0f);
            T* m = mask->data<T>();
            for (int64_t i = 0; i < mask->numel(); ++i) m[i] = one;
            return Status::ok();
          }));
        }
      }
      return Status::ok();
    }

    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    Tensor mask_tmp;
    WISP_ASSIGN_OR_RETURN(mask_tmp, ctx.allocate(DType::Bool, x.shape()));
    bool* keep = mask_tmp.data<bool>();
    std::mt19937_64 rng(has_seed_ ? seed_ : std::random_device{}());
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (int64_t i = 0; i < x.numel(); ++i) keep[i] = uniform(rng) >= ratio;
    const float scale = 1.0f / (1.0f - ratio);
    WISP_RETURN_IF_ERROR(visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) dst[i] = IO::store(keep[i] ? IO::load(src[i]) * scale : 0.0f);
      return Status::ok();
    }));
    if (want_mask) ctx.set_output(1, mask_tmp);
    return Status::ok();
  }

 private:
  int64_t opset_ = 22;
  float ratio_attr_ = 0.5f;
  bool has_seed_ = false;
  uint64_t seed_ = 0;
};

}  // namespace

void register_dropout_kernels(OpRegistry& r) { r.add<DropoutOp>("Dropout"); }

}  // namespace wisp::nn
