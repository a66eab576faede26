// Conv: grouped N-d (N <= 3) convolution. Depthwise 2-D convolutions run a direct kernel;
// the rest is im2col + GEMM with the weights as the left operand (rows = output channels),
// skipping im2col for 1x1 stride-1 unpadded kernels where the input already is the matrix.
#include "core/kernels/gemm.h"
#include "core/ops/conv/conv_attributes.h"

namespace wisp::conv {

namespace {

class ConvOp : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override { return attrs_.read(ctx.node); }

  Status run(OpContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    WISP_CHECK_ARG(x.dtype() == DType::Float32 && w.dtype() == DType::Float32, node.context(),
                   "only float32 is supported, got ", dtype_name(x.dtype()));
    WISP_CHECK_ARG(x.rank() >= 3, node.context(), "input must be [N, C, ...], got ", x.describe());
    const size_t spatial = size_t(x.rank() - 2);
    std::vector<int64_t> kernel, strides, dilations;
    WISP_RETURN_IF_ERROR(attrs_.resolve(node, spatial, w.shape(), kernel, strides, dilations));
    const int64_t batch = x.dim(0), in_channels = x.dim(1), out_channels = w.dim(0), group = attrs_.group;
    WISP_CHECK_ARG(in_channels % group == 0 && out_channels % group == 0 && w.dim(1) * group == in_channels,
                   node.context(), "weights ", w.describe(), " do not match input ", x.describe(), " with group ", group);
    const float* bias = nullptr;
    if (ctx.has_input(2)) {
      const Tensor& b = ctx.input(2);
      WISP_CHECK_ARG(b.dtype() == DType::Float32 && b.numel() == out_channels, node.context(), "bias ", b.describe(),
                     " must have ", out_channels, " values");
      bias = b.data<float>();
    }

    // Output size and padding per spatial dim.
    std::vector<int64_t> out_dims(spatial), pad_begin(spatial);
    for (size_t i = 0; i < spatial; ++i) {
      const int64_t in = x.dim(int64_t(i) + 2), span = (kernel[i] - 1) * dilations[i] + 1;
      if (attrs_.auto_pad == "SAME_UPPER" || attrs_.auto_pad == "SAME_LOWER") {
        out_dims[i] = (in + strides[i] - 1) / strides[i];
        const int64_t total = std::max<int64_t>(0, (out_dims[i] - 1) * strides[i] + span - in);
        pad_begin[i] = attrs_.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      } else {
        const int64_t pb = attrs_.auto_pad == "VALID" || attrs_.pads.empty() ? 0 : attrs_.pads[i];
        const int64_t pe = attrs_.auto_pad == "VALID" || attrs_.pads.empty() ? 0 : attrs_.pads[i + spatial];
        WISP_CHECK_ARG(in + pb + pe >= span, node.context(), "kernel of extent ", span, " is larger than the padded input ",
                       x.describe());
        out_dims[i] = (in + pb + pe - span) / strides[i] + 1;
        pad_begin[i] = pb;
      }
    }
    Shape out_shape{batch, out_channels};
    out_shape.insert(out_shape.end(), out_dims.begin(), out_dims.end());
    WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DType::Float32, out_shape));

    kernels::ConvGeometry g;
    std::vector<int64_t> in_dims(x.shape().begin() + 2, x.shape().end());
    g.in = to_three(in_dims, 1);
    g.out = to_three(out_dims, 1);
    g.kernel = to_three(kernel, 1);
    g.stride = to_three(strides, 1);
    g.dilation = to_three(dilations, 1);
    g.pad_begin = to_three(pad_begin, 0);
    if (g.out_size() == 0 || batch == 0) return Status::ok();

    const int64_t cin_g = in_channels / group, cout_g = out_channels / group;
    const float* xd = x.data<float>();
    const float* wd = w.data<float>();
    float* yd = y->data<float>();

    if (spatial == 2 && cin_g == 1 && cout_g == 1) {  // depthwise
      parallel_for(ctx.threads(), batch * group, 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          const int64_t c = i % group;
          kernels::depthwise_conv2d(xd + i * g.in_size(), wd + c * g.kernel_size(), bias ? bias[c] : 0.0f, g,
                                    yd + i * g.out_size());
        }
      });
      return Status::ok();
    }

    const bool pointwise = g.kernel_size() == 1 && g.stride == std::array<int64_t, 3>{1, 1, 1} &&
                           g.pad_begin == std::array<int64_t, 3>{0, 0, 0} && g.in == g.out;
    const int64_t k = cin_g * g.kernel_size();
    Tensor col;
    if (!pointwise) {
      WISP_ASSIGN_OR_RETURN(col, ctx.allocate(DType::Float32, {k, g.out_size()}));
    }
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t grp = 0; grp < group; ++grp) {
        const float* input = xd + (n * in_channels + grp * cin_g) * g.in_size();
        const float* matrix = input;
        if (!pointwise) {
          kernels::im2col(input, cin_g, g, col.data<float>(), ctx.threads());
          matrix = col.data<float>();
        }
        kernels::GemmEpilogue ep;
        ep.row_bias = bias ? bias + grp * cout_g : nullptr;
        kernels::gemm(cout_g, g.out_size(), k, {wd + grp * cout_g * k, k, false}, {matrix, g.out_size(), false},
                      yd + (n * out_channels + grp * cout_g) * g.out_size(), g.out_size(), ep, ctx.threads());
      }
    }
    return Status::ok();
  }

 private:
  ConvAttributes attrs_;
};

}  // namespace

void register_conv(OpRegistry& registry) { registry.add<ConvOp>("Conv"); }

}  // namespace wisp::conv
