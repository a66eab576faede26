// Gather, GatherElements, GatherND. Indices are validated before anything is copied, so an
// out-of-range index is an error, never an out-of-bounds read.
#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

// Reads an index tensor and wraps negative entries against `extent`, failing on any out of range.
Result<std::vector<int64_t>> read_indices(const Tensor& indices, int64_t extent) {
  WISP_ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int64s(indices, "indices"));
  for (int64_t& i : idx) {
    WISP_ASSIGN_OR_RETURN(i, checked_index(i, extent, "gather"));
  }
  return idx;
}

class GatherOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 0));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, data.rank()));
    const int64_t extent = data.dim(axis);
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_indices(indices, extent));
    Shape out_shape(data.shape().begin(), data.shape().begin() + axis);
    out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
    out_shape.insert(out_shape.end(), data.shape().begin() + axis + 1, data.shape().end());
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, data.dtype(), out_shape));
    const int64_t outer = dims_product(data.shape(), 0, size_t(axis));
    const int64_t inner = dims_product(data.shape(), size_t(axis) + 1, data.shape().size());
    const int64_t n = int64_t(idx.size());
    ElementCopier copier(*out, data);
    int64_t min_chunk = std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1));
    parallel_for(ctx.threads(), outer * n, min_chunk, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) {
        int64_t o = j / n, i = j % n;
        int64_t src = (o * extent + idx[size_t(i)]) * inner;
        if (inner == 1) copier.copy_one(j, src);
        else copier.copy(j * inner, src, inner);
      }
    });
    return Status::ok();
  }

 private:
  int64_t axis_ = 0;
};

class GatherElementsOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 0));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    WISP_CHECK_ARG(data.rank() == indices.rank() && data.rank() > 0, "data ", data.describe(), " and indices ",
                   indices.describe(), " must have the same non-zero rank");
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, data.rank()));
    for (int64_t d = 0; d < data.rank(); ++d) {
      WISP_CHECK_ARG(d == axis || indices.dim(d) <= data.dim(d), "indices ", indices.describe(),
                     " exceed data ", data.describe(), " on axis ", d);
    }
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_indices(indices, data.dim(axis)));
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, data.dtype(), indices.shape()));
    ElementCopier copier(*out, data);
    const std::vector<int64_t> dstrides = data.strides();
    const size_t rank = size_t(data.rank());
    std::vector<int64_t> counter(rank, 0);
    for (int64_t i = 0; i < int64_t(idx.size()); ++i) {
      int64_t src = 0;
      for (size_t d = 0; d < rank; ++d) src += (d == size_t(axis) ? idx[size_t(i)] : counter[d]) * dstrides[d];
      copier.copy_one(i, src);
      for (size_t d = rank; d-- > 0;) {
        if (++counter[d] < indices.shape()[d]) break;
        counter[d] = 0;
      }
    }
    return Status::ok();
  }

 private:
  int64_t axis_ = 0;
};

class GatherNDOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(batch_dims_, ctx.node.attr_int("batch_dims", 0));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int64_t b = batch_dims_, r = data.rank(), q = indices.rank();
    WISP_CHECK_ARG(q >= 1 && r >= 1, "data and indices must have rank >= 1");
    WISP_CHECK_ARG(b >= 0 && b < std::min(q, r), "batch_dims ", b, " must be below the ranks of data and indices");
    for (int64_t d = 0; d < b; ++d) {
      WISP_CHECK_ARG(data.dim(d) == indices.dim(d), "batch dim ", d, " differs: ", data.describe(), " vs ",
                     indices.describe());
    }
    const int64_t k = indices.dim(-1);
    WISP_CHECK_ARG(k >= 1 && k <= r - b, "indices ", indices.describe(), " index too many dims of ", data.describe());
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int64s(indices, "indices"));

    Shape out_shape(indices.shape().begin(), indices.shape().end() - 1);
    out_shape.insert(out_shape.end(), data.shape().begin() + b + k, data.shape().end());
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, data.dtype(), out_shape));

    const std::vector<int64_t> dstrides = data.strides();
    const int64_t block = dims_product(data.shape(), size_t(b + k), size_t(r));
    const int64_t batches = dims_product(data.shape(), 0, size_t(b));
    const int64_t batch_stride = dims_product(data.shape(), size_t(b), size_t(r));
    const int64_t tuples = int64_t(idx.size()) / k;
    const int64_t per_batch = batches ? tuples / batches : 0;
    ElementCopier copier(*out, data);
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t src = (per_batch ? t / per_batch : 0) * batch_stride;
      for (int64_t j = 0; j < k; ++j) {
        WISP_ASSIGN_OR_RETURN(int64_t i, checked_index(idx[size_t(t * k + j)], data.dim(b + j), "GatherND"));
        src += i * dstrides[size_t(b + j)];
      }
      copier.copy(t * block, src, block);
    }
    return Status::ok();
  }

 private:
  int64_t batch_dims_ = 0;
};

}  // namespace

void register_gather_ops(OpRegistry& r) {
  r.add<GatherOp>("Gather");
  r.add<GatherElementsOp>("GatherElements");
  r.add<GatherNDOp>("GatherND");
}

}  // namespace wisp::shape_ops
