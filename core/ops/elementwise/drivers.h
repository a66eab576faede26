// The generic machinery every elementwise op is built from. An op is a small functor:
//
//   struct AddOp : Functor {
//     template <typename T> static constexpr bool accepts = is_number_v<T>;  // input dtypes
//     template <typename A> A operator()(A a, A b) const { return a + b; }   // on arith_t<T>
//   };
//   registry.add<BinaryKernel<AddOp>>("Add");
//
// Optional members (defaults in Functor): `output_t<T>` (the output element type, e.g. bool
// for comparisons), `kGrain` (elements per parallel chunk; lower for costly functions) and
// `init()` to read attributes. The drivers below handle dtype dispatch, broadcasting,
// float16 conversion, threading and in-place reuse of a dying input's buffer.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <type_traits>

#include "core/ops/elementwise/broadcast.h"
#include "core/ops/elementwise/element_types.h"
#include "core/ops/op.h"

namespace wisp::elementwise {

// Elements per parallel chunk: memory-bound ops need big chunks to beat the thread overhead,
// transcendental functions pay off sooner.
constexpr int64_t kCheapGrain = int64_t(1) << 15;
constexpr int64_t kCostlyGrain = int64_t(1) << 12;

struct Functor {
  template <typename T>
  using output_t = T;
  static constexpr int64_t kGrain = kCheapGrain;
  Status init(const OpBuildContext&) { return Status::ok(); }
};

// Converts a functor result to the output element type.
template <typename TO, typename R>
inline TO store_as(R r) {
  return Arith<TO>::store(static_cast<arith_t<TO>>(r));
}

// dst[i] = g(src[i], i) for i < count, where dst may be src exactly (in-place execution).
// In place the loop goes through one pointer: the vectoriser guards a loop over two
// pointers with an overlap check, and LLVM's check counts exact aliasing as overlap and takes
// the scalar loop. In WebAssembly that scalar loop was branchy too (V8 compiles a scalar
// select to a branch): MobileNet v2's in-place Clips ran 3x slower on random data.
template <typename TO, typename TI, typename G>
inline void map_run(const TI* src, TO* dst, int64_t count, const G& g) {
  if constexpr (std::is_same_v<TI, TO>) {
    if (src == dst) {
      for (int64_t i = 0; i < count; ++i) dst[i] = g(dst[i], i);
      return;
    }
  }
  for (int64_t i = 0; i < count; ++i) dst[i] = g(src[i], i);
}

// The element types models compute in, whose loops get the specialised, vectorised shapes
// above and below. Every other type (float64, float16, bfloat16, the 8/16-bit and unsigned
// integers, bool) runs one plain strided loop per functor: each of those would otherwise
// instantiate five vectorised loop shapes (twice, with the in-place ones) per functor and
// dtype (per pair of dtypes for Pow), which made the elementwise files the slowest of the
// build while those types are rare in models (and float16 converts per element anyway).
template <typename T>
inline constexpr bool is_hot_v = std::is_same_v<T, float> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>;

// Keeps the compiler from vectorising or unrolling the loop that follows (the cold types'
// loops: compile time, not speed, is what matters there). GCC has no such loop pragma before
// version 14; there the function attribute WISP_COLD_LOOP_FN does it.
#if defined(__clang__)
#define WISP_COLD_LOOP _Pragma("clang loop vectorize(disable) interleave(disable) unroll(disable)")
#define WISP_COLD_LOOP_FN
#else
#define WISP_COLD_LOOP
#define WISP_COLD_LOOP_FN __attribute__((optimize("no-tree-vectorize", "no-unroll-loops")))
#endif

// dst[i] = g(i) for i < count, for the cold types. dst may be the storage g reads (in place):
// each element is read before it is written.
template <typename TO, typename G>
WISP_COLD_LOOP_FN void cold_run(TO* dst, int64_t count, const G& g) {
  WISP_COLD_LOOP
  for (int64_t i = 0; i < count; ++i) dst[i] = g(i);
}

// out[i] = f(in[i]) over n elements, in parallel chunks; out may be in (in place).
template <typename TO, typename TI, typename F>
void unary_map(const TI* in, TO* out, int64_t n, const F& f, ThreadPool* pool, int64_t grain) {
  parallel_for(pool, n, grain, [&](int64_t begin, int64_t end) {
    if constexpr (is_hot_v<TI>) {
      map_run(in + begin, out + begin, end - begin,
              [&f](TI v, int64_t) { return store_as<TO>(f(Arith<TI>::load(v))); });
    } else {
      const TI* src = in + begin;
      cold_run(out + begin, end - begin, [&](int64_t i) { return store_as<TO>(f(Arith<TI>::load(src[i]))); });
    }
  });
}

// out = f(a, b) with broadcasting. The inner loop is specialised on which inputs advance
// (stride 1) and which repeat one value (stride 0) so the compiler can vectorise each case.
template <typename TO, typename TA, typename TB, typename F>
void binary_broadcast(const BroadcastPlan& plan, const TA* a, const TB* b, TO* out, const F& f,
                      ThreadPool* pool, int64_t grain) {
  const bool a_runs = plan.inner_stride(0) != 0;
  const bool b_runs = plan.inner_stride(1) != 0;
  parallel_for(pool, plan.numel(), grain, [&](int64_t begin, int64_t end) {
    plan.for_each_run(begin, end, [&](int64_t pos, const int64_t* off, int64_t count) {
      const TA* pa = a + off[0];
      const TB* pb = b + off[1];
      TO* po = out + pos;
      if constexpr (!is_hot_v<TA> || !is_hot_v<TB>) {
        const int64_t sa = a_runs ? 1 : 0, sb = b_runs ? 1 : 0;
        cold_run(po, count, [&](int64_t i) { return store_as<TO>(f(Arith<TA>::load(pa[i * sa]), Arith<TB>::load(pb[i * sb]))); });
      } else {
        // The output may be a or b exactly (in place): map_run over that input.
        if (a_runs && b_runs && static_cast<const void*>(pb) == po) {
          map_run(pb, po, count, [&](TB v, int64_t i) { return store_as<TO>(f(Arith<TA>::load(pa[i]), Arith<TB>::load(v))); });
        } else if (a_runs && b_runs) {
          map_run(pa, po, count, [&](TA v, int64_t i) { return store_as<TO>(f(Arith<TA>::load(v), Arith<TB>::load(pb[i]))); });
        } else if (a_runs) {
          const auto y = Arith<TB>::load(*pb);
          map_run(pa, po, count, [&](TA v, int64_t) { return store_as<TO>(f(Arith<TA>::load(v), y)); });
        } else if (b_runs) {
          const auto x = Arith<TA>::load(*pa);
          map_run(pb, po, count, [&](TB v, int64_t) { return store_as<TO>(f(x, Arith<TB>::load(v))); });
        } else {
          const TO v = store_as<TO>(f(Arith<TA>::load(*pa), Arith<TB>::load(*pb)));
          std::fill(po, po + count, v);
        }
      }
    });
  });
}

// A tensor for output 0: the storage of the first dying candidate input with the same dtype
// and shape when there is one (in-place execution), else a fresh allocation.
inline Result<Tensor> make_output(OpContext& ctx, DType dtype, const Shape& shape,
                                  std::initializer_list<size_t> candidates) {
  if (dtype != DType::String) {
    for (size_t i : candidates) {
      if (!ctx.has_input(i) || !ctx.input_is_dying(i)) continue;
      const Tensor& in = ctx.input(i);
      if (in.dtype() == dtype && in.shape() == shape && in.storage() && !in.storage()->is_borrowed()) return in;
    }
  }
  return ctx.allocate(dtype, shape);
}

inline Status unsupported_dtype(DType dtype) {
  return unsupported("input type ", dtype_name(dtype), " is not supported");
}

inline Status require_inputs(const OpContext& ctx, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    WISP_CHECK_ARG(ctx.has_input(i), "expects ", count, " inputs, input ", i, " is missing");
  }
  return Status::ok();
}

// Runs a one-input functor op on input 0.
template <typename F>
Status run_unary(OpContext& ctx, const F& f) {
  WISP_RETURN_IF_ERROR(require_inputs(ctx, 1));
  const Tensor& x = ctx.input(0);
  Status status = unsupported_dtype(x.dtype());
  visit_any_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (F::template accepts<T>) {
      using TO = typename F::template output_t<T>;
      Result<Tensor> out = make_output(ctx, DTypeOf<TO>::value, x.shape(), {0});
      if (!out.is_ok()) { status = out.status(); return; }
      unary_map(elems<T>(x), elems<TO>(*out), x.numel(), f, ctx.threads(), F::kGrain);
      ctx.set_output(0, std::move(*out));
      status = Status::ok();
    }
  });
  return status;
}

// Applies a two-input functor op with broadcasting to tensors a and b of the same dtype.
template <typename F>
Result<Tensor> apply_binary(OpContext& ctx, const Tensor& a, const Tensor& b, const F& f,
                            std::initializer_list<size_t> reuse = {}) {
  if (a.dtype() != b.dtype()) {
    return invalid_argument("input types differ: ", dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  }
  WISP_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make({&a.shape(), &b.shape()}));
  Result<Tensor> result = unsupported_dtype(a.dtype());
  visit_any_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (F::template accepts<T>) {
      using TO = typename F::template output_t<T>;
      result = make_output(ctx, DTypeOf<TO>::value, plan.out_shape(), reuse);
      if (!result.is_ok() || plan.numel() == 0) return;
      binary_broadcast(plan, elems<T>(a), elems<T>(b), elems<TO>(*result), f, ctx.threads(), F::kGrain);
    }
  });
  return result;
}

template <typename F>
Status run_binary(OpContext& ctx, const F& f) {
  WISP_RETURN_IF_ERROR(require_inputs(ctx, 2));
  WISP_ASSIGN_OR_RETURN(Tensor out, apply_binary(ctx, ctx.input(0), ctx.input(1), f, {0, 1}));
  ctx.set_output(0, std::move(out));
  return Status::ok();
}

template <typename F>
class UnaryKernel final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override { return f_.init(ctx); }
  Status run(OpContext& ctx) const override { return run_unary(ctx, f_); }

 private:
  F f_;
};

template <typename F>
class BinaryKernel final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override { return f_.init(ctx); }
  Status run(OpContext& ctx) const override { return run_binary(ctx, f_); }

 private:
  F f_;
};

}  // namespace wisp::elementwise
