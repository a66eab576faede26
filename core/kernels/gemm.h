// Single-precision matrix multiply: C = alpha * A * B + beta * C (+ a bias per row of C).
// B is packed into column panels the micro-kernel streams through; constant B matrices
// (weights) are packed once with PackedB and reused across runs.
#pragma once

#include <cstdint>
#include <vector>

#include "core/runtime/thread_pool.h"

namespace wisp::kernels {

// A view of a row-major matrix, optionally read transposed.
struct MatrixView {
  const float* data = nullptr;
  int64_t stride = 0;       // elements between consecutive rows of the stored matrix
  bool transposed = false;  // true: element (r, c) is data[c * stride + r]
  float at(int64_t r, int64_t c) const { return transposed ? data[c * stride + r] : data[r * stride + c]; }
};

// B (K x N) rearranged into panels of kPanelWidth columns, zero-padded at the right edge.
class PackedB {
 public:
  PackedB() = default;
  PackedB(MatrixView b, int64_t k, int64_t n) { pack(b, k, n); }
  void pack(MatrixView b, int64_t k, int64_t n);
  int64_t rows() const { return k_; }
  int64_t cols() const { return n_; }
  const float* panel(int64_t p) const { return data_.data() + p * k_ * panel_width(); }
  int64_t num_panels() const;
  static int64_t panel_width();

 private:
  int64_t k_ = 0, n_ = 0;
  std::vector<float> data_;
};

struct GemmEpilogue {
  float alpha = 1.0f;
  float beta = 0.0f;                 // 0: C is overwritten without being read
  const float* row_bias = nullptr;   // added to every element of row i: bias[i]
};

// C (M x N, row stride ldc) = alpha * A (M x K) * B + beta * C + bias.
void gemm(int64_t m, MatrixView a, const PackedB& b, float* c, int64_t ldc, const GemmEpilogue& epilogue,
          ThreadPool* threads);
// Convenience: packs B then multiplies.
void gemm(int64_t m, int64_t n, int64_t k, MatrixView a, MatrixView b, float* c, int64_t ldc,
          const GemmEpilogue& epilogue, ThreadPool* threads);

}  // namespace wisp::kernels
