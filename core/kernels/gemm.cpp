// The blocked, multithreaded GEMM driver over packed operands, and the GEMV paths.
//
// Work is split into tasks, each a block of C of whole A-panel rows by whole B-panel
// columns. A task walks K in blocks of kc; for each it obtains that K block of its B columns
// (pointing into a prepacked B, or packing it into a per-thread buffer, or into one buffer
// shared by all tasks when the rows are split between threads), then walks the rows of its
// block in groups of mc, and the B panels and A panels below that with the micro-kernel of
// the active kernel set (gemm_dispatch.h), whose tile geometry every packed operand follows.
#include "core/kernels/gemm.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "core/kernels/gemm_dispatch.h"
#include "core/kernels/gemm_microkernel.h"
#include "core/kernels/gemm_pack.h"

namespace wisp::kernels {

namespace {

// Packed-on-the-fly B blocks (one K block) are kept near this many floats (256 KB: fits L2
// with the A block).
constexpr int64_t kBlockFloats = 64 * 1024;
// Largest B packed once for all tasks when rows of A are split between threads (4 MB).
constexpr int64_t kSharedBFloats = 1 << 20;
// Multiply-adds below which a GEMM is not split between threads (~5 us of work).
constexpr double kMinParallelMacs = 256.0 * 1024;
// Column width of tasks over a prepacked B, in panels.
constexpr int64_t kPrepackedPanels = 16;

// K == 0: A*B is zero, only beta, biases and clamp remain.
void epilogue_only(int64_t m, int64_t n, float* c, int64_t ldc, const GemmEpilogue& ep) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      float x = ep.beta != 0.0f ? ep.beta * (ep.c_in ? ep.c_in[i * ep.ldc_in + j] : c[i * ldc + j]) : 0.0f;
      if (ep.row_bias) x += ep.row_bias[i];
      if (ep.col_bias) x += ep.col_bias[j];
      c[i * ldc + j] = std::min(std::max(x, ep.clamp_min), ep.clamp_max);
    }
    if (ep.tile) ep.tile(ep.tile_context, c + i * ldc, 1, n, ldc);
  }
}

// One K block [pc, pc + kc) of C[rows row0..row_end, cols col0..col_end]: `b` holds that
// K block of the columns from col0 as panels of kc x nr, `b_panel_stride` floats apart.
void compute_k_block(const GemmKernelSet& ks, const PackedA& a, const float* b, int64_t b_panel_stride, int64_t pc,
                     int64_t kc, int64_t row0, int64_t row_end, int64_t col0, int64_t col_end, float* c, int64_t ldc,
                     const GemmEpilogue& ep) {
  const int64_t k = a.cols(), kMr = ks.mr, kNr = ks.nr, kMc = ks.mc;
  const bool clamp = ep.clamp_min != -INFINITY || ep.clamp_max != INFINITY;
  detail::TileEpilogue tile{ep.alpha, ep.beta, nullptr, nullptr, nullptr, 0, ep.clamp_min, ep.clamp_max, clamp, pc == 0, pc + kc == k};
  const int64_t ldc_in = ep.c_in ? ep.ldc_in : ldc;
  for (int64_t ic = row0; ic < row_end; ic += kMc) {
    const int64_t ic_end = std::min(row_end, ic + kMc);
    for (int64_t col = col0; col < col_end; col += kNr) {
      const float* bp = b + ((col - col0) / kNr) * b_panel_stride;
      const int cols = int(std::min(kNr, col_end - col));
      const MicroKernelFn* tiles = ks.tile[(cols + ks.lanes - 1) / ks.lanes - 1];  // only the vectors needed
      tile.col_bias = ep.col_bias ? ep.col_bias + col : nullptr;
      for (int64_t row = ic; row < ic_end; row += kMr) {
        const int rows = int(std::min(kMr, ic_end - row));
        tile.row_bias = ep.row_bias ? ep.row_bias + row : nullptr;
        tile.c_in = (ep.c_in ? ep.c_in : c) + row * ldc_in + col;
        tile.ldc_in = ldc_in;
        tiles[rows - 1](kc, a.panel(row / kMr) + pc * kMr, bp, c + row * ldc + col, ldc, cols, tile);
        if (tile.last && ep.tile) ep.tile(ep.tile_context, c + row * ldc + col, rows, cols, ldc);
      }
    }
  }
}

// Splits C into tasks (blocks of columns x groups of A panels) and runs them. B comes either
// prepacked (`prepacked`: panels of K x nr) or from `pack_b(row0, rows, col0, cols, dst)`.
// When the columns alone give every thread a task, each task packs one K block of its column
// block at a time into a per-thread buffer, used while it is still in L1/L2 (an im2col
// producer then never writes more than kc x nc values ahead of the multiply). When N is too
// narrow for that (a Conv on a 7x7 or 14x14 map) the rows of A are split too, and the tasks
// of one column block would each pack the same B: then B (up to kSharedBFloats) is packed
// once, K block by K block in parallel, into a buffer all tasks share.
void run_tasks(const GemmKernelSet& ks, const PackedA& a, int64_t n, const PackedB* prepacked,
               const BPanelPacker* pack_b, float* c, int64_t ldc, const GemmEpilogue& ep, ThreadPool* threads) {
  const int64_t m = a.rows(), k = a.cols(), kNr = ks.nr, kMr = ks.mr, kKc = ks.kc;
  const bool packs = prepacked == nullptr;
  // A multiply of a few microseconds runs on the calling thread alone: waking the pool
  // costs about as much (small models such as PP-OCR cls are made of such layers).
  if (double(m) * double(n) * double(k) < kMinParallelMacs) threads = nullptr;
  // Column block width. A packed K block (kc x nc) is written and then re-read once per mc
  // rows of A: it should stay in L2.
  int64_t nc = kNr * kPrepackedPanels;
  if (packs) nc = std::clamp<int64_t>(kBlockFloats / std::min(kKc, k) / kNr, 1, 32) * kNr;
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

  // Shared packing: K block pc of all N columns at shared + pc * b_panels * kNr, as panels
  // of kc x nr (kc of that block).
  const int64_t b_panels = (n + kNr - 1) / kNr;
  const bool shared = packs && row_groups > 1 && k * b_panels * kNr <= kSharedBFloats;
  // The calling thread's buffer, passed to the workers as a pointer (a thread_local named in
  // the lambdas would be each worker's own).
  WISP_THREAD_LOCAL std::vector<float> shared_b;
  if (shared) shared_b.resize(size_t(k * b_panels * kNr));
  float* const shared_data = shared_b.data();
  if (shared) {
    const int64_t k_blocks = (k + kKc - 1) / kKc;
    parallel_for(threads, k_blocks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t blk = begin; blk < end; ++blk) {
        const int64_t pc = blk * kKc;
        (*pack_b)(pc, std::min(kKc, k - pc), 0, n, shared_data + pc * b_panels * kNr);
      }
    });
  }

  parallel_for(threads, col_blocks * row_groups, 1, [&](int64_t begin, int64_t end) {
    WISP_THREAD_LOCAL std::vector<float> scratch;
    if (packs && !shared) scratch.resize(size_t(nc * std::min(kKc, k)));
    for (int64_t task = begin; task < end; ++task) {
      const int64_t cb = task / row_groups, rg = task % row_groups;
      const int64_t col0 = cb * nc, col_end = std::min(n, col0 + nc);
      const int64_t row0 = rg * panels_per_group * kMr, row_end = std::min(m, row0 + panels_per_group * kMr);
      for (int64_t pc = 0; pc < k; pc += kKc) {
        const int64_t kc = std::min(kKc, k - pc);
        if (shared) {
          const float* b = shared_data + pc * b_panels * kNr + (col0 / kNr) * kc * kNr;
          compute_k_block(ks, a, b, kc * kNr, pc, kc, row0, row_end, col0, col_end, c, ldc, ep);
        } else if (packs) {
          (*pack_b)(pc, kc, col0, col_end - col0, scratch.data());
          compute_k_block(ks, a, scratch.data(), kc * kNr, pc, kc, row0, row_end, col0, col_end, c, ldc, ep);
        } else {
          compute_k_block(ks, a, prepacked->panel(col0 / kNr) + pc * kNr, k * kNr, pc, kc, row0, row_end, col0,
                          col_end, c, ldc, ep);
        }
      }
    }
  });
}

// Scratch A packed on the fly, kept per calling thread so repeated calls reuse memory.
PackedA& scratch_a() {
  WISP_THREAD_LOCAL PackedA a;
  return a;
}

// `a` in the geometry of `ks`: itself, or a repacked copy in `tmp`.
const PackedA& matching(const GemmKernelSet& ks, const PackedA& a, PackedA& tmp) {
  if (a.mr() == ks.mr) return a;
  std::vector<float> rows(size_t(a.rows() * a.cols()));
  a.unpack(rows.data());
  tmp.pack_for({rows.data(), a.cols(), false}, a.rows(), a.cols(), ks.mr);
  return tmp;
}
const PackedB& matching(const GemmKernelSet& ks, const PackedB& b, PackedB& tmp) {
  if (b.nr() == ks.nr) return b;
  std::vector<float> rows(size_t(b.rows() * b.cols()));
  b.unpack(rows.data());
  tmp.pack_for({rows.data(), b.cols(), false}, b.rows(), b.cols(), ks.nr);
  return tmp;
}

// ---- GEMV: M == 1 or N == 1 --------------------------------------------------------------

// Writes count results y[t] to c[t * inc] through the epilogue. `along_n`: the results are
// the columns of a single row (M == 1), else the rows of a single column (N == 1). They go
// through a contiguous block first, so that the epilogue's tile function runs on one row
// of values whatever inc is.
void store_vector(const float* y, int64_t count, float* c, int64_t inc, bool along_n, const GemmEpilogue& ep) {
  constexpr int64_t kBlock = 256;
  float block[kBlock];
  for (int64_t t0 = 0; t0 < count; t0 += kBlock) {
    const int64_t n = std::min(kBlock, count - t0);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t t = t0 + i;
      float x = ep.alpha * y[t];
      if (ep.beta != 0.0f) x += ep.beta * (ep.c_in ? ep.c_in[along_n ? t : t * ep.ldc_in] : c[t * inc]);
      if (ep.row_bias) x += ep.row_bias[along_n ? 0 : t];
      if (ep.col_bias) x += ep.col_bias[along_n ? t : 0];
      block[i] = std::min(std::max(x, ep.clamp_min), ep.clamp_max);
    }
    if (ep.tile) ep.tile(ep.tile_context, block, 1, n, n);
    for (int64_t i = 0; i < n; ++i) c[(t0 + i) * inc] = block[i];
  }
}

// A contiguous copy of a strided vector (or the vector itself when already contiguous).
const float* contiguous(const float* p, int64_t n, int64_t inc, std::vector<float>& tmp) {
  if (inc == 1) return p;
  tmp.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) tmp[size_t(i)] = p[i * inc];
  return tmp.data();
}

std::vector<float>& gemv_scratch() {
  WISP_THREAD_LOCAL std::vector<float> y;
  return y;
}

// Row vector x (k values) times a packed B: one sequential pass over each panel.
void gemv_packed(const GemmKernelSet& ks, const float* x, const PackedB& b, float* c, const GemmEpilogue& ep,
                 ThreadPool* threads) {
  const int64_t k = b.rows(), n = b.cols(), nr = ks.nr;
  std::vector<float>& y = gemv_scratch();
  y.resize(size_t(b.num_panels() * nr));
  float* yd = y.data();
  // Panels are the unit of work; chunks of >= 64 KB of B keep scheduling overhead small.
  const int64_t grain = std::max<int64_t>(1, 16 * 1024 / std::max<int64_t>(1, k * nr));
  parallel_for(threads, b.num_panels(), grain, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
      const int64_t width = std::min(nr, n - j * nr);
      ks.gemv_axpy(k, width, x, b.panel(j), nr, yd + j * nr);
    }
  });
  store_vector(yd, n, c, 1, true, ep);
}

// y (n values) = x (k values) * B where B is K x N row-major (axpy form) or N x K (dot form).
void gemv_raw(const GemmKernelSet& ks, const float* x, int64_t k, int64_t n, const float* b, int64_t ldb,
              bool b_is_n_by_k, float* y, ThreadPool* threads) {
  const int64_t parts = threads ? std::min<int64_t>(threads->num_threads(), std::max<int64_t>(1, n * k / (64 * 1024))) : 1;
  // Split the outputs between threads, in multiples of 64 (whole cache lines of y and B).
  // The last part takes the remainder, and parts are never narrower than 128 columns: a
  // narrow call would take gemv_axpy's few-column path, which sums in another order, and
  // every column must be summed alike (equal columns give equal results).
  const int64_t chunk = std::max<int64_t>(128, ((n + parts - 1) / parts + 63) / 64 * 64);
  const int64_t count = std::max<int64_t>(1, n / chunk);
  parallel_for(threads, count, 1, [&](int64_t begin, int64_t end) {
    for (int64_t part = begin; part < end; ++part) {
      const int64_t j0 = part * chunk, len = part == count - 1 ? n - j0 : chunk;
      if (b_is_n_by_k) {
        ks.gemv_dot(len, k, b + j0 * ldb, ldb, x, y + j0, 1);
      } else {
        ks.gemv_axpy(k, len, x, b + j0, ldb, y + j0);
      }
    }
  });
}

}  // namespace

void gemm(const PackedA& a_in, const PackedB& b_in, float* c, int64_t ldc, const GemmEpilogue& ep,
          ThreadPool* threads) {
  const GemmKernelSet& ks = gemm_kernels();
  PackedA a_tmp;
  PackedB b_tmp;
  const PackedA& a = matching(ks, a_in, a_tmp);
  const PackedB& b = matching(ks, b_in, b_tmp);
  if (a.rows() <= 0 || b.cols() <= 0) return;
  if (a.cols() == 0) return epilogue_only(a.rows(), b.cols(), c, ldc, ep);
  if (a.rows() == 1) {
    // Row 0 of the packed A is every mr-th value of its first panel.
    std::vector<float> x;
    return gemv_packed(ks, contiguous(a.panel(0), a.cols(), a.mr(), x), b, c, ep, threads);
  }
  run_tasks(ks, a, b.cols(), &b, nullptr, c, ldc, ep, threads);
}

void gemm(const PackedA& a_in, int64_t n, const BPanelPacker& pack_b, float* c, int64_t ldc, const GemmEpilogue& ep,
          ThreadPool* threads) {
  const GemmKernelSet& ks = gemm_kernels();
  PackedA a_tmp;
  const PackedA& a = matching(ks, a_in, a_tmp);
  if (a.rows() <= 0 || n <= 0) return;
  if (a.cols() == 0) return epilogue_only(a.rows(), n, c, ldc, ep);
  run_tasks(ks, a, n, nullptr, &pack_b, c, ldc, ep, threads);
}

void gemm(const PackedA& a, int64_t n, MatrixView b, float* c, int64_t ldc, const GemmEpilogue& ep,
          ThreadPool* threads) {
  const int nr = int(gemm_kernels().nr);
  gemm(
      a, n,
      [&](int64_t row0, int64_t rows, int64_t col0, int64_t cols, float* dst) {
        pack_b_panels_nr(b.rows_from(row0), rows, col0, cols, nr, dst);
      },
      c, ldc, ep, threads);
}

void gemm(int64_t m, MatrixView a, const PackedB& b_in, float* c, int64_t ldc, const GemmEpilogue& ep,
          ThreadPool* threads) {
  const GemmKernelSet& ks = gemm_kernels();
  if (m == 1 && b_in.rows() > 0) {
    PackedB b_tmp;
    const PackedB& b = matching(ks, b_in, b_tmp);
    std::vector<float> x;
    return gemv_packed(ks, contiguous(a.data, b.rows(), a.transposed ? a.stride : 1, x), b, c, ep, threads);
  }
  PackedA& pa = scratch_a();
  pa.pack(a, m, b_in.rows(), threads);
  gemm(pa, b_in, c, ldc, ep, threads);
}

void gemm(int64_t m, int64_t n, int64_t k, MatrixView a, MatrixView b, float* c, int64_t ldc,
          const GemmEpilogue& ep, ThreadPool* threads) {
  if (m <= 0 || n <= 0) return;
  if (k > 0 && (m == 1 || n <= kGemmFewColumns)) {
    const GemmKernelSet& ks = gemm_kernels();
    std::vector<float> x_tmp;
    std::vector<float>& y = gemv_scratch();
    if (m == 1) {
      // x = row 0 of A; C's row = x * B.
      const float* x = contiguous(a.data, k, a.transposed ? a.stride : 1, x_tmp);
      y.resize(size_t(n));
      gemv_raw(ks, x, k, n, b.data, b.stride, b.transposed, y.data(), threads);
      store_vector(y.data(), n, c, 1, true, ep);
      return;
    }
    // Column j of C = A * x, x being column j of B (i.e. x * A^T), every column through the
    // same GEMV kernel so that all are summed alike.
    y.resize(size_t(m));
    for (int64_t j = 0; j < n; ++j) {
      const float* column = b.transposed ? b.data + j * b.stride : b.data + j;
      const float* x = contiguous(column, k, b.transposed ? 1 : b.stride, x_tmp);
      gemv_raw(ks, x, k, m, a.data, a.stride, !a.transposed, y.data(), threads);
      GemmEpilogue column_ep = ep;
      if (ep.c_in) column_ep.c_in = ep.c_in + j;
      if (ep.col_bias) column_ep.col_bias = ep.col_bias + j;
      store_vector(y.data(), m, c + j, ldc, false, column_ep);
    }
    return;
  }
  PackedA& pa = scratch_a();
  pa.pack(a, m, k, threads);
  gemm(pa, n, b, c, ldc, ep, threads);
}

}  // namespace wisp::kernels
