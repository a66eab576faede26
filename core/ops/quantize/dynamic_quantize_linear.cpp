// DynamicQuantizeLinear (opset 11): quantizes a float32 tensor to uint8 with a scale and zero
// point computed from its own range, which is widened to include 0 so that 0 is exact:
//   scale = (max(0, max(x)) - min(0, min(x))) / 255
//   zero_point = saturate(round_half_even(0 - min(0, min(x)) / scale))
//   y = saturate(round_half_even(x / scale) + zero_point)
#include <algorithm>
#include <cmath>

#include "core/ops/nn/float_io.h"
#include "core/ops/quantize/quantize_ops.h"

namespace wisp::quantize {
namespace {

class DynamicQuantizeLinearOp final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.dtype() == DType::Float32, "x must be float32, got ", dtype_name(x.dtype()));
    const float* src = x.data<float>();
    const int64_t n = x.numel();

    // NaN never wins a comparison, so it does not enter the range (it quantizes to the zero
    // point, see quantize_value).
    float lo = 0.0f, hi = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
      if (src[i] < lo) lo = src[i];
      if (src[i] > hi) hi = src[i];
    }
    // Computed in float32, as the spec's function body does.
    const float scale = (hi - lo) / 255.0f;
    // An all-zero input has an empty range and an infinite one no usable scale: rather than
    // divide by them, every value and the zero point are then 0.
    const bool empty_range = !(scale > 0.0f) || std::isinf(scale);
    const uint8_t zero_point = empty_range ? 0 : uint8_t(quantize_value(0.0f - lo / scale, 0, 0, 255));

    WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DType::UInt8, x.shape()));
    uint8_t* dst = y->data<uint8_t>();
    parallel_for(ctx.threads(), n, nn::chunk_for(4), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        dst[i] = empty_range ? zero_point
                             : uint8_t(quantize_value(src[i] / scale, zero_point, 0, 255));
      }
    });
    if (ctx.wants_output(1)) {
      WISP_ASSIGN_OR_RETURN(Tensor * s, ctx.allocate_output(1, DType::Float32, {}));
      *s->data<float>() = scale;
    }
    if (ctx.wants_output(2)) {
      WISP_ASSIGN_OR_RETURN(Tensor * z, ctx.allocate_output(2, DType::UInt8, {}));
      *z->data<uint8_t>() = zero_point;
    }
    return Status::ok();
  }
};

}  // namespace

void register_dynamic_quantize_linear_ops(OpRegistry& registry) {
  registry.add<DynamicQuantizeLinearOp>("DynamicQuantizeLinear");
}

}  // namespace wisp::quantize
