// Conv: grouped N-d (N <= 3) convolution.
//  - depthwise 1-D/2-D (one input and one output channel per group): a direct SIMD kernel;
//  - everything else: per group, GEMM with the weights as the left operand (rows = output
//    channels) and the im2col matrix as the right one, produced in cache-sized blocks of
//    columns straight into the GEMM's packed form (never built whole).
//    Pointwise (1x1, stride 1, no padding) convolutions skip im2col: the input already is
//    the matrix. Constant weights are packed once, by the first run. Outputs of a few positions
//    (N <= kernels::kGemmFewColumns) skip packing: one GEMV per position. Maps whose size
//    is far from a multiple of the vector width (7x7 = 49 positions use 49 of 64 AVX-512
//    lanes) are computed transposed, Y^T = X^T W^T over the whole batch: positions become
//    the rows of the tiles and output channels the vector lanes, then Y^T is transposed
//    back, with W^T as the packed operand.
//  - an activation fused by the optimizer (wisp_activation, see fused_activation.h) is
//    applied by the GEMM epilogue (a clamp, or its tile function on each finished tile).
//  - an optional fourth input (Wisp-only, written by the optimizer's residual fusion) is a
//    tensor of the output's shape added before the activation: Conv + Add(residual) + Relu
//    of ResNet blocks. The GEMM's epilogue reads it in place as its beta term (beta 1).
#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "core/kernels/gemm.h"
#include "core/ops/conv/conv_attributes.h"
#include "core/ops/linalg/fused_activation.h"

namespace wisp::conv {

namespace {

// Writes one image's and group's right GEMM operand, k rows of n values (the im2col matrix,
// or for a pointwise Conv the input itself), to dst with row stride ld.
void write_matrix(const kernels::Im2col& im2col, const float* input, bool pointwise, int64_t k, int64_t n,
                  float* dst, int64_t ld) {
  for (int64_t r = 0; r < k; ++r) {
    if (pointwise) {
      std::copy_n(input + r * n, n, dst + r * ld);
    } else {
      im2col.row(r, 0, n, dst + r * ld);
    }
  }
}

class ConvOp : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_RETURN_IF_ERROR(attrs_.read(ctx.node));
    WISP_RETURN_IF_ERROR(activation_.read(ctx.node));
    // Constant float weights [Cout, Cin/g, k...] are packed for the GEMM on first use (see
    // PackedWeights).
    const Tensor* w = ctx.constant_input(1);
    if (w && w->dtype() == DType::Float32 && w->rank() >= 3 && w->dim(0) % attrs_.group == 0 && w->numel() > 0) {
      const bool depthwise = w->dim(0) == attrs_.group && w->dim(1) == 1 && w->rank() <= 4;
      if (!depthwise) packed_ = std::make_shared<PackedWeights>();
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Node& node = ctx.node();
    // The executor and the constant folder pass whatever inputs the node lists, maybe fewer.
    WISP_CHECK_ARG(ctx.has_input(0) && ctx.has_input(1), node.context(), "needs inputs X and W");
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
    const float* residual = nullptr;
    if (ctx.has_input(3)) {
      const Tensor& z = ctx.input(3);
      WISP_CHECK_ARG(z.dtype() == DType::Float32 && z.shape() == out_shape, node.context(), "residual ", z.describe(),
                     " must be float32 of the output's shape ", shape_to_string(out_shape));
      residual = z.data<float>();
    }

    const int64_t cin_g = in_channels / group, cout_g = out_channels / group;
    const float* xd = x.data<float>();
    const float* wd = w.data<float>();
    float* yd = y->data<float>();

    if (spatial <= 2 && cin_g == 1 && cout_g == 1) {
      for (int64_t n = 0; n < batch; ++n) {
        kernels::depthwise_conv2d(xd + n * in_channels * g.in_size(), wd, bias, in_channels, g,
                                  yd + n * out_channels * g.out_size(), ctx.threads());
      }
      if (residual) {
        parallel_for(ctx.threads(), y->numel(), 16384, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) yd[i] += residual[i];
        });
      }
      activation_.apply(yd, batch * out_channels, g.out_size(), g.out_size(), ctx.threads());
      return Status::ok();
    }

    const bool pointwise = g.is_pointwise();
    const int64_t k = cin_g * g.kernel_size();
    if (packed_ && transposed_pays(g.out_size(), cout_g)) {
      run_transposed({xd, wd, bias, residual, yd, batch, in_channels, out_channels, group, cin_g, cout_g, k, g, pointwise},
                     ctx.threads());
      return Status::ok();
    }
    WISP_THREAD_LOCAL kernels::PackedA weights;  // per calling thread: run() may execute on several at once
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t grp = 0; grp < group; ++grp) {
        const float* input = xd + (n * in_channels + grp * cin_g) * g.in_size();
        kernels::GemmEpilogue ep;
        ep.row_bias = bias ? bias + grp * cout_g : nullptr;
        activation_.set_epilogue(ep);
        float* out = yd + (n * out_channels + grp * cout_g) * g.out_size();
        if (residual) {  // read in place by the GEMM's epilogue
          ep.beta = 1.0f;
          ep.c_in = residual + (out - yd);
          ep.ldc_in = g.out_size();
        }
        const kernels::Im2col columns(input, pointwise ? 0 : cin_g, g);
        const int64_t total = g.out_size();
        if (total <= kernels::kGemmFewColumns) {
          // A few output positions (Silero VAD's STFT and encoder Convs): the whole im2col
          // matrix is tiny, and the GEMM runs one GEMV per position over the unpacked weights.
          WISP_THREAD_LOCAL std::vector<float> matrix;
          const float* b = input;
          if (!pointwise) {
            matrix.resize(size_t(k * total));
            write_matrix(columns, input, false, k, total, matrix.data(), total);
            b = matrix.data();
          }
          kernels::gemm(cout_g, total, k, {wd + grp * cout_g * k, k, false}, {b, total, false}, out, total, ep,
                        ctx.threads());
          continue;
        }
        const kernels::PackedA* a = nullptr;
        if (packed_) {
          std::call_once(packed_->w_once, [&] {
            for (int64_t i = 0; i < group; ++i) {
              packed_->w.emplace_back(kernels::MatrixView{wd + i * cout_g * k, k, false}, cout_g, k);
            }
          });
          a = &packed_->w[size_t(grp)];
        } else {
          weights.pack({wd + grp * cout_g * k, k, false}, cout_g, k);
          a = &weights;
        }
        // B (the im2col matrix, or the input itself for pointwise) is packed block by block.
        kernels::gemm(
            *a, total,
            [&](int64_t row0, int64_t rows, int64_t col0, int64_t count, float* dst) {
              if (pointwise) {
                kernels::pack_b_panels({input + row0 * total, total, false}, rows, col0, count, dst);
              } else {
                columns.pack_block(row0, rows, col0, count, dst);
              }
            },
            out, total, ep, ctx.threads());
      }
    }
    return Status::ok();
  }

 private:
  struct Problem {
    const float *x, *w, *bias, *residual;
    float* y;
    int64_t batch, in_channels, out_channels, group, cin_g, cout_g, k;
    kernels::ConvGeometry g;
    bool pointwise;
  };

  // True when an output map of n positions fills the GEMM's vectors badly (under 8/9 of
  // their lanes) and cout_g output channels would fill them well.
  static bool transposed_pays(int64_t n, int64_t cout_g) {
    const int64_t lanes = kernels::gemm_lanes();
    const auto fills_well = [&](int64_t count) { return (count + lanes - 1) / lanes * lanes * 8 <= count * 9; };
    return n > kernels::kGemmFewColumns && !fills_well(n) && fills_well(cout_g);
  }

  // Y^T (batch * N positions x cout_g) = X^T W^T per group, then transposed into Y; the bias
  // is the epilogue's column bias, and a residual is added while transposing (before the
  // activation, which then runs on Y).
  void run_transposed(const Problem& p, ThreadPool* threads) const {
    const int64_t n = p.g.out_size(), rows = p.batch * n, k = p.k, cout_g = p.cout_g;
    std::call_once(packed_->w_transposed_once, [&] {
      for (int64_t grp = 0; grp < p.group; ++grp) {
        packed_->w_transposed.emplace_back(kernels::MatrixView{p.w + grp * cout_g * k, k, true}, k, cout_g);
      }
    });
    // X (k x rows) and Y^T (rows x cout_g), the calling thread's; the workers get pointers (a
    // thread_local named inside the lambdas would be each worker's own).
    WISP_THREAD_LOCAL std::vector<float> columns_buffer, product_buffer;
    columns_buffer.resize(size_t(k * rows));
    product_buffer.resize(size_t(rows * cout_g));
    float* const columns = columns_buffer.data();
    float* const product = product_buffer.data();
    for (int64_t grp = 0; grp < p.group; ++grp) {
      // X of every image side by side: row r holds image 0's n values, then image 1's...
      parallel_for(threads, p.batch, 1, [&](int64_t begin, int64_t end) {
        for (int64_t img = begin; img < end; ++img) {
          const float* input = p.x + (img * p.in_channels + grp * p.cin_g) * p.g.in_size();
          const kernels::Im2col im2col(input, p.pointwise ? 0 : p.cin_g, p.g);
          write_matrix(im2col, input, p.pointwise, k, n, columns + img * n, rows);
        }
      });
      kernels::GemmEpilogue ep;
      ep.col_bias = p.bias ? p.bias + grp * cout_g : nullptr;
      if (!p.residual) activation_.set_epilogue(ep);
      kernels::gemm(rows, {columns, rows, true}, packed_->w_transposed[size_t(grp)], product, cout_g, ep,
                    threads);
      // Back to [image, channel, position], blocks of 16 channels: each row of Y^T is read a
      // cache line at a time (reading it a column at a time would walk rows cout_g floats
      // apart, often a power of two, all in one L1 set).
      constexpr int64_t kBlock = 16;
      parallel_for(threads, (cout_g + kBlock - 1) / kBlock, 1, [&](int64_t begin, int64_t end) {
        for (int64_t img = 0; img < p.batch; ++img) {
          const int64_t offset = (img * p.out_channels + grp * cout_g) * n;
          const float* src = product + img * n * cout_g;
          for (int64_t c0 = begin * kBlock; c0 < std::min(cout_g, end * kBlock); c0 += kBlock) {
            const int64_t c1 = std::min(cout_g, c0 + kBlock);
            float* dst = p.y + offset;
            for (int64_t j = 0; j < n; ++j) {
              for (int64_t c = c0; c < c1; ++c) dst[c * n + j] = src[j * cout_g + c];
            }
            if (!p.residual) continue;
            for (int64_t c = c0; c < c1; ++c) {
              const float* res = p.residual + offset + c * n;
              for (int64_t j = 0; j < n; ++j) dst[c * n + j] += res[j];
              activation_.apply(dst + c * n, 1, n, n, nullptr);
            }
          }
        }
      });
    }
  }

  ConvAttributes attrs_;
  linalg::FusedActivation activation_;
  // Constant weights in the GEMM's packed forms, per group: W as A operands (the usual
  // orientation) and W^T as B operands (run_transposed). Each is made by the first run that
  // needs it, not at load: the output's size decides which, so a model whose maps keep their
  // size holds one packed copy of its weights rather than two.
  struct PackedWeights {
    std::once_flag w_once, w_transposed_once;
    std::vector<kernels::PackedA> w;
    std::vector<kernels::PackedB> w_transposed;
  };
  std::shared_ptr<PackedWeights> packed_;  // null unless W is a constant float tensor
};

}  // namespace

void register_conv(OpRegistry& registry) { registry.add<ConvOp>("Conv"); }

}  // namespace wisp::conv
