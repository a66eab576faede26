#include "core/kernels/gemm.h"

#include <algorithm>
#include <cstring>

#include "simd/vec.h"

namespace wisp::kernels {

namespace {

using simd::VecF32;
constexpr int kLanes = VecF32::kLanes;
constexpr int kPanelVectors = 2;                     // vectors per panel row
constexpr int kPanelWidth = kLanes * kPanelVectors;  // columns per panel
constexpr int kTileRows = 6;                         // rows of C per micro-kernel call
constexpr int64_t kRowsPerTask = 48;                 // rows of C per parallel task

// Accumulates up to kTileRows rows of A times one B panel; writes the
// `cols` (<= kPanelWidth) valid columns of C with the epilogue applied.
template <int Rows>
void micro_kernel(const float* a, int64_t lda, bool a_transposed, const float* panel, int64_t k, float* c,
                  int64_t ldc, int cols, const GemmEpilogue& ep, int64_t row0) {
  VecF32 acc[Rows][kPanelVectors];
  for (int r = 0; r < Rows; ++r)
    for (int v = 0; v < kPanelVectors; ++v) acc[r][v] = VecF32::zero();
  for (int64_t p = 0; p < k; ++p) {
    VecF32 b[kPanelVectors];
    for (int v = 0; v < kPanelVectors; ++v) b[v] = VecF32::load(panel + p * kPanelWidth + v * kLanes);
    for (int r = 0; r < Rows; ++r) {
      VecF32 av = VecF32::broadcast(a_transposed ? a[p * lda + r] : a[r * lda + p]);
      for (int v = 0; v < kPanelVectors; ++v) acc[r][v] = VecF32::fma(av, b[v], acc[r][v]);
    }
  }
  const VecF32 alpha = VecF32::broadcast(ep.alpha);
  for (int r = 0; r < Rows; ++r) {
    float out[kPanelWidth];
    for (int v = 0; v < kPanelVectors; ++v) (acc[r][v] * alpha).store(out + v * kLanes);
    float* crow = c + r * ldc;
    const float bias = ep.row_bias ? ep.row_bias[row0 + r] : 0.0f;
    if (ep.beta == 0.0f) {
      for (int j = 0; j < cols; ++j) crow[j] = out[j] + bias;
    } else {
      for (int j = 0; j < cols; ++j) crow[j] = out[j] + ep.beta * crow[j] + bias;
    }
  }
}

using MicroKernel = void (*)(const float*, int64_t, bool, const float*, int64_t, float*, int64_t, int,
                             const GemmEpilogue&, int64_t);
constexpr MicroKernel kKernels[kTileRows + 1] = {nullptr,          micro_kernel<1>, micro_kernel<2>, micro_kernel<3>,
                                                 micro_kernel<4>, micro_kernel<5>, micro_kernel<6>};

}  // namespace

int64_t PackedB::panel_width() { return kPanelWidth; }
int64_t PackedB::num_panels() const { return (n_ + kPanelWidth - 1) / kPanelWidth; }

void PackedB::pack(MatrixView b, int64_t k, int64_t n) {
  k_ = k;
  n_ = n;
  data_.assign(size_t(num_panels() * k * kPanelWidth), 0.0f);
  for (int64_t p = 0; p < num_panels(); ++p) {
    float* dst = data_.data() + p * k * kPanelWidth;
    const int64_t col0 = p * kPanelWidth, cols = std::min<int64_t>(kPanelWidth, n - col0);
    for (int64_t r = 0; r < k; ++r) {
      if (!b.transposed) {
        std::memcpy(dst + r * kPanelWidth, b.data + r * b.stride + col0, size_t(cols) * sizeof(float));
      } else {
        for (int64_t j = 0; j < cols; ++j) dst[r * kPanelWidth + j] = b.at(r, col0 + j);
      }
    }
  }
}

void gemm(int64_t m, MatrixView a, const PackedB& b, float* c, int64_t ldc, const GemmEpilogue& ep,
          ThreadPool* threads) {
  const int64_t n = b.cols(), k = b.rows();
  if (m <= 0 || n <= 0) return;
  const int64_t row_tasks = (m + kRowsPerTask - 1) / kRowsPerTask;
  const int64_t panels = b.num_panels();
  // Tasks are (row block, panel) pairs so that both tall and wide products spread over threads.
  parallel_for(threads, row_tasks * panels, 1, [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      const int64_t p = task % panels, row_block = task / panels;
      const int64_t col0 = p * kPanelWidth;
      const int cols = int(std::min<int64_t>(kPanelWidth, n - col0));
      const int64_t row_end = std::min(m, (row_block + 1) * kRowsPerTask);
      for (int64_t r = row_block * kRowsPerTask; r < row_end; r += kTileRows) {
        const int rows = int(std::min<int64_t>(kTileRows, row_end - r));
        const float* a_tile = a.transposed ? a.data + r : a.data + r * a.stride;
        kKernels[rows](a_tile, a.stride, a.transposed, b.panel(p), k, c + r * ldc + col0, ldc, cols, ep, r);
      }
    }
  });
}

void gemm(int64_t m, int64_t n, int64_t k, MatrixView a, MatrixView b, float* c, int64_t ldc,
          const GemmEpilogue& epilogue, ThreadPool* threads) {
  PackedB packed(b, k, n);
  gemm(m, a, packed, c, ldc, epilogue, threads);
}

}  // namespace wisp::kernels
