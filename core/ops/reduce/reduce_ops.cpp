// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum,
// ReduceLogSumExp, ReduceSumSquare. All share one walker (see reduce_layout.h); each op only
// says how to start, fold one element in and finish.
//
// Axes come from the `axes` attribute in early opsets and from input 1 later: ReduceSum
// switched at opset 13, the others at opset 18.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/ops/nn/float_io.h"
#include "core/ops/reduce/reduce_layout.h"
#include "core/ops/reduce/reduce_ops.h"

namespace wisp::reduce {
namespace {

using nn::FloatIO;

enum class Kind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

// The type sums are kept in: double for float inputs (accuracy for long reductions), 64-bit
// integers for integer inputs (the result wraps like the input type would).
template <typename T>
using AccOf = std::conditional_t<std::is_integral_v<T>,
                                 std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>, double>;

// A result as the output's element type R. Float results for integer outputs (log, sqrt or
// exp of integer sums) saturate: NaN gives 0 and values out of R's range its nearest limit,
// where a plain conversion would be undefined (ReduceLogSum of zeros is -inf).
template <typename R, typename V>
R result_cast(V v) {
  if constexpr (std::is_integral_v<R> && std::is_floating_point_v<V>) {
    if (v != v) return R(0);
    if (v <= V(std::numeric_limits<R>::lowest())) return std::numeric_limits<R>::lowest();
    if (v >= V(std::numeric_limits<R>::max())) return std::numeric_limits<R>::max();
  }
  return R(v);
}

// Runs the walk: out[o] = finish(fold(step, init, elements of o), o).
template <typename T, typename Acc, typename Step, typename Finish>
void walk(const ReduceLayout& L, const T* x, T* y, Acc init, Step step, Finish finish, ThreadPool* pool) {
  using IO = FloatIO<T>;
  const int64_t nk = int64_t(L.kept_offsets.size());
  const int64_t nr = int64_t(L.red_offsets.size());
  const int64_t inner = L.inner;
  const int64_t* kept = L.kept_offsets.data();
  const int64_t* red = L.red_offsets.data();
  if (L.inner_reduced) {
    parallel_for(pool, nk, nn::chunk_for(nr * inner), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        Acc acc = init;
        for (int64_t r = 0; r < nr; ++r) {
          const T* p = x + kept[o] + red[r];
          for (int64_t j = 0; j < inner; ++j) step(acc, Acc(IO::load(p[j])), o);
        }
        y[o] = IO::store(result_cast<decltype(IO::load(*x))>(finish(acc, o)));
      }
    });
  } else {
    parallel_for(pool, nk, nn::chunk_for(nr * inner), [&](int64_t b, int64_t e) {
      std::vector<Acc> acc(static_cast<size_t>(inner));
      for (int64_t ko = b; ko < e; ++ko) {
        std::fill(acc.begin(), acc.end(), init);
        const int64_t obase = ko * inner;
        for (int64_t r = 0; r < nr; ++r) {
          const T* p = x + kept[ko] + red[r];
          for (int64_t j = 0; j < inner; ++j) step(acc[size_t(j)], Acc(IO::load(p[j])), obase + j);
        }
        for (int64_t j = 0; j < inner; ++j) {
          y[obase + j] = IO::store(result_cast<decltype(IO::load(*x))>(finish(acc[size_t(j)], obase + j)));
        }
      }
    });
  }
}

template <typename T>
void run_kind(Kind kind, const ReduceLayout& L, const T* x, T* y, int64_t out_count, ThreadPool* pool) {
  using Acc = AccOf<T>;
  const int64_t n = L.reduce_count;
  auto none = [](Acc a, int64_t) { return a; };
  auto sum = [](Acc& a, Acc v, int64_t) { a += v; };
  switch (kind) {
    case Kind::Sum:
      walk<T, Acc>(L, x, y, Acc(0), sum, none, pool);
      return;
    case Kind::Mean:
      // Mean of an empty set is 0/0 (NaN for floats); integer inputs use integer division.
      walk<T, Acc>(L, x, y, Acc(0), sum, [n](Acc a, int64_t) {
        if constexpr (std::is_integral_v<Acc>) return n == 0 ? Acc(0) : Acc(a / Acc(n));
        else return a / Acc(n);
      }, pool);
      return;
    case Kind::Max: {
      Acc lowest;
      if constexpr (std::is_integral_v<T>) lowest = Acc(std::numeric_limits<T>::lowest());
      else lowest = -std::numeric_limits<Acc>::infinity();
      // NaN propagates, as in numpy's maximum.reduce.
      walk<T, Acc>(L, x, y, lowest, [](Acc& a, Acc v, int64_t) { a = (v > a || v != v) ? v : a; }, none, pool);
      return;
    }
    case Kind::Min: {
      Acc highest;
      if constexpr (std::is_integral_v<T>) highest = Acc(std::numeric_limits<T>::max());
      else highest = std::numeric_limits<Acc>::infinity();
      walk<T, Acc>(L, x, y, highest, [](Acc& a, Acc v, int64_t) { a = (v < a || v != v) ? v : a; }, none, pool);
      return;
    }
    case Kind::Prod:
      walk<T, Acc>(L, x, y, Acc(1), [](Acc& a, Acc v, int64_t) { a *= v; }, none, pool);
      return;
    case Kind::L1:
      walk<T, Acc>(L, x, y, Acc(0), [](Acc& a, Acc v, int64_t) {
        if constexpr (std::is_signed_v<Acc>) a += v < 0 ? Acc(-v) : v;
        else a += v;
      }, none, pool);
      return;
    case Kind::SumSquare:
      walk<T, Acc>(L, x, y, Acc(0), [](Acc& a, Acc v, int64_t) { a += v * v; }, none, pool);
      return;
    case Kind::L2:
      walk<T, Acc>(L, x, y, Acc(0), [](Acc& a, Acc v, int64_t) { a += v * v; },
                   [](Acc a, int64_t) { return std::sqrt(double(a)); }, pool);
      return;
    case Kind::LogSum:
      walk<T, Acc>(L, x, y, Acc(0), sum, [](Acc a, int64_t) { return std::log(double(a)); }, pool);
      return;
    case Kind::LogSumExp: {
      // Subtract each output's max before exp so large inputs do not overflow.
      std::vector<double> maxes(static_cast<size_t>(out_count));
      const double* m = maxes.data();
      {
        std::vector<T> tmp(static_cast<size_t>(out_count));
        walk<T, double>(L, x, tmp.data(), -std::numeric_limits<double>::infinity(),
                        [](double& a, double v, int64_t) { a = v > a ? v : a; }, [](double a, int64_t) { return a; },
                        pool);
        for (int64_t o = 0; o < out_count; ++o) maxes[size_t(o)] = double(FloatIO<T>::load(tmp[size_t(o)]));
      }
      walk<T, double>(L, x, y, 0.0, [m](double& a, double v, int64_t o) { a += std::exp(v - m[o]); },
                      [m](double a, int64_t o) { return std::isinf(m[o]) ? m[o] : std::log(a) + m[o]; }, pool);
      return;
    }
  }
}

class ReduceOp final : public OpKernel {
 public:
  ReduceOp(Kind kind, int axes_input_since) : kind_(kind), axes_input_since_(axes_input_since) {}

  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(int64_t keepdims, ctx.node.attr_int("keepdims", 1));
    WISP_ASSIGN_OR_RETURN(int64_t noop, ctx.node.attr_int("noop_with_empty_axes", 0));
    keepdims_ = keepdims != 0;
    noop_ = noop != 0;
    axes_from_input_ = ctx.opset == 0 || ctx.opset >= axes_input_since_;
    if (!axes_from_input_) {
      WISP_ASSIGN_OR_RETURN(axes_, ctx.node.attr_ints("axes"));
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> axes = axes_;
    if (axes_from_input_ && ctx.has_input(1)) {
      const Tensor& a = ctx.input(1);
      WISP_CHECK_ARG(a.dtype() == DType::Int64 || a.dtype() == DType::Int32, "axes must be an int64 tensor, got ",
                     a.describe());
      WISP_ASSIGN_OR_RETURN(axes, a.to_int64_vector());
    }
    WISP_ASSIGN_OR_RETURN(std::vector<bool> mask, reduced_mask(x.rank(), axes, noop_));
    ReduceLayout layout = make_reduce_layout(x.shape(), mask, keepdims_);

    DType dtype = x.dtype();
    // Booleans order like 0/1 bytes, which is all ReduceMax/ReduceMin need.
    bool bool_minmax = dtype == DType::Bool && (kind_ == Kind::Max || kind_ == Kind::Min);
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, layout.out_shape));
    if (out->numel() == 0) return Status::ok();
    if (bool_minmax) {
      run_kind<uint8_t>(kind_, layout, x.data<uint8_t>(), out->data<uint8_t>(), out->numel(), ctx.threads());
      return Status::ok();
    }
    return nn::visit_numeric(dtype, "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      run_kind<T>(kind_, layout, x.data<T>(), out->data<T>(), out->numel(), ctx.threads());
      return Status::ok();
    });
  }

 private:
  Kind kind_;
  int axes_input_since_;
  bool keepdims_ = true;
  bool noop_ = false;
  bool axes_from_input_ = false;
  std::vector<int64_t> axes_;
};

template <Kind K, int Since>
class ReduceOpOf final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override { return op_.init(ctx); }
  Status run(OpContext& ctx) const override { return op_.run(ctx); }

 private:
  ReduceOp op_{K, Since};
};

}  // namespace

void register_reduce_kernels(OpRegistry& r) {
  r.add<ReduceOpOf<Kind::Sum, 13>>("ReduceSum");
  r.add<ReduceOpOf<Kind::Mean, 18>>("ReduceMean");
  r.add<ReduceOpOf<Kind::Max, 18>>("ReduceMax");
  r.add<ReduceOpOf<Kind::Min, 18>>("ReduceMin");
  r.add<ReduceOpOf<Kind::Prod, 18>>("ReduceProd");
  r.add<ReduceOpOf<Kind::L1, 18>>("ReduceL1");
  r.add<ReduceOpOf<Kind::L2, 18>>("ReduceL2");
  r.add<ReduceOpOf<Kind::LogSum, 18>>("ReduceLogSum");
  r.add<ReduceOpOf<Kind::LogSumExp, 18>>("ReduceLogSumExp");
  r.add<ReduceOpOf<Kind::SumSquare, 18>>("ReduceSumSquare");
}

}  // namespace wisp::reduce
