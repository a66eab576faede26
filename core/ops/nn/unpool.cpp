// MaxUnpool: scatters pooled values back to the positions MaxPool's Indices recorded; all
// other outputs are zero. The output shape is the optional `output_shape` input, else the
// inverse of the pooling size formula.
#include "core/ops/nn/float_io.h"
#include "core/ops/nn/nn_ops.h"
#include "core/ops/nn/pool_geometry.h"

namespace wisp::nn {
namespace {

class MaxUnpoolOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override { return attrs_.parse(ctx.node, false, false); }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(ctx.has_input(1), "MaxUnpool needs the indices input");
    const Tensor& ind = ctx.input(1);
    WISP_CHECK_ARG(ind.dtype() == DType::Int64, "indices must be int64, got ", ind.describe());
    WISP_CHECK_ARG(ind.shape() == x.shape(), "indices shape ", shape_to_string(ind.shape()),
                   " must match the input shape ", shape_to_string(x.shape()));
    const size_t nd = attrs_.kernel.size();
    WISP_CHECK_ARG(x.rank() == int64_t(nd + 2), "input must have rank ", nd + 2, ", got ", x.describe());
    // Indices address the default (inferred) output layout; an explicit output_shape only
    // enlarges the canvas, keeping each value at the same coordinates (ONNX reference behaviour).
    Shape inferred = {x.dim(0), x.dim(1)};
    for (size_t j = 0; j < nd; ++j) {
      int64_t s = attrs_.strides.empty() ? 1 : attrs_.strides[j];
      int64_t pads = 0;
      WISP_CHECK_ARG(attrs_.pads.empty() || checked_add(attrs_.pads[j], attrs_.pads[j + nd], &pads),
                     "MaxUnpool pads overflow");
      // (in - 1) * stride + kernel - pads, with attributes a hostile model may set to anything.
      int64_t size = 0;
      WISP_CHECK_ARG(checked_mul(x.dim(int64_t(2 + j)) - 1, s, &size) && checked_add(size, attrs_.kernel[j], &size) &&
                         checked_add(size, -pads, &size) && pads != INT64_MIN,
                     "MaxUnpool output size along spatial dim ", j, " overflows");
      WISP_CHECK_ARG(size >= 0, "MaxUnpool output size along spatial dim ", j, " is negative");
      inferred.push_back(size);
    }
    Shape out_shape = inferred;
    if (ctx.has_input(2)) {
      WISP_ASSIGN_OR_RETURN(out_shape, ctx.input(2).to_int64_vector());
      WISP_CHECK_ARG(out_shape.size() == nd + 2, "output_shape must have ", nd + 2, " values");
      for (int64_t d : out_shape) WISP_CHECK_ARG(d >= 0, "output_shape has a negative dim");
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), out_shape));
    std::memset(out->raw_data(), 0, out->nbytes());
    WISP_ASSIGN_OR_RETURN(const int64_t total, checked_numel(inferred));
    const std::vector<int64_t> out_strides = contiguous_strides(out_shape);
    const int64_t* idx = ind.data<int64_t>();
    const size_t elem = dtype_size(x.dtype());
    WISP_CHECK_ARG(elem > 0, "MaxUnpool does not take ", dtype_name(x.dtype()), " input");
    const char* src = static_cast<const char*>(x.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    for (int64_t i = 0; i < x.numel(); ++i) {
      WISP_CHECK_ARG(idx[i] >= 0 && idx[i] < total, "index ", idx[i], " is out of range for an unpooled tensor of ",
                     total, " elements");
      // Re-address the coordinates of idx[i] (in the inferred layout) in the output layout.
      int64_t rem = idx[i], off = 0;
      bool inside = true;
      for (size_t d = inferred.size(); d-- > 0;) {
        int64_t coord = rem % inferred[d];
        rem /= inferred[d];
        if (coord >= out_shape[d]) inside = false;
        off += coord * out_strides[d];
      }
      WISP_CHECK_ARG(inside, "index ", idx[i], " falls outside output_shape ", shape_to_string(out_shape));
      std::memcpy(dst + off * int64_t(elem), src + i * int64_t(elem), elem);
    }
    return Status::ok();
  }

 private:
  PoolAttributes attrs_;
};

}  // namespace

void register_unpool_kernels(OpRegistry& r) { r.add<MaxUnpoolOp>("MaxUnpool"); }

}  // namespace wisp::nn
