// Conv: grouped N-d (N <= 3) convolution.
//  - depthwise 1-D/2-D (one input and one output channel per group): a direct SIMD kernel;
//  - everything else: per group, GEMM with the weights as the left operand (rows = output
//    channels) and the im2col matrix as the right one, produced in cache-sized blocks of
//    columns straight into the GEMM's packed form (never built whole).
//    Pointwise (1x1, stride 1, no padding) convolutions skip im2col: the input already is
//    the matrix. Constant weights are packed once at load.
#include <memory>

#include "core/kernels/gemm.h"
#include "core/ops/conv/conv_attributes.h"

namespace wisp::conv {

namespace {

class ConvOp : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_RETURN_IF_ERROR(attrs_.read(ctx.node));
    // Prepack constant float weights [Cout, Cin/g, k...] per group as GEMM A operands.
    const Tensor* w = ctx.constant_input(1);
    if (w && w->dtype() == DType::Float32 && w->rank() >= 3 && w->dim(0) % attrs_.group == 0) {
      const int64_t cout_g = w->dim(0) / attrs_.group, k = w->numel() / std::max<int64_t>(1, w->dim(0));
      const bool depthwise = cout_g == 1 && w->dim(1) == 1 && w->rank() <= 4;
      if (!depthwise && w->numel() > 0) {
        for (int64_t grp = 0; grp < attrs_.group; ++grp) {
          packed_.push_back(std::make_shared<kernels::PackedA>(
              kernels::MatrixView{w->data<float>() + grp * cout_g * k, k, false}, cout_g, k));
        }
      }
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    WISP_CHECK_ARG(x.dtype() == DType::Float32 && w.dtype() == DType::Float32, node.context(),
                   "only float32 is supported, got X ", dtype_name(x.dtype()), " and W ", dtype_name(w.dtype()));
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
      WISP_CHECK_ARG(b.dtype() == DType::Float32 && b.rank() == 1 && b.numel() == out_channels, node.context(), "bias ",
                     b.describe(), " must be float32[", out_channels, "]");
      bias = b.data<float>();
    }
    WISP_ASSIGN_OR_RETURN(kernels::ConvGeometry g, conv_geometry(attrs_, node, x.shape(), kernel, strides, dilations));
    Shape out_shape{batch, out_channels};
    for (size_t i = 0; i < spatial; ++i) out_shape.push_back(g.out[3 - spatial + i]);
    WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DType::Float32, out_shape));
    if (y->numel() == 0) return Status::ok();

    const int64_t cin_g = in_channels / group, cout_g = out_channels / group;
    const float* xd = x.data<float>();
    const float* wd = w.data<float>();
    float* yd = y->data<float>();

    if (spatial <= 2 && cin_g == 1 && cout_g == 1) {
      for (int64_t n = 0; n < batch; ++n) {
        kernels::depthwise_conv2d(xd + n * in_channels * g.in_size(), wd, bias, in_channels, g,
                                  yd + n * out_channels * g.out_size(), ctx.threads());
      }
      return Status::ok();
    }

    const bool pointwise = g.is_pointwise();
    const int64_t k = cin_g * g.kernel_size();
    WISP_THREAD_LOCAL kernels::PackedA weights;  // per calling thread: run() may execute on several at once
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t grp = 0; grp < group; ++grp) {
        const float* input = xd + (n * in_channels + grp * cin_g) * g.in_size();
        const kernels::PackedA* a = packed_.empty() ? nullptr : packed_[size_t(grp)].get();
        if (!a) {
          weights.pack({wd + grp * cout_g * k, k, false}, cout_g, k);
          a = &weights;
        }
        kernels::GemmEpilogue ep;
        ep.row_bias = bias ? bias + grp * cout_g : nullptr;
        float* out = yd + (n * out_channels + grp * cout_g) * g.out_size();
        // B (the im2col matrix, or the input itself for pointwise) is packed block by block.
        const kernels::Im2col columns(input, pointwise ? 0 : cin_g, g);
        kernels::gemm(
            *a, g.out_size(),
            [&](int64_t col0, int64_t cols, float* dst) {
              if (pointwise) {
                kernels::pack_b_panels({input, g.out_size(), false}, k, col0, cols, dst);
              } else {
                columns.pack_block(col0, cols, dst);
              }
            },
            out, g.out_size(), ep, ctx.threads());
      }
    }
    return Status::ok();
  }

 private:
  ConvAttributes attrs_;
  std::vector<std::shared_ptr<kernels::PackedA>> packed_;  // per group, when W is constant
};

}  // namespace

void register_conv(OpRegistry& registry) { registry.add<ConvOp>("Conv"); }

}  // namespace wisp::conv
