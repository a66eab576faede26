// Col2Im (opset 18): scatters-and-sums column blocks [N, C * prod(block), L] back into an
// image [N, C, *image_shape], the inverse layout of im2col (PyTorch's fold).
#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

class Col2ImOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(dilations_, ctx.node.attr_ints("dilations"));
    WISP_ASSIGN_OR_RETURN(pads_, ctx.node.attr_ints("pads"));
    WISP_ASSIGN_OR_RETURN(strides_, ctx.node.attr_ints("strides"));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() == 3, "input must be [N, C*prod(block), L], got ", x.describe());
    WISP_CHECK_ARG(x.dtype() != DType::String && x.dtype() != DType::Bool, "Col2Im needs numeric data, got ",
                   x.describe());
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> image, read_int64s(ctx.input(1), "image_shape"));
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> block, read_int64s(ctx.input(2), "block_shape"));
    const size_t nd = image.size();
    WISP_CHECK_ARG(nd >= 1 && block.size() == nd, "image_shape and block_shape must have the same length");
    std::vector<int64_t> dil = dilations_.empty() ? std::vector<int64_t>(nd, 1) : dilations_;
    std::vector<int64_t> str = strides_.empty() ? std::vector<int64_t>(nd, 1) : strides_;
    std::vector<int64_t> pads = pads_.empty() ? std::vector<int64_t>(2 * nd, 0) : pads_;
    WISP_CHECK_ARG(dil.size() == nd && str.size() == nd && pads.size() == 2 * nd,
                   "dilations, strides and pads do not match ", nd, " spatial dims");

    int64_t block_size = 1, blocks = 1;
    std::vector<int64_t> grid(nd);  // number of block positions per spatial dim
    for (size_t d = 0; d < nd; ++d) {
      WISP_CHECK_ARG(image[d] > 0 && block[d] > 0 && dil[d] > 0 && str[d] > 0 && pads[d] >= 0 && pads[d + nd] >= 0,
                     "invalid Col2Im geometry on spatial dim ", d);
      const int64_t limit = ctx.limits().max_tensor_elements;
      WISP_CHECK_ARG(image[d] <= limit && block[d] <= limit && pads[d] <= limit && pads[d + nd] <= limit &&
                         dil[d] <= limit / block[d],
                     "Col2Im sizes out of range on spatial dim ", d);
      int64_t span = dil[d] * (block[d] - 1) + 1;
      int64_t room = image[d] + pads[d] + pads[d + nd] - span;
      WISP_CHECK_ARG(room >= 0, "block does not fit the padded image on spatial dim ", d);
      grid[d] = room / str[d] + 1;
      // Both products must match dims of x, so larger partial products are errors (and never overflow).
      WISP_CHECK_ARG(block[d] <= x.dim(1) / block_size && grid[d] <= x.dim(2) / blocks,
                     "block_shape / image_shape do not match ", x.describe());
      block_size *= block[d];
      blocks *= grid[d];
    }
    WISP_CHECK_ARG(x.dim(1) % block_size == 0, "dim 1 of ", x.describe(), " is not a multiple of the block size ",
                   block_size);
    WISP_CHECK_ARG(x.dim(2) == blocks, "input has ", x.dim(2), " blocks, the geometry gives ", blocks);
    const int64_t n = x.dim(0), c = x.dim(1) / block_size;
    Shape out_shape = {n, c};
    out_shape.insert(out_shape.end(), image.begin(), image.end());
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), out_shape));
    const int64_t image_size = dims_product(out_shape, 2, out_shape.size());

    std::vector<double> acc(static_cast<size_t>(out->numel()), 0.0);
    std::vector<int64_t> k(nd), l(nd);
    for (int64_t b = 0; b < block_size; ++b) {
      // Offset of this element within the block, per spatial dim.
      for (int64_t rem = b, d = int64_t(nd); d-- > 0;) {
        k[size_t(d)] = rem % block[size_t(d)];
        rem /= block[size_t(d)];
      }
      for (int64_t p = 0; p < blocks; ++p) {
        int64_t pos = 0;
        bool inside = true;
        for (int64_t rem = p, d = int64_t(nd); d-- > 0;) {
          const size_t u = size_t(d);
          l[u] = rem % grid[u];
          rem /= grid[u];
        }
        for (size_t d = 0; d < nd && inside; ++d) {
          int64_t at = l[d] * str[d] - pads[d] + k[d] * dil[d];
          inside = at >= 0 && at < image[d];
          pos = pos * image[d] + at;
        }
        if (!inside) continue;
        for (int64_t i = 0; i < n; ++i) {
          for (int64_t ch = 0; ch < c; ++ch) {
            int64_t src = ((i * c + ch) * block_size + b) * blocks + p;
            acc[size_t((i * c + ch) * image_size + pos)] += x.get_as_double(src);
          }
        }
      }
    }
    for (int64_t i = 0; i < out->numel(); ++i) set_from_double(*out, i, acc[size_t(i)]);
    return Status::ok();
  }

 private:
  std::vector<int64_t> dilations_, pads_, strides_;
};

}  // namespace

void register_col2im_ops(OpRegistry& r) { r.add<Col2ImOp>("Col2Im"); }

}  // namespace wisp::shape_ops
