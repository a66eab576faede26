// Builds a GemmKernelSet for one vector type: the micro-kernel for every row count and the
// GEMV kernels. Included only by the per-ISA files (core/kernels/isa/) and, for targets
// without runtime dispatch, by gemm_dispatch.cpp: everything here is instantiated with the
// vector type of the including file's ISA, so no code compiled for a wider ISA leaks into
// the baseline (the templates are distinct per V).
#pragma once

#include <cstdint>
#include <utility>

#include "core/kernels/gemm_dispatch.h"
#include "core/kernels/gemm_microkernel.h"

namespace wisp::kernels::detail {

// Sum over p of x[p] * B row p, for n <= 4 vectors: all of K accumulates in registers, with
// two accumulator sets (even / odd p) so consecutive FMAs do not wait on each other. Used
// for one packed B panel (contiguous rows of nr floats: a sequential stream).
// Every column is summed in the same order whatever n is (a partial last panel included:
// its vectors are only loaded with fewer lanes), so equal inputs give bit-equal outputs in
// every column (models whose logits are all equal rely on it for a uniform softmax).
template <class V, int Nv>
void gemv_axpy_narrow(int64_t k, int n, const float* x, const float* b, int64_t ldb, float* y) {
  constexpr int L = V::kLanes;
  V acc0[Nv], acc1[Nv];
#pragma GCC unroll 4
  for (int v = 0; v < Nv; ++v) acc0[v] = acc1[v] = V::zero();
  const auto load = [n](const float* row, int v) {
    const int lanes = n - v * L;
    return lanes >= L ? V::loadu(row + v * L) : V::load_partial(row + v * L, lanes > 0 ? lanes : 0);
  };
  int64_t p = 0;
  if (n == Nv * L) {
    for (; p + 2 <= k; p += 2) {
      const V x0 = V::broadcast(x[p]), x1 = V::broadcast(x[p + 1]);
      const float* b0 = b + p * ldb;
      const float* b1 = b0 + ldb;
#pragma GCC unroll 4
      for (int v = 0; v < Nv; ++v) {
        acc0[v] = V::fma(x0, V::loadu(b0 + v * L), acc0[v]);
        acc1[v] = V::fma(x1, V::loadu(b1 + v * L), acc1[v]);
      }
    }
  } else {
    for (; p + 2 <= k; p += 2) {
      const V x0 = V::broadcast(x[p]), x1 = V::broadcast(x[p + 1]);
      const float* b0 = b + p * ldb;
      const float* b1 = b0 + ldb;
#pragma GCC unroll 4
      for (int v = 0; v < Nv; ++v) {
        if (n - v * L <= 0) break;
        acc0[v] = V::fma(x0, load(b0, v), acc0[v]);
        acc1[v] = V::fma(x1, load(b1, v), acc1[v]);
      }
    }
  }
  for (; p < k; ++p) {
    const V x0 = V::broadcast(x[p]);
    const float* b0 = b + p * ldb;
#pragma GCC unroll 4
    for (int v = 0; v < Nv; ++v) {
      if (n - v * L > 0) acc0[v] = V::fma(x0, load(b0, v), acc0[v]);
    }
  }
#pragma GCC unroll 4
  for (int v = 0; v < Nv; ++v) {
    const int lanes = n - v * L;
    if (lanes >= L) (acc0[v] + acc1[v]).storeu(y + v * L);
    else if (lanes > 0) (acc0[v] + acc1[v]).store_partial(y + v * L, lanes);
  }
}

// y[0, n) = x * B for a row-major B with many columns: B is streamed row by row (four rows
// at a time, each read sequentially, the way memory is fastest to read) into a block of y
// that stays in L1.
template <class V>
void gemv_axpy(int64_t k, int64_t n, const float* x, const float* b, int64_t ldb, float* y) {
  constexpr int L = V::kLanes;
  if (n <= 4 * L) {
    if (n <= L) return gemv_axpy_narrow<V, 1>(k, int(n), x, b, ldb, y);
    if (n <= 2 * L) return gemv_axpy_narrow<V, 2>(k, int(n), x, b, ldb, y);
    return gemv_axpy_narrow<V, 4>(k, int(n), x, b, ldb, y);
  }
  constexpr int64_t kBlock = 2048;  // 8 KB of y
  for (int64_t j0 = 0; j0 < n; j0 += kBlock) {
    const int64_t nb = n - j0 < kBlock ? n - j0 : kBlock;
    float* yb = y + j0;
    const float* bb = b + j0;
    for (int64_t j = 0; j < nb; ++j) yb[j] = 0.0f;
    int64_t p = 0;
    for (; p + 4 <= k; p += 4) {
      const V x0 = V::broadcast(x[p]), x1 = V::broadcast(x[p + 1]), x2 = V::broadcast(x[p + 2]),
              x3 = V::broadcast(x[p + 3]);
      const float* r0 = bb + p * ldb;
      const float *r1 = r0 + ldb, *r2 = r1 + ldb, *r3 = r2 + ldb;
      int64_t j = 0;
      for (; j + L <= nb; j += L) {
        V s = V::fma(x0, V::loadu(r0 + j), V::loadu(yb + j));
        const V t = V::fma(x2, V::loadu(r2 + j), x1 * V::loadu(r1 + j));
        s = V::fma(x3, V::loadu(r3 + j), s);
        (s + t).storeu(yb + j);
      }
      if (j < nb) {  // the tail with the same operations as the body (same rounding per column)
        const int n = int(nb - j);
        V s = V::fma(x0, V::load_partial(r0 + j, n), V::load_partial(yb + j, n));
        const V t = V::fma(x2, V::load_partial(r2 + j, n), x1 * V::load_partial(r1 + j, n));
        s = V::fma(x3, V::load_partial(r3 + j, n), s);
        (s + t).store_partial(yb + j, n);
      }
    }
    for (; p < k; ++p) {
      const V x0 = V::broadcast(x[p]);
      const float* r0 = bb + p * ldb;
      int64_t j = 0;
      for (; j + L <= nb; j += L) V::fma(x0, V::loadu(r0 + j), V::loadu(yb + j)).storeu(yb + j);
      if (j < nb) {
        const int n = int(nb - j);
        V::fma(x0, V::load_partial(r0 + j, n), V::load_partial(yb + j, n)).store_partial(yb + j, n);
      }
    }
  }
}

// y[i * incy] = dot(A row i, x): four rows at a time, two accumulators each.
template <class V>
void gemv_dot(int64_t m, int64_t k, const float* a, int64_t lda, const float* x, float* y, int64_t incy) {
  constexpr int L = V::kLanes;
  int64_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const float* r[4] = {a + i * lda, a + (i + 1) * lda, a + (i + 2) * lda, a + (i + 3) * lda};
    V s0[4], s1[4];
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) s0[q] = s1[q] = V::zero();
    int64_t p = 0;
    for (; p + 2 * L <= k; p += 2 * L) {
      const V xa = V::loadu(x + p), xb = V::loadu(x + p + L);
#pragma GCC unroll 4
      for (int q = 0; q < 4; ++q) {
        s0[q] = V::fma(V::loadu(r[q] + p), xa, s0[q]);
        s1[q] = V::fma(V::loadu(r[q] + p + L), xb, s1[q]);
      }
    }
    for (; p < k; p += L) {
      const int lanes = k - p < L ? int(k - p) : L;
      const V xa = V::load_partial(x + p, lanes);
#pragma GCC unroll 4
      for (int q = 0; q < 4; ++q) s0[q] = V::fma(V::load_partial(r[q] + p, lanes), xa, s0[q]);
    }
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) y[(i + q) * incy] = (s0[q] + s1[q]).reduce_add();
  }
  for (; i < m; ++i) {
    const float* r0 = a + i * lda;
    V s0 = V::zero(), s1 = V::zero();
    int64_t p = 0;
    for (; p + 2 * L <= k; p += 2 * L) {
      s0 = V::fma(V::loadu(r0 + p), V::loadu(x + p), s0);
      s1 = V::fma(V::loadu(r0 + p + L), V::loadu(x + p + L), s1);
    }
    for (; p < k; p += L) {
      const int lanes = k - p < L ? int(k - p) : L;
      s0 = V::fma(V::load_partial(r0 + p, lanes), V::load_partial(x + p, lanes), s0);
    }
    y[i * incy] = (s0 + s1).reduce_add();
  }
}

template <class V, int Nv, int... R>
constexpr void fill_tiles(MicroKernelFn* tiles, std::integer_sequence<int, R...>) {
  ((tiles[R] = &micro_kernel<V, R + 1, Nv>), ...);
}
template <class V, int... N>
constexpr void fill_tile_table(MicroKernelFn (*table)[kMaxMr], std::integer_sequence<int, N...>) {
  (fill_tiles<V, N + 1>(table[N], std::make_integer_sequence<int, TileShape<V>::kMr>()), ...);
}

template <class V>
GemmKernelSet make_gemm_kernel_set(const char* name) {
  using Shape = TileShape<V>;
  static_assert(Shape::kMr <= kMaxMr && Shape::kNumVecs <= kMaxNv, "raise kMaxMr / kMaxNv");
  GemmKernelSet set{};
  set.name = name;
  set.vector = V::kName;
  set.mr = Shape::kMr;
  set.nr = Shape::kNr;
  // K block: a B panel of kc x nr stays in L1 while the A panels of an mc x kc block (in L2)
  // stream past it: 32 KB with AVX-512's 6 x 64 tile and kc 128 (kc 256, 64 KB, measured
  // ~10% slower at 1024^3 on Zen), 16 KB with AVX2's 6 x 16 tile.
#ifdef WISP_GEMM_KC  // tuning experiments
  set.kc = WISP_GEMM_KC;
#else
  set.kc = V::kLanes >= 16 ? 128 : 256;
#endif
#ifdef WISP_GEMM_MC_PANELS
  set.mc = int64_t(Shape::kMr) * WISP_GEMM_MC_PANELS;
#else
  set.mc = int64_t(Shape::kMr) * (V::kLanes >= 16 ? 24 : 12);
#endif
  set.lanes = V::kLanes;
  fill_tile_table<V>(set.tile, std::make_integer_sequence<int, Shape::kNumVecs>());
  set.gemv_axpy = &gemv_axpy<V>;
  set.gemv_dot = &gemv_dot<V>;
  set.depthwise = make_depthwise_kernels<V>();
  return set;
}

}  // namespace wisp::kernels::detail
