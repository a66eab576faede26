// Unique: distinct elements (or distinct slices along `axis`), sorted or in order of first
// occurrence, with first-occurrence indices, inverse indices and counts.
#include <algorithm>
#include <functional>
#include <numeric>

#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

// Three-way comparison of two elements of `x` by flat index.
std::function<int(int64_t, int64_t)> element_compare(const Tensor& x) {
  if (x.dtype() == DType::String) {
    const std::string* s = x.strings();
    return [s](int64_t p, int64_t q) { return s[p] < s[q] ? -1 : (s[q] < s[p] ? 1 : 0); };
  }
  std::function<int(int64_t, int64_t)> cmp;
  visit_numeric_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
      cmp = [&x](int64_t p, int64_t q) {
        double a = x.get_as_double(p), b = x.get_as_double(q);
        return a < b ? -1 : (b < a ? 1 : 0);
      };
    } else {
      const T* d = x.data<T>();
      cmp = [d](int64_t p, int64_t q) { return d[p] < d[q] ? -1 : (d[q] < d[p] ? 1 : 0); };
    }
  });
  return cmp;
}

class UniqueOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(int64_t sorted, ctx.node.attr_int("sorted", 1));
    sorted_ = sorted != 0;
    has_axis_ = ctx.node.has_attr("axis");
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 0));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    Tensor x = input;
    int64_t axis = 0;
    if (has_axis_) {
      WISP_ASSIGN_OR_RETURN(axis, normalize_axis(axis_, x.rank()));
    } else {
      WISP_ASSIGN_OR_RETURN(x, input.reshaped({input.numel()}));
    }
    // Item j is the slice x[..., j, ...]: `outer` runs of `inner` elements.
    const int64_t extent = x.dim(axis);
    const int64_t outer = dims_product(x.shape(), 0, size_t(axis));
    const int64_t inner = dims_product(x.shape(), size_t(axis) + 1, x.shape().size());
    auto cmp_elem = element_compare(x);
    auto cmp_item = [&](int64_t a, int64_t b) {
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          int c = cmp_elem((o * extent + a) * inner + i, (o * extent + b) * inner + i);
          if (c) return c;
        }
      }
      return 0;
    };
    std::vector<int64_t> order(static_cast<size_t>(extent));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return cmp_item(a, b) < 0; });

    // Groups of equal items; the stable sort puts each group's first occurrence first.
    std::vector<int64_t> first, count, group_of(static_cast<size_t>(extent));
    for (size_t k = 0; k < order.size(); ++k) {
      if (k == 0 || cmp_item(order[k - 1], order[k]) != 0) {
        first.push_back(order[k]);
        count.push_back(0);
      }
      group_of[size_t(order[k])] = int64_t(first.size()) - 1;
      ++count.back();
    }
    const int64_t groups = int64_t(first.size());
    // Position of each group in the output: by value when sorted, else by first occurrence.
    std::vector<int64_t> rank_order(static_cast<size_t>(groups));
    std::iota(rank_order.begin(), rank_order.end(), 0);
    if (!sorted_) {
      std::sort(rank_order.begin(), rank_order.end(), [&](int64_t a, int64_t b) { return first[size_t(a)] < first[size_t(b)]; });
    }
    std::vector<int64_t> position(static_cast<size_t>(groups));
    for (int64_t p = 0; p < groups; ++p) position[size_t(rank_order[size_t(p)])] = p;

    Shape y_shape = x.shape();
    y_shape[size_t(axis)] = groups;
    WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), y_shape));
    ElementCopier copier(*y, x);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t p = 0; p < groups; ++p) {
        int64_t item = first[size_t(rank_order[size_t(p)])];
        copier.copy((o * groups + p) * inner, (o * extent + item) * inner, inner);
      }
    }
    if (ctx.wants_output(1)) {
      WISP_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(1, DType::Int64, {groups}));
      for (int64_t p = 0; p < groups; ++p) t->data<int64_t>()[p] = first[size_t(rank_order[size_t(p)])];
    }
    if (ctx.wants_output(2)) {
      WISP_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(2, DType::Int64, {extent}));
      for (int64_t j = 0; j < extent; ++j) t->data<int64_t>()[j] = position[size_t(group_of[size_t(j)])];
    }
    if (ctx.wants_output(3)) {
      WISP_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(3, DType::Int64, {groups}));
      for (int64_t p = 0; p < groups; ++p) t->data<int64_t>()[p] = count[size_t(rank_order[size_t(p)])];
    }
    return Status::ok();
  }

 private:
  bool sorted_ = true;
  bool has_axis_ = false;
  int64_t axis_ = 0;
};

}  // namespace

void register_unique_ops(OpRegistry& r) { r.add<UniqueOp>("Unique"); }

}  // namespace wisp::shape_ops
