// The blocked, multithreaded GEMM driver over packed operands.
//
// Work is split into tasks, each a block of C of whole A-panel rows by whole B-panel
// columns. A task obtains its block of B (pointing into a prepacked B, or packing it into a
// per-thread buffer sized to stay in L2), then walks K in blocks of kKc, the rows of its
// block in groups of kMc, and the B panels and A panels below that with the micro-kernel.
#include "core/kernels/gemm.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include "core/kernels/gemm_microkernel.h"
#include "simd/vec.h"

namespace wisp::kernels {

namespace {

using V = simd::F32x;
using Shape = detail::TileShape<V>;
constexpr int64_t kMr = Shape::kMr, kNr = Shape::kNr;
// K block: one B panel (kKc x kNr, 16 KB with AVX2) stays in L1 while the micro-kernel
// walks an A block of kMc x kKc (~72 KB, L2).
constexpr int64_t kKc = 256;
constexpr int64_t kMc = kMr * 12;
// Packed-on-the-fly B blocks are kept near this many floats (256 KB: fits L2 with the A block).
constexpr int64_t kBlockFloats = 64 * 1024;
// Column width of tasks over a prepacked B.
constexpr int64_t kPrepackedNc = kNr * 16;

using MicroKernel = void (*)(int64_t, const float*, const float*, float*, int64_t, int, const detail::TileEpilogue&);
// Indexed by the number of valid rows, so a short last panel (or a GEMV) does no wasted work.
template <int... R>
constexpr auto make_kernels(std::integer_sequence<int, R...>) {
  return std::array<MicroKernel, sizeof...(R)>{detail::micro_kernel<V, R + 1>...};
}
constexpr auto kKernels = make_kernels(std::make_integer_sequence<int, Shape::kMr>());

// K == 0: A*B is zero, only beta, biases and clamp remain.
void epilogue_only(int64_t m, int64_t n, float* c, int64_t ldc, const GemmEpilogue& ep) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      float x = ep.beta != 0.0f ? ep.beta * c[i * ldc + j] : 0.0f;
      if (ep.row_bias) x += ep.row_bias[i];
      if (ep.col_bias) x += ep.col_bias[j];
      c[i * ldc + j] = std::min(std::max(x, ep.clamp_min), ep.clamp_max);
    }
  }
}

// C[rows row0..row_end, cols col0..col_end] with the B block `b` (panels of k x kNr,
// starting at column col0).
void compute_block(const PackedA& a, const float* b, int64_t row0, int64_t row_end, int64_t col0, int64_t col_end,
                   float* c, int64_t ldc, const GemmEpilogue& ep) {
  const int64_t k = a.cols();
  const bool clamp = ep.clamp_min != -INFINITY || ep.clamp_max != INFINITY;
  for (int64_t pc = 0; pc < k; pc += kKc) {
    const int64_t kc = std::min(kKc, k - pc);
    detail::TileEpilogue tile{ep.alpha, ep.beta, nullptr, nullptr, ep.clamp_min, ep.clamp_max, clamp, pc == 0, pc + kc == k};
    for (int64_t ic = row0; ic < row_end; ic += kMc) {
      const int64_t ic_end = std::min(row_end, ic + kMc);
      for (int64_t col = col0; col < col_end; col += kNr) {
        const float* bp = b + ((col - col0) / kNr) * k * kNr + pc * kNr;
        const int cols = int(std::min(kNr, col_end - col));
        tile.col_bias = ep.col_bias ? ep.col_bias + col : nullptr;
        for (int64_t row = ic; row < ic_end; row += kMr) {
          const int rows = int(std::min(kMr, ic_end - row));
          tile.row_bias = ep.row_bias ? ep.row_bias + row : nullptr;
          kKernels[size_t(rows - 1)](kc, a.panel(row / kMr) + pc * kMr, bp, c + row * ldc + col, ldc, cols, tile);
        }
      }
    }
  }
}

// Splits C into tasks and runs them. `get_b(col0, cols, scratch)` returns the B block for
// those columns; `packs` tells whether it writes into scratch (so blocks are sized for L2).
template <typename GetB>
void run_tasks(const PackedA& a, int64_t n, bool packs, const GetB& get_b, float* c, int64_t ldc,
               const GemmEpilogue& ep, ThreadPool* threads) {
  const int64_t m = a.rows(), k = a.cols();
  if (m <= 0 || n <= 0) return;
  if (k == 0) {
    epilogue_only(m, n, c, ldc, ep);
    return;
  }
  // Column block width. A packed B block is re-read once per kMc rows of A, so it should stay
  // in L2 when A is tall; when A is short (e.g. a Conv with few output channels) each B
  // panel is used soon after it is packed and wider blocks save per-block overhead.
  int64_t nc = kPrepackedNc;
  if (packs) nc = std::clamp<int64_t>((m <= kMc ? 4 * kBlockFloats : kBlockFloats) / k / kNr, 1, 32) * kNr;
  const int64_t want_tasks = threads ? int64_t(threads->num_threads()) * 3 : 1;
  // Enough column blocks for the threads when N allows it, down to 4 panels a block.
  const int64_t nc_for_tasks = ((n + want_tasks - 1) / want_tasks + kNr - 1) / kNr * kNr;
  nc = std::max(std::min(nc, nc_for_tasks), std::min(nc, 4 * kNr));
  const int64_t col_blocks = (n + nc - 1) / nc;
  // Still too few column blocks for the threads: also split the rows (whole A panels).
  const int64_t a_panels = a.num_panels();
  int64_t row_groups = std::min(a_panels, std::max<int64_t>(1, (want_tasks + col_blocks - 1) / col_blocks));
  const int64_t panels_per_group = (a_panels + row_groups - 1) / row_groups;
  row_groups = (a_panels + panels_per_group - 1) / panels_per_group;
  parallel_for(threads, col_blocks * row_groups, 1, [&](int64_t begin, int64_t end) {
    WISP_THREAD_LOCAL std::vector<float> scratch;
    if (packs) scratch.resize(size_t(nc * k));
    int64_t packed_col0 = -1;  // consecutive tasks of a chunk often share a column block: pack it once
    for (int64_t task = begin; task < end; ++task) {
      const int64_t cb = task / row_groups, rg = task % row_groups;
      const int64_t col0 = cb * nc, col_end = std::min(n, col0 + nc);
      const int64_t row0 = rg * panels_per_group * kMr, row_end = std::min(m, row0 + panels_per_group * kMr);
      const float* b = scratch.data();
      if (!packs || packed_col0 != col0) b = get_b(col0, col_end - col0, scratch.data());
      packed_col0 = col0;
      compute_block(a, b, row0, row_end, col0, col_end, c, ldc, ep);
    }
  });
}

// Scratch A packed on the fly, kept per calling thread so repeated calls reuse memory.
PackedA& scratch_a() {
  WISP_THREAD_LOCAL PackedA a;
  return a;
}

}  // namespace

void gemm(const PackedA& a, const PackedB& b, float* c, int64_t ldc, const GemmEpilogue& ep, ThreadPool* threads) {
  run_tasks(
      a, b.cols(), false, [&](int64_t col0, int64_t, float*) { return b.panel(col0 / kNr); }, c, ldc, ep, threads);
}

void gemm(const PackedA& a, int64_t n, const BPanelPacker& pack_b, float* c, int64_t ldc, const GemmEpilogue& ep,
          ThreadPool* threads) {
  run_tasks(
      a, n, true,
      [&](int64_t col0, int64_t cols, float* scratch) {
        pack_b(col0, cols, scratch);
        return static_cast<const float*>(scratch);
      },
      c, ldc, ep, threads);
}

void gemm(const PackedA& a, int64_t n, MatrixView b, float* c, int64_t ldc, const GemmEpilogue& ep,
          ThreadPool* threads) {
  const int64_t k = a.cols();
  gemm(a, n, [&](int64_t col0, int64_t cols, float* dst) { pack_b_panels(b, k, col0, cols, dst); }, c, ldc, ep, threads);
}

void gemm(int64_t m, MatrixView a, const PackedB& b, float* c, int64_t ldc, const GemmEpilogue& ep,
          ThreadPool* threads) {
  PackedA& pa = scratch_a();
  pa.pack(a, m, b.rows(), threads);
  gemm(pa, b, c, ldc, ep, threads);
}

void gemm(int64_t m, int64_t n, int64_t k, MatrixView a, MatrixView b, float* c, int64_t ldc,
          const GemmEpilogue& ep, ThreadPool* threads) {
  PackedA& pa = scratch_a();
  pa.pack(a, m, k, threads);
  gemm(pa, n, b, c, ldc, ep, threads);
}

}  // namespace wisp::kernels
