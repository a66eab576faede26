// TopK: the k largest (or smallest) elements along an axis with their int64 indices. Ties go
// to the lower index. Opset 1 takes k as an attribute, later opsets as input 1.
#include <algorithm>
#include <cmath>

#include "core/ops/nn/float_io.h"
#include "core/ops/reduce/reduce_ops.h"

namespace wisp::reduce {
namespace {

class TopKOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", -1));
    WISP_ASSIGN_OR_RETURN(int64_t largest, ctx.node.attr_int("largest", 1));
    WISP_ASSIGN_OR_RETURN(int64_t sorted, ctx.node.attr_int("sorted", 1));
    largest_ = largest != 0;
    sorted_ = sorted != 0;
    k_from_attr_ = ctx.opset > 0 && ctx.opset < 10;
    if (k_from_attr_) {
      WISP_ASSIGN_OR_RETURN(k_attr_, ctx.node.attr_int("k", -1));
      WISP_CHECK_MODEL(k_attr_ >= 0, "TopK needs a non-negative 'k' attribute");
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    int64_t k = k_attr_;
    if (!k_from_attr_) {
      WISP_CHECK_ARG(ctx.has_input(1), "TopK needs the K input");
      const Tensor& kt = ctx.input(1);
      WISP_CHECK_ARG(kt.numel() == 1 && (kt.dtype() == DType::Int64 || kt.dtype() == DType::Int32),
                     "K must be a one-element int64 tensor, got ", kt.describe());
      k = kt.get_as_int64(0);
    }
    WISP_CHECK_ARG(x.rank() >= 1, "TopK input must have rank >= 1");
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, x.rank()));
    const int64_t n = x.dim(axis);
    WISP_CHECK_ARG(k >= 0 && k <= n, "K = ", k, " is out of range for an axis of size ", n);
    Shape out_shape = x.shape();
    out_shape[size_t(axis)] = k;
    const int64_t outer = nn::product(x.shape(), 0, size_t(axis));
    const int64_t inner = nn::product(x.shape(), size_t(axis) + 1, x.shape().size());
    WISP_ASSIGN_OR_RETURN(Tensor * values, ctx.allocate_output(0, x.dtype(), out_shape));
    Tensor indices_tmp;
    Tensor* indices = nullptr;
    if (ctx.wants_output(1)) {
      WISP_ASSIGN_OR_RETURN(indices, ctx.allocate_output(1, DType::Int64, out_shape));
    } else {
      WISP_ASSIGN_OR_RETURN(indices_tmp, ctx.allocate(DType::Int64, out_shape));
      indices = &indices_tmp;
    }
    const bool largest = largest_;
    return nn::visit_numeric(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = nn::FloatIO<T>;
      using V = decltype(IO::load(T{}));
      const T* src = x.data<T>();
      T* vals = values->data<T>();
      int64_t* idx = indices->data<int64_t>();
      parallel_for(ctx.threads(), outer * inner, nn::chunk_for(n * 8), [&](int64_t b, int64_t e) {
        std::vector<std::pair<V, int64_t>> items(static_cast<size_t>(n));
        for (int64_t row = b; row < e; ++row) {
          const int64_t o = row / inner, i = row % inner;
          const T* p = src + o * n * inner + i;
          for (int64_t j = 0; j < n; ++j) items[size_t(j)] = {IO::load(p[j * inner]), j};
          // NaN counts as the largest value, as in numpy's sort.
          auto before = [largest](const std::pair<V, int64_t>& a, const std::pair<V, int64_t>& c) {
            bool an = a.first != a.first, cn = c.first != c.first;
            if (an || cn) {
              if (an && cn) return a.second < c.second;
              return largest ? an : cn;
            }
            if (a.first != c.first) return largest ? a.first > c.first : a.first < c.first;
            return a.second < c.second;
          };
          // Always sort the selected k: "sorted=0" leaves the order free, and sorted is the
          // most useful free choice.
          std::partial_sort(items.begin(), items.begin() + k, items.end(), before);
          for (int64_t j = 0; j < k; ++j) {
            int64_t off = (o * k + j) * inner + i;
            vals[off] = IO::store(items[size_t(j)].first);
            idx[off] = items[size_t(j)].second;
          }
        }
      });
      return Status::ok();
    });
  }

 private:
  int64_t axis_ = -1;
  bool largest_ = true;
  bool sorted_ = true;
  bool k_from_attr_ = false;
  int64_t k_attr_ = 0;
};

}  // namespace

void register_topk_kernels(OpRegistry& r) { r.add<TopKOp>("TopK"); }

}  // namespace wisp::reduce
