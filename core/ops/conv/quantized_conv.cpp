// ConvInteger and QLinearConv: 8-bit convolutions with int32 accumulation, as a direct
// reference loop (quantized models are rare in Wisp's targets; correctness first). Padding
// reads as the input zero point, i.e. contributes nothing.
#include <algorithm>
#include <cmath>

#include "core/ops/conv/conv_attributes.h"

namespace wisp::conv {

namespace {

bool is_8bit(DType t) { return t == DType::UInt8 || t == DType::Int8; }

int32_t load8(const Tensor& t, int64_t i) {
  return t.dtype() == DType::UInt8 ? int32_t(t.data<uint8_t>()[i]) : int32_t(t.data<int8_t>()[i]);
}

// Optional zero point input: scalar, or one per output channel when `per_channel` > 0.
Result<std::vector<int32_t>> read_zero_point(const OpContext& ctx, size_t input, DType expected, int64_t per_channel,
                                             const char* what) {
  if (!ctx.has_input(input)) return std::vector<int32_t>{0};
  const Tensor& t = ctx.input(input);
  WISP_CHECK_ARG(t.dtype() == expected, ctx.node().context(), what, " zero point has type ", dtype_name(t.dtype()),
                 ", expected ", dtype_name(expected));
  WISP_CHECK_ARG(t.numel() == 1 || (per_channel > 0 && t.rank() == 1 && t.numel() == per_channel),
                 ctx.node().context(), what, " zero point ", t.describe(), " must be a scalar",
                 per_channel > 0 ? " or have one value per output channel" : "");
  std::vector<int32_t> v(size_t(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[size_t(i)] = int32_t(t.get_as_int64(i));
  return v;
}

struct IntConvSetup {
  kernels::ConvGeometry g;
  Shape out_shape;
  int64_t batch = 0, cin = 0, cout = 0, group = 1;
};

Result<IntConvSetup> setup(const ConvAttributes& attrs, const Node& node, const Tensor& x, const Tensor& w) {
  WISP_CHECK_ARG(is_8bit(x.dtype()) && is_8bit(w.dtype()), node.context(), "input and weights must be uint8 or int8, got ",
                 dtype_name(x.dtype()), " and ", dtype_name(w.dtype()));
  WISP_CHECK_ARG(x.rank() >= 3, node.context(), "input must be [N, C, ...], got ", x.describe());
  std::vector<int64_t> kernel, strides, dilations;
  WISP_RETURN_IF_ERROR(attrs.resolve(node, size_t(x.rank() - 2), w.shape(), kernel, strides, dilations));
  IntConvSetup s;
  s.batch = x.dim(0);
  s.cin = x.dim(1);
  s.cout = w.dim(0);
  s.group = attrs.group;
  WISP_CHECK_ARG(s.cin % s.group == 0 && s.cout % s.group == 0 && w.dim(1) * s.group == s.cin, node.context(),
                 "weights ", w.describe(), " do not match input ", x.describe(), " with group ", s.group);
  WISP_ASSIGN_OR_RETURN(s.g, conv_geometry(attrs, node, x.shape(), kernel, strides, dilations));
  s.out_shape = {s.batch, s.cout};
  for (int64_t i = 0; i < x.rank() - 2; ++i) s.out_shape.push_back(s.g.out[size_t(3 - (x.rank() - 2) + i)]);
  return s;
}

// acc[n, o, p] = sum (x - zx) * (w - zw[o]) over the group's channels and the kernel taps.
void integer_conv(const IntConvSetup& s, const Tensor& x, int32_t zx, const Tensor& w, const std::vector<int32_t>& zw,
                  int32_t* acc) {
  const kernels::ConvGeometry& g = s.g;
  const int64_t cin_g = s.cin / s.group, cout_g = s.cout / s.group;
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t o = 0; o < s.cout; ++o) {
      const int32_t zwo = zw.size() == 1 ? zw[0] : zw[size_t(o)];
      const int64_t grp = o / cout_g;
      for (int64_t od = 0; od < g.out[0]; ++od)
        for (int64_t oh = 0; oh < g.out[1]; ++oh)
          for (int64_t ow = 0; ow < g.out[2]; ++ow) {
            int32_t sum = 0;
            for (int64_t c = 0; c < cin_g; ++c)
              for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
                for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
                  for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                    const int64_t id = od * g.stride[0] + kd * g.dilation[0] - g.pad_begin[0];
                    const int64_t ih = oh * g.stride[1] + kh * g.dilation[1] - g.pad_begin[1];
                    const int64_t iw = ow * g.stride[2] + kw * g.dilation[2] - g.pad_begin[2];
                    if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2]) continue;
                    const int32_t xv = load8(x, (n * s.cin + grp * cin_g + c) * g.in_size() + (id * g.in[1] + ih) * g.in[2] + iw);
                    const int32_t wv = load8(w, (o * cin_g + c) * g.kernel_size() + (kd * g.kernel[1] + kh) * g.kernel[2] + kw);
                    sum += (xv - zx) * (wv - zwo);
                  }
            acc[(n * s.cout + o) * g.out_size() + (od * g.out[1] + oh) * g.out[2] + ow] = sum;
          }
    }
}

class ConvIntegerOp : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override { return attrs_.read(ctx.node); }
  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    WISP_ASSIGN_OR_RETURN(IntConvSetup s, setup(attrs_, ctx.node(), x, w));
    WISP_ASSIGN_OR_RETURN(auto zx, read_zero_point(ctx, 2, x.dtype(), 0, "x"));
    WISP_ASSIGN_OR_RETURN(auto zw, read_zero_point(ctx, 3, w.dtype(), s.cout, "w"));
    WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DType::Int32, s.out_shape));
    integer_conv(s, x, zx[0], w, zw, y->data<int32_t>());
    return Status::ok();
  }

 private:
  ConvAttributes attrs_;
};

class QLinearConvOp : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override { return attrs_.read(ctx.node); }
  Status run(OpContext& ctx) const override {
    const Node& node = ctx.node();
    for (size_t i = 0; i < 8; ++i) WISP_CHECK_ARG(ctx.has_input(i), node.context(), "input ", i, " is required");
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(3);
    WISP_ASSIGN_OR_RETURN(IntConvSetup s, setup(attrs_, node, x, w));
    auto scale = [&](size_t i, int64_t count, const char* what) -> Result<std::vector<float>> {
      const Tensor& t = ctx.input(i);
      WISP_CHECK_ARG(t.dtype() == DType::Float32 && (t.numel() == 1 || (count > 0 && t.numel() == count)),
                     node.context(), what, " scale ", t.describe(), " must be a float32 scalar",
                     count > 0 ? " or one value per output channel" : "");
      return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
    };
    WISP_ASSIGN_OR_RETURN(auto x_scale, scale(1, 0, "x"));
    WISP_ASSIGN_OR_RETURN(auto zx, read_zero_point(ctx, 2, x.dtype(), 0, "x"));
    WISP_ASSIGN_OR_RETURN(auto w_scale, scale(4, s.cout, "w"));
    WISP_ASSIGN_OR_RETURN(auto zw, read_zero_point(ctx, 5, w.dtype(), s.cout, "w"));
    WISP_ASSIGN_OR_RETURN(auto y_scale, scale(6, 0, "y"));
    const DType y_type = ctx.input(7).dtype();
    WISP_CHECK_ARG(is_8bit(y_type), node.context(), "y zero point must be uint8 or int8, got ", dtype_name(y_type));
    WISP_ASSIGN_OR_RETURN(auto zy, read_zero_point(ctx, 7, y_type, 0, "y"));
    WISP_CHECK_ARG(y_scale[0] != 0.0f, node.context(), "y scale is zero");
    const int32_t* bias = nullptr;
    if (ctx.has_input(8)) {
      const Tensor& b = ctx.input(8);
      WISP_CHECK_ARG(b.dtype() == DType::Int32 && b.numel() == s.cout, node.context(), "bias ", b.describe(),
                     " must be int32[", s.cout, "]");
      bias = b.data<int32_t>();
    }
    std::vector<int32_t> acc(size_t(numel(s.out_shape)));
    integer_conv(s, x, zx[0], w, zw, acc.data());
    WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, y_type, s.out_shape));
    const float lo = y_type == DType::UInt8 ? 0.0f : -128.0f, hi = y_type == DType::UInt8 ? 255.0f : 127.0f;
    const int64_t plane = s.g.out_size();
    for (int64_t i = 0; i < int64_t(acc.size()); ++i) {
      const int64_t o = (i / plane) % s.cout;
      const float sc = x_scale[0] * w_scale[w_scale.size() == 1 ? 0 : size_t(o)] / y_scale[0];
      const int32_t a = acc[size_t(i)] + (bias ? bias[o] : 0);
      // Round half to even, as ONNX's reference and ORT do.
      const float q = std::clamp(std::nearbyint(float(a) * sc) + float(zy[0]), lo, hi);
      if (y_type == DType::UInt8) {
        y->data<uint8_t>()[i] = uint8_t(q);
      } else {
        y->data<int8_t>()[i] = int8_t(q);
      }
    }
    return Status::ok();
  }

 private:
  ConvAttributes attrs_;
};

}  // namespace

void register_quantized_conv(OpRegistry& registry) {
  registry.add<ConvIntegerOp>("ConvInteger");
  registry.add<QLinearConvOp>("QLinearConv");
}

}  // namespace wisp::conv
