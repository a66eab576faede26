// DFT (opset 17 and 20). The input is [..., signal..., 1 or 2]: the last dimension holds the
// real part (1) or real and imaginary parts (2). The transform runs along `axis` (an attribute
// defaulting to 1 in opset 17, an optional scalar input defaulting to -2 from opset 20) over
// dft_length points (the optional input 1; the signal is zero-padded or truncated to it).
// The output is complex ([..., 2]); `onesided` keeps the first dft_length/2 + 1 bins of the
// transform of a real signal, `inverse` computes the inverse transform scaled by 1/dft_length.
#include <algorithm>

#include "core/ops/nn/float_io.h"
#include "core/ops/signal/signal_ops.h"

namespace wisp::signal_ops {
namespace {

using nn::FloatIO;

class DftOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    axis_from_input_ = ctx.opset >= 20;
    if (!axis_from_input_) {
      WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 1));
    }
    WISP_ASSIGN_OR_RETURN(int64_t inverse, ctx.node.attr_int("inverse", 0));
    WISP_ASSIGN_OR_RETURN(int64_t onesided, ctx.node.attr_int("onesided", 0));
    WISP_CHECK_ARG(inverse == 0 || inverse == 1, "DFT inverse must be 0 or 1, got ", inverse);
    WISP_CHECK_ARG(onesided == 0 || onesided == 1, "DFT onesided must be 0 or 1, got ", onesided);
    inverse_ = inverse == 1;
    onesided_ = onesided == 1;
    // Opset 17 and 20 disagree on what a one-sided inverse means (truncated full inverse vs.
    // inverse of a half spectrum); refuse it rather than guess.
    if (inverse_ && onesided_) return unsupported("DFT with both inverse and onesided set is not supported");
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape& shape = x.shape();
    const int64_t rank = x.rank();
    WISP_CHECK_ARG(rank >= 2, "DFT input must have rank >= 2 ([..., signal, 1 or 2]), got ", x.describe());
    const int64_t comps = shape.back();
    WISP_CHECK_ARG(comps == 1 || comps == 2,
                   "DFT input's last dimension must be 1 (real) or 2 (complex), got ", x.describe());

    int64_t axis = axis_;
    if (axis_from_input_) {
      axis = -2;
      if (ctx.has_input(2)) {
        WISP_ASSIGN_OR_RETURN(axis, read_scalar_int(ctx.input(2), "DFT axis"));
      }
    }
    // The last dimension holds the complex parts, so the signal axis is one of the others.
    const int64_t a = axis < 0 ? axis + rank : axis;
    WISP_CHECK_ARG(a >= 0 && a <= rank - 2, "DFT axis ", axis, " is out of range for input ", x.describe(),
                   " (must be in [", -rank, ", -2] or [0, ", rank - 2, "])");

    const int64_t length = shape[size_t(a)];
    int64_t n = length;
    if (ctx.has_input(1)) {
      WISP_ASSIGN_OR_RETURN(n, read_scalar_int(ctx.input(1), "DFT dft_length"));
      WISP_CHECK_ARG(n >= 1, "DFT dft_length must be positive, got ", n);
    }
    WISP_CHECK_ARG(n >= 1, "DFT signal axis ", a, " of ", x.describe(), " is empty");
    WISP_CHECK_ARG(!(onesided_ && comps == 2), "DFT onesided=1 needs a real input (last dimension 1), got ",
                   x.describe());

    const int64_t out_len = onesided_ ? n / 2 + 1 : n;
    Shape out_shape = shape;
    out_shape[size_t(a)] = out_len;
    out_shape.back() = 2;
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), out_shape));
    if (out->numel() == 0) return Status::ok();
    WISP_ASSIGN_OR_RETURN(FftPlan plan, FftPlan::create(n, ctx.limits().max_tensor_elements));

    const int64_t outer = nn::product(shape, 0, size_t(a));
    const int64_t inner = nn::product(shape, size_t(a) + 1, size_t(rank - 1));
    const int64_t copy_len = std::min(n, length);
    const double scale = inverse_ ? 1.0 / double(n) : 1.0;
    const bool inverse = inverse_;

    return nn::visit_float(x.dtype(), "DFT input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      // One task per 1-D line along the axis; each task owns its work buffers.
      auto lines = [&](int64_t begin, int64_t end) {
        std::vector<Complex> buf(static_cast<size_t>(n)), scratch;
        for (int64_t line = begin; line < end; ++line) {
          const int64_t o = line / inner, i = line % inner;
          const T* in = src + (o * length * inner + i) * comps;
          for (int64_t j = 0; j < copy_len; ++j) {
            const T* e = in + j * inner * comps;
            double re = double(IO::load(e[0]));
            double im = comps == 2 ? double(IO::load(e[1])) : 0.0;
            buf[size_t(j)] = Complex(re, im);
          }
          std::fill(buf.begin() + copy_len, buf.end(), Complex(0, 0));
          plan.transform(buf.data(), inverse, scratch);
          T* o_line = dst + (o * out_len * inner + i) * 2;
          for (int64_t k = 0; k < out_len; ++k) {
            Complex v = buf[size_t(k)] * scale;
            o_line[k * inner * 2] = IO::store(typename IO::Acc(v.real()));
            o_line[k * inner * 2 + 1] = IO::store(typename IO::Acc(v.imag()));
          }
        }
      };
      parallel_for(ctx.threads(), outer * inner, nn::chunk_for(n * 16), lines);
      return Status::ok();
    });
  }

 private:
  bool axis_from_input_ = false;
  int64_t axis_ = 1;
  bool inverse_ = false;
  bool onesided_ = false;
};

}  // namespace

void register_dft_ops(OpRegistry& r) { r.add<DftOp>("DFT", "", 17); }

}  // namespace wisp::signal_ops
