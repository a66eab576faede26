// ConvTranspose: the adjoint of Conv. Per group, GEMM with the transposed weights turns the
// input into columns [Cout/g * kernel, input pixels], which col2im scatters into the output.
#include <memory>

#include "core/kernels/gemm.h"
#include "core/ops/conv/conv_attributes.h"

namespace wisp::conv {

namespace {

class ConvTransposeOp : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_RETURN_IF_ERROR(attrs_.read(ctx.node));
    // Prepack constant float weights: W_g is stored [Cin/g, Cout/g * kernel] and used transposed.
    const Tensor* w = ctx.constant_input(1);
    if (w && w->dtype() == DType::Float32 && w->rank() >= 3 && w->dim(0) % attrs_.group == 0 && w->numel() > 0) {
      const int64_t cin_g = w->dim(0) / attrs_.group, rows = w->numel() / w->dim(0);
      for (int64_t grp = 0; grp < attrs_.group; ++grp) {
        packed_.push_back(std::make_shared<kernels::PackedA>(
            kernels::MatrixView{w->data<float>() + grp * cin_g * rows, rows, true}, rows, cin_g));
      }
    }
    return Status::ok();
  }

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
    const int64_t batch = x.dim(0), in_channels = x.dim(1), group = attrs_.group;
    WISP_CHECK_ARG(w.dim(0) == in_channels && in_channels % group == 0, node.context(), "weights ", w.describe(),
                   " do not match input ", x.describe(), " with group ", group);
    const int64_t cout_g = w.dim(1), out_channels = cout_g * group;
    const float* bias = nullptr;
    if (ctx.has_input(2)) {
      const Tensor& b = ctx.input(2);
      WISP_CHECK_ARG(b.dtype() == DType::Float32 && b.numel() == out_channels, node.context(), "bias ", b.describe(),
                     " must have ", out_channels, " values");
      bias = b.data<float>();
    }
    std::vector<int64_t> output_padding = attrs_.output_padding;
    if (output_padding.empty()) output_padding.assign(spatial, 0);
    WISP_CHECK_ARG(output_padding.size() == spatial, node.context(), "output_padding must have ", spatial, " values");
    WISP_CHECK_ARG(attrs_.output_shape.empty() || attrs_.output_shape.size() == spatial ||
                       attrs_.output_shape.size() == spatial + 2,
                   node.context(), "output_shape must have ", spatial, " values");

    std::vector<int64_t> out_dims(spatial), pad_begin(spatial);
    for (size_t i = 0; i < spatial; ++i) {
      const int64_t in = x.dim(int64_t(i) + 2), span = (kernel[i] - 1) * dilations[i] + 1;
      const int64_t full = strides[i] * (in - 1) + output_padding[i] + span;  // output before padding
      int64_t wanted = -1;
      if (!attrs_.output_shape.empty()) {
        wanted = attrs_.output_shape[attrs_.output_shape.size() - spatial + i];
      } else if (attrs_.auto_pad == "SAME_UPPER" || attrs_.auto_pad == "SAME_LOWER") {
        wanted = in * strides[i];
      }
      if (wanted >= 0) {
        // A requested size beyond the natural one is extra output at the end (like output_padding).
        const int64_t total = std::max<int64_t>(0, full - wanted);
        pad_begin[i] = attrs_.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        out_dims[i] = wanted;
      } else {
        const int64_t pb = attrs_.pads.empty() || attrs_.auto_pad == "VALID" ? 0 : attrs_.pads[i];
        const int64_t pe = attrs_.pads.empty() || attrs_.auto_pad == "VALID" ? 0 : attrs_.pads[i + spatial];
        pad_begin[i] = pb;
        out_dims[i] = full - pb - pe;
      }
      WISP_CHECK_ARG(out_dims[i] >= 0, node.context(), "padding leaves a negative output size");
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
    if (batch == 0 || g.out_size() == 0) return Status::ok();

    const int64_t cin_g = in_channels / group, rows = cout_g * g.kernel_size();
    WISP_ASSIGN_OR_RETURN(Tensor col, ctx.allocate(DType::Float32, {rows, g.in_size()}));
    const float* xd = x.data<float>();
    const float* wd = w.data<float>();
    float* yd = y->data<float>();
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t grp = 0; grp < group; ++grp) {
        // col = W_g^T [rows x cin_g] * X_g [cin_g x pixels]; W_g is stored [cin_g x rows].
        const kernels::MatrixView input{xd + (n * in_channels + grp * cin_g) * g.in_size(), g.in_size(), false};
        if (!packed_.empty()) {
          kernels::gemm(*packed_[size_t(grp)], g.in_size(), input, col.data<float>(), g.in_size(), {}, ctx.threads());
        } else {
          kernels::gemm(rows, g.in_size(), cin_g, {wd + grp * cin_g * rows, rows, true}, input, col.data<float>(),
                        g.in_size(), {}, ctx.threads());
        }
        float* out = yd + (n * out_channels + grp * cout_g) * g.out_size();
        kernels::col2im(col.data<float>(), cout_g, g, out, ctx.threads());
        if (bias) {
          for (int64_t c = 0; c < cout_g; ++c) {
            const float b = bias[grp * cout_g + c];
            float* plane = out + c * g.out_size();
            for (int64_t i = 0; i < g.out_size(); ++i) plane[i] += b;
          }
        }
      }
    }
    return Status::ok();
  }

 private:
  ConvAttributes attrs_;
  std::vector<std::shared_ptr<kernels::PackedA>> packed_;  // W_g^T per group, when W is constant
};

}  // namespace

void register_conv_transpose(OpRegistry& registry) { registry.add<ConvTransposeOp>("ConvTranspose"); }

}  // namespace wisp::conv
