// The GEMM register tile, written once over the SIMD layer's vector type V. A tile is
// Rows x (kNumVecs * V::kLanes) of C held in registers while K streams through: each step
// loads one row of the B panel (kNumVecs vectors), broadcasts one value of A per row and
// issues Rows * kNumVecs fused multiply-adds.
#pragma once

#include <cstdint>

#include "simd/vec.h"

namespace wisp::kernels::detail {

// Per-tile view of the epilogue (pointers already offset to the tile).
struct TileEpilogue {
  float alpha, beta;
  const float* row_bias;  // nullptr or one value per tile row
  const float* col_bias;  // nullptr or one value per tile column
  const float* c_in;      // the tile's beta term source (C itself unless a separate one is given)
  int64_t ldc_in;
  float clamp_min, clamp_max;
  bool clamp;
  bool first;  // first K block: apply beta and biases, else accumulate into C
  bool last;   // last K block: apply the clamp
};

// Register tile per vector type: Rows x kNumVecs accumulators, kNumVecs B vectors and the
// A broadcasts must fit the register file. 16 registers (AVX2, SSE): 6 x 2.
template <class V>
struct TileShape {
  static constexpr int kNumVecs = 2;
  static constexpr int kMr = 6;  // 6 x 2 accumulators + 2 B vectors + 1 A broadcast fit 16 registers
  static constexpr int kNr = kNumVecs * V::kLanes;
};
// Largest kMr and kNumVecs of any tile shape (sizes of the kernel tables).
constexpr int kMaxMr = 16;
constexpr int kMaxNv = 4;

#if defined(WISP_SIMD_HAVE_AVX512)
// 32 registers: 6 x 4 accumulators (6 x 64 floats) + 4 B vectors + A broadcasts. Per k step
// 24 FMAs for 10 loads (4 of B, 6 broadcasts of A), which two FMA pipes and two load ports
// sustain. (14 x 2 was measured too: similar in L1, slower at 1024^3 on Zen 5 whose C rows
// 4 KB apart then fill one L1 set.)
#ifndef WISP_AVX512_MR  // overridable for tuning experiments
#define WISP_AVX512_MR 6
#define WISP_AVX512_NV 4
#endif
template <>
struct TileShape<simd::Avx512F32> {
  static constexpr int kNumVecs = WISP_AVX512_NV;
  static constexpr int kMr = WISP_AVX512_MR;
  static constexpr int kNr = kNumVecs * simd::Avx512F32::kLanes;
};
#endif
#if defined(WISP_SIMD_HAVE_WASM128)
// WebAssembly: the engine, not our compiler, allocates registers, and V8 on x86-64 keeps
// fewer than 16 xmm registers for wasm values. 6 x 2 (12 accumulators) spills there: 24
// GFLOP/s in L1 against 41 for 4 x 2 (SIMD128, whose fma() needs a register for the
// product). With relaxed_madd (no product register) 5 x 2 fits: 51 GFLOP/s, 4 x 2 48.5.
// Measured in Node 20 on Zen 5 with a standalone copy of the K loop, panels in L1, kc 256.
template <>
struct TileShape<simd::Wasm128F32> {
  static constexpr int kNumVecs = 2;
  static constexpr int kMr = 4;
  static constexpr int kNr = kNumVecs * simd::Wasm128F32::kLanes;
};
#if defined(WISP_SIMD_HAVE_WASM_RELAXED)
template <>
struct TileShape<simd::Wasm128RelaxedF32> {
  static constexpr int kNumVecs = 2;
  static constexpr int kMr = 5;
  static constexpr int kNr = kNumVecs * simd::Wasm128RelaxedF32::kLanes;
};
#endif
#endif
#if defined(WISP_SIMD_HAVE_NEON)
// 32 registers: 8 x 3 accumulators + 3 B vectors + A broadcasts.
template <>
struct TileShape<simd::NeonF32> {
  static constexpr int kNumVecs = 3;
  static constexpr int kMr = 8;
  static constexpr int kNr = kNumVecs * simd::NeonF32::kLanes;
};
#endif

// a: packed A panel (stride kMr per k step), b: packed B panel (stride kNr), kc steps.
// Writes rows [0, Rows) and columns [0, cols) of the tile at c, cols <= Nv * kLanes: a
// partial last panel (N not a multiple of kNr, e.g. a Conv's 14x14 = 196 outputs) runs with
// only the vectors it needs. Every element is the same chain of FMAs over k in order
// whatever Rows and Nv, so all columns of C are summed alike.
template <class V, int Rows, int Nv = TileShape<V>::kNumVecs>
void micro_kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int cols,
                  const TileEpilogue& ep) {
  constexpr int kMr = TileShape<V>::kMr, kNr = TileShape<V>::kNr, kNv = Nv;
  static_assert(Nv >= 1 && Nv <= TileShape<V>::kNumVecs, "active vectors of the tile");
  constexpr int L = V::kLanes;
  V acc[Rows][kNv];
  // Start fetching the C tile now: it is read after the K loop, and its rows are often a
  // power-of-two stride apart (the same L1 set), so they tend not to be cached.
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r) {
    __builtin_prefetch(c + r * ldc, 1, 3);
    __builtin_prefetch(c + r * ldc + cols - 1, 1, 3);
  }
  // The same for the rows of C_in that the epilogue adds (a Conv's fused residual): read
  // once per tile, rows apart, the hardware prefetcher does not see them coming.
  if (ep.first && ep.beta != 0.0f && ep.c_in != c) {
#pragma GCC unroll 16
    for (int r = 0; r < Rows; ++r) {
      __builtin_prefetch(ep.c_in + r * ep.ldc_in, 0, 3);
      __builtin_prefetch(ep.c_in + r * ep.ldc_in + cols - 1, 0, 3);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) acc[r][v] = V::zero();
  // Natively unrolled by 4: the loop's pointer increments and branch then cost less of the
  // FMAs' issue slots (AVX2 6 x 16 on Zen 3, standalone K loop in L1: 72 -> 83 GFLOP/s). Not
  // in wasm, where the engine compiles the loop: MatMul 1024^3 in Node was no faster unrolled
  // (SIMD128 medians 139-167 ms rolled, 170-173 unrolled, on a busy machine).
#if !defined(__wasm__)
#pragma GCC unroll 4
#endif
  for (int64_t p = 0; p < kc; ++p) {
    V bv[kNv];
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) bv[v] = V::loadu(b + v * L);
#pragma GCC unroll 16
    for (int r = 0; r < Rows; ++r) {
      const V av = V::broadcast(a[r]);
#pragma GCC unroll 4
      for (int v = 0; v < kNv; ++v) acc[r][v] = V::fma(av, bv[v], acc[r][v]);
    }
    a += kMr;
    b += kNr;
  }

  const V alpha = V::broadcast(ep.alpha), beta = V::broadcast(ep.beta);
  const V lo = V::broadcast(ep.clamp_min), hi = V::broadcast(ep.clamp_max);
  const bool use_beta = ep.first && ep.beta != 0.0f;
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r) {
    float* crow = c + r * ldc;
    const float* cin_row = ep.c_in + r * ep.ldc_in;
    const V rbias = V::broadcast(ep.first && ep.row_bias ? ep.row_bias[r] : 0.0f);
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) {
      const int n = cols - v * L;  // valid lanes of this vector (may be <= 0 or > L)
      if (n <= 0) break;
      const bool full = n >= L;
      V x = acc[r][v] * alpha;
      if (ep.first) {
        if (use_beta) x = V::fma(beta, full ? V::loadu(cin_row + v * L) : V::load_partial(cin_row + v * L, n), x);
        x = x + rbias;
        if (ep.col_bias) x = x + (full ? V::loadu(ep.col_bias + v * L) : V::load_partial(ep.col_bias + v * L, n));
      } else {
        x = x + (full ? V::loadu(crow + v * L) : V::load_partial(crow + v * L, n));
      }
      if (ep.last && ep.clamp) x = V::min(V::max(x, lo), hi);
      if (full) {
        x.storeu(crow + v * L);
      } else {
        x.store_partial(crow + v * L, n);
      }
    }
  }
}

}  // namespace wisp::kernels::detail
