// QuantizeLinear:   y = saturate(round_half_even(x / scale) + zero_point)
// DequantizeLinear: y = (x - zero_point) * scale
// Opset 10 takes one scale for the whole tensor; opset 13 adds per-axis scales (`axis`);
// opset 21 adds blocked scales (`block_size`) and QuantizeLinear's `output_dtype`. The float8
// and 4-bit types of opsets 19/21 are not Wisp dtypes, so `saturate` (float8 only) has no effect.
#include <limits>
#include <vector>

#include "core/ops/nn/float_io.h"
#include "core/ops/quantize/quantize_ops.h"

namespace wisp::quantize {
namespace {

using nn::FloatIO;

// The node attributes both operators share.
struct QuantAttrs {
  int64_t opset = 0;
  int64_t axis = 1;
  int64_t block_size = 0;

  Status read(const OpBuildContext& ctx) {
    opset = ctx.opset;
    WISP_ASSIGN_OR_RETURN(axis, ctx.node.attr_int("axis", 1));
    WISP_ASSIGN_OR_RETURN(block_size, ctx.node.attr_int("block_size", 0));
    WISP_CHECK_ARG(block_size >= 0, "block_size must not be negative, got ", block_size);
    return Status::ok();
  }

  // Opset 10 only knows one scale for the whole tensor.
  Result<QuantLayout> layout(const Tensor& x, const Tensor& scale, const Tensor* zero_point) const {
    if (opset > 0 && opset < 13) {
      WISP_CHECK_ARG(scale.numel() == 1, "scale ", scale.describe(), " must be a scalar before opset 13");
    }
    return quant_layout(x.shape(), scale, zero_point, axis, block_size);
  }
};

bool is_scale_type(DType t) {
  return t == DType::Float32 || t == DType::Float16 || t == DType::BFloat16;
}

// Reads the optional zero point (input `i`) as int64 values; an absent one is a single 0.
std::vector<int64_t> zero_points(const OpContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return {0};
  const Tensor& t = ctx.input(i);
  std::vector<int64_t> out(size_t(t.numel()));
  for (int64_t k = 0; k < t.numel(); ++k) out[size_t(k)] = t.get_as_int64(k);
  return out;
}

// Runs fn(row_begin, row_end) over the rows (outer x n) of the layout, in parallel when large.
template <typename Fn>
void for_rows(const OpContext& ctx, const QuantLayout& l, Fn&& fn) {
  parallel_for(ctx.threads(), l.outer * l.n, nn::chunk_for(l.inner * 4), fn);
}

class QuantizeLinearOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_RETURN_IF_ERROR(attrs_.read(ctx));
    WISP_ASSIGN_OR_RETURN(int64_t code, ctx.node.attr_int("output_dtype", 0));
    if (code != 0) {
      WISP_CHECK_ARG(dtype_is_known(int32_t(code)), "output_dtype ", code, " is not a known type");
      output_dtype_ = DType(code);
      WISP_RETURN_IF_ERROR(visit_quantized(output_dtype_, false, "output_dtype", [](auto) { return Status::ok(); }));
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(0) && ctx.has_input(1), "QuantizeLinear needs x and y_scale");
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    WISP_CHECK_ARG(is_scale_type(scale.dtype()) || scale.dtype() == DType::Int32,
                   "y_scale must be float32, float16, bfloat16 or int32, got ", dtype_name(scale.dtype()));
    // The output type is the zero point's; without one, output_dtype's, else uint8.
    DType y_type = output_dtype_ != DType::Undefined ? output_dtype_ : DType::UInt8;
    if (zp) {
      WISP_CHECK_ARG(output_dtype_ == DType::Undefined || zp->dtype() == output_dtype_, "y_zero_point has type ",
                     dtype_name(zp->dtype()), " but output_dtype is ", dtype_name(output_dtype_));
      y_type = zp->dtype();
    }
    WISP_ASSIGN_OR_RETURN(QuantLayout layout, attrs_.layout(x, scale, zp));
    std::vector<double> scales(size_t(scale.numel()));
    for (int64_t i = 0; i < scale.numel(); ++i) scales[size_t(i)] = scale.get_as_double(i);
    const std::vector<int64_t> zps = zero_points(ctx, 2);

    WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, y_type, x.shape()));
    return visit_quantized(y_type, false, "y_zero_point", [&](auto q_tag) -> Status {
      using Q = decltype(q_tag);
      switch (x.dtype()) {
        case DType::Float32: quantize<float, Q>(ctx, x, scales, zps, layout, *y); return Status::ok();
        case DType::Float16: quantize<Float16, Q>(ctx, x, scales, zps, layout, *y); return Status::ok();
        case DType::BFloat16: quantize<BFloat16, Q>(ctx, x, scales, zps, layout, *y); return Status::ok();
        case DType::Int32: quantize<int32_t, Q>(ctx, x, scales, zps, layout, *y); return Status::ok();
        default:
          return invalid_argument("x must be float32, float16, bfloat16 or int32, got ", dtype_name(x.dtype()));
      }
    });
  }

 private:
  // Float inputs divide in float, as the ONNX reference does (float32 / float32 in numpy);
  // int32 inputs divide in double so large values keep their precision.
  template <typename X, typename Q>
  static void quantize(const OpContext& ctx, const Tensor& x, const std::vector<double>& scales,
                       const std::vector<int64_t>& zps, const QuantLayout& l, Tensor& y) {
    constexpr int64_t lo = std::numeric_limits<Q>::min(), hi = std::numeric_limits<Q>::max();
    const X* src = x.data<X>();
    Q* dst = y.data<Q>();
    for_rows(ctx, l, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t o = r / l.n, k = r % l.n;
        for (int64_t i = 0; i < l.inner; ++i) {
          const size_t p = size_t(l.param_index(o, k, i));
          const int64_t zp = zps[zps.size() == 1 ? 0 : p];
          double q;
          if constexpr (std::is_same_v<X, int32_t>) {
            q = double(src[r * l.inner + i]) / scales[p];
          } else {
            q = double(float(FloatIO<X>::load(src[r * l.inner + i])) / float(scales[p]));
          }
          dst[r * l.inner + i] = Q(quantize_value(q, zp, lo, hi));
        }
      }
    });
  }

  QuantAttrs attrs_;
  DType output_dtype_ = DType::Undefined;
};

class DequantizeLinearOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override { return attrs_.read(ctx); }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(0) && ctx.has_input(1), "DequantizeLinear needs x and x_scale");
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    WISP_CHECK_ARG(is_scale_type(scale.dtype()), "x_scale must be float32, float16 or bfloat16, got ",
                   dtype_name(scale.dtype()));
    WISP_CHECK_ARG(!zp || zp->dtype() == x.dtype(), "x_zero_point has type ", zp ? dtype_name(zp->dtype()) : "",
                   " but x has type ", dtype_name(x.dtype()));
    WISP_ASSIGN_OR_RETURN(QuantLayout layout, attrs_.layout(x, scale, zp));
    std::vector<float> scales(size_t(scale.numel()));
    for (int64_t i = 0; i < scale.numel(); ++i) scales[size_t(i)] = float(scale.get_as_double(i));
    const std::vector<int64_t> zps = zero_points(ctx, 2);

    // The output has the scale's type.
    WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, scale.dtype(), x.shape()));
    return visit_quantized(x.dtype(), true, "x", [&](auto q_tag) -> Status {
      using Q = decltype(q_tag);
      return nn::visit_float(scale.dtype(), "x_scale", [&](auto f_tag) -> Status {
        using F = decltype(f_tag);
        if constexpr (std::is_same_v<F, double>) {
          return Status::ok();  // unreachable: is_scale_type() excludes float64
        } else {
          dequantize<Q, F>(ctx, x, scales, zps, layout, *y);
          return Status::ok();
        }
      });
    });
  }

 private:
  template <typename Q, typename F>
  static void dequantize(const OpContext& ctx, const Tensor& x, const std::vector<float>& scales,
                         const std::vector<int64_t>& zps, const QuantLayout& l, Tensor& y) {
    const Q* src = x.data<Q>();
    F* dst = y.data<F>();
    for_rows(ctx, l, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t o = r / l.n, k = r % l.n;
        for (int64_t i = 0; i < l.inner; ++i) {
          const size_t p = size_t(l.param_index(o, k, i));
          const int64_t zp = zps[zps.size() == 1 ? 0 : p];
          // The difference is exact in int64; only the product rounds.
          dst[r * l.inner + i] = FloatIO<F>::store(float(int64_t(src[r * l.inner + i]) - zp) * scales[p]);
        }
      }
    });
  }

  QuantAttrs attrs_;
};

}  // namespace

void register_quantize_linear_ops(OpRegistry& registry) {
  registry.add<QuantizeLinearOp>("QuantizeLinear");
  registry.add<DequantizeLinearOp>("DequantizeLinear");
}

}  // namespace wisp::quantize
