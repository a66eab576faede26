// Single-precision matrix multiply: C = alpha * op(A) * op(B) + beta * C (+ bias, + clamp).
//
// Both operands are rearranged ("packed") before the multiply: A into panels of kMr rows,
// B into panels of kNr columns, each panel stored k-major so the micro-kernel reads both
// with unit stride. Packing is O(MK + KN) against O(MNK) work, and a constant operand
// (MatMul / Gemm weights as B, Conv weights as A) is packed once at load with PackedA /
// PackedB and reused by every run. The multiply itself is cache-blocked (K in blocks that
// keep a block of A in L2 and a B panel in L1) and split over threads by tiles of C.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "core/runtime/thread_pool.h"

namespace wisp::kernels {

// A view of a row-major matrix, optionally read transposed.
struct MatrixView {
  const float* data = nullptr;
  int64_t stride = 0;       // elements between consecutive rows of the stored matrix
  bool transposed = false;  // true: element (r, c) is data[c * stride + r]
  float at(int64_t r, int64_t c) const { return transposed ? data[c * stride + r] : data[r * stride + c]; }
  // The same matrix without its first `r` rows.
  MatrixView rows_from(int64_t r) const { return {data + (transposed ? r : r * stride), stride, transposed}; }
};

// Register-tile geometry of the active micro-kernel (see gemm_isa_name()).
int64_t gemm_mr();  // rows of C per micro-kernel call (A panel height)
int64_t gemm_nr();  // columns of C per micro-kernel call (B panel width)
// Floats per vector of the active kernels: a last, partial B panel is computed with only
// the vectors it needs, so N costs as much as N rounded up to a multiple of this.
int64_t gemm_lanes();

// The GEMM kernels are picked at run time (natively on x86: the best of avx512, avx2, sse4,
// scalar the CPU supports, or the one named by the environment variable WISP_SIMD).
const char* gemm_isa_name();                // the active set, e.g. "avx512"
std::vector<const char*> gemm_isa_names();  // every set this CPU can run, best first
// Makes `name` the active set (tests, benchmarks); false if it is not available. Not to be
// called while a GEMM runs. Operands packed under another set are repacked by gemm().
bool set_gemm_isa(const char* name);

// A (M x K) as panels of gemm_mr() rows: panel i holds rows [i*mr, i*mr+mr) as K groups of
// mr values (rows past M are zero).
class PackedA {
 public:
  PackedA() = default;
  PackedA(MatrixView a, int64_t m, int64_t k, ThreadPool* threads = nullptr) { pack(a, m, k, threads); }
  void pack(MatrixView a, int64_t m, int64_t k, ThreadPool* threads = nullptr);
  // The same for panels of `mr` rows (another kernel set's geometry).
  void pack_for(MatrixView a, int64_t m, int64_t k, int mr, ThreadPool* threads = nullptr);
  // Writes A back as a row-major M x K matrix.
  void unpack(float* dst) const;
  int64_t rows() const { return m_; }
  int64_t cols() const { return k_; }
  int64_t num_panels() const;
  int mr() const { return mr_; }  // the tile height it was packed for
  const float* panel(int64_t i) const { return data_.data() + i * k_ * mr_; }

 private:
  int64_t m_ = 0, k_ = 0;
  int mr_ = 1;
  std::vector<float> data_;
};

// B (K x N) as panels of gemm_nr() columns: panel j holds columns [j*nr, j*nr+nr) as K
// groups of nr values (columns past N are zero).
class PackedB {
 public:
  PackedB() = default;
  PackedB(MatrixView b, int64_t k, int64_t n, ThreadPool* threads = nullptr) { pack(b, k, n, threads); }
  void pack(MatrixView b, int64_t k, int64_t n, ThreadPool* threads = nullptr);
  void pack_for(MatrixView b, int64_t k, int64_t n, int nr, ThreadPool* threads = nullptr);
  // Writes B back as a row-major K x N matrix.
  void unpack(float* dst) const;
  // Sizes the buffer for K x N without filling it; then set_row() fills it row by row
  // (lets a producer such as im2col write straight into the packed form).
  void resize(int64_t k, int64_t n);
  void resize_for(int64_t k, int64_t n, int nr);
  // Stores row r (n values) of B; rows may be set in any order and from several threads.
  void set_row(int64_t r, const float* values);
  int64_t rows() const { return k_; }
  int64_t cols() const { return n_; }
  int64_t num_panels() const;
  int nr() const { return nr_; }  // the tile width it was packed for
  const float* panel(int64_t j) const { return data_.data() + j * k_ * nr_; }

 private:
  int64_t k_ = 0, n_ = 0;
  int nr_ = 1;
  std::vector<float> data_;
};

struct GemmEpilogue {
  float alpha = 1.0f;
  float beta = 0.0f;                // 0: C is overwritten without being read
  // Where the beta term reads from: C itself when null, else this matrix of C's shape with
  // row stride ldc_in. Lets a fused residual (Conv + Add) be read in place by the epilogue
  // instead of being copied into C before the multiply.
  const float* c_in = nullptr;
  int64_t ldc_in = 0;
  const float* row_bias = nullptr;  // added to every element of row i: row_bias[i]
  const float* col_bias = nullptr;  // added to every element of column j: col_bias[j]
  // Applied last (fused activation: Relu is {0, inf}, Clip its bounds).
  float clamp_min = -std::numeric_limits<float>::infinity();
  float clamp_max = std::numeric_limits<float>::infinity();
  // Then, when set: tile(tile_context, c, rows, cols, ldc) on every finished block of C
  // (rows x cols at row stride ldc, at most one micro-kernel tile; single rows or columns on
  // the GEMV paths) right after it was written, while it is still in L1: a fused activation
  // other than a clamp (Sigmoid, HardSwish, GELU...), without a pass of its own over C.
  // Called from the GEMM's worker threads, for disjoint blocks.
  void (*tile)(const void* tile_context, float* c, int64_t rows, int64_t cols, int64_t ldc) = nullptr;
  const void* tile_context = nullptr;
};

// Fills `dst` with rows [row0, row0 + rows) and columns [col0, col0 + cols) of a K x N
// operand B in packed form (for the active kernels' nr = gemm_nr()): ceil(cols / nr) panels
// of rows x nr values, zero-padded past `cols`. Lets a producer such as im2col hand the GEMM
// one cache-sized block of B (one K block of a few panels) at a time instead of a whole matrix.
using BPanelPacker = std::function<void(int64_t row0, int64_t rows, int64_t col0, int64_t cols, float* dst)>;

// Packs columns [col0, col0 + cols) of the K x N matrix `b` (all its k rows) as a
// BPanelPacker would (use b.rows_from(row0) and rows for a K block).
void pack_b_panels(MatrixView b, int64_t k, int64_t col0, int64_t cols, float* dst);

// C (M x N, row stride ldc) = epilogue(A * B). A.cols() must equal B.rows().
// M == 1 or N == 1 (with unpacked A) run as a matrix-vector product that streams the
// other operand once (memory bound), without packing.
void gemm(const PackedA& a, const PackedB& b, float* c, int64_t ldc, const GemmEpilogue& epilogue,
          ThreadPool* threads);
// The same with one or both operands packed on the fly.
void gemm(int64_t m, MatrixView a, const PackedB& b, float* c, int64_t ldc, const GemmEpilogue& epilogue,
          ThreadPool* threads);
void gemm(const PackedA& a, int64_t n, MatrixView b, float* c, int64_t ldc, const GemmEpilogue& epilogue,
          ThreadPool* threads);
// Here N <= kGemmFewColumns runs as one matrix-vector product per column, streaming A
// without packing: a tile of gemm_nr() columns would be mostly padding (Silero VAD's
// STFT and encoder Convs have 1 to 4 output positions), and packing would cost more than
// the multiply. Callers holding a prepacked A should pass it unpacked for such N.
constexpr int64_t kGemmFewColumns = 4;
void gemm(int64_t m, int64_t n, int64_t k, MatrixView a, MatrixView b, float* c, int64_t ldc,
          const GemmEpilogue& epilogue, ThreadPool* threads);
// B (A.cols() x N) produced block by block by `pack_b` (called from worker threads, for
// any K block of any column range, possibly the same range from several threads); never
// materialised whole.
void gemm(const PackedA& a, int64_t n, const BPanelPacker& pack_b, float* c, int64_t ldc,
          const GemmEpilogue& epilogue, ThreadPool* threads);

}  // namespace wisp::kernels
