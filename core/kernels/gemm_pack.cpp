// Packing of GEMM operands into the panel layouts the micro-kernel streams through. The
// tile geometry is the active kernel set's (gemm_dispatch.h), so packing is plain code of
// the baseline ISA with a run-time mr / nr.
#include <algorithm>
#include <cstring>

#include "core/kernels/gemm.h"
#include "core/kernels/gemm_dispatch.h"
#include "core/kernels/gemm_pack.h"
#include "simd/vec.h"

namespace wisp::kernels {

int64_t gemm_mr() { return gemm_kernels().mr; }
int64_t gemm_nr() { return gemm_kernels().nr; }
int64_t gemm_lanes() { return gemm_kernels().lanes; }

int64_t PackedA::num_panels() const { return (m_ + mr_ - 1) / mr_; }

void PackedA::pack(MatrixView a, int64_t m, int64_t k, ThreadPool* threads) { pack_for(a, m, k, gemm_kernels().mr, threads); }

void PackedA::pack_for(MatrixView a, int64_t m, int64_t k, int mr, ThreadPool* threads) {
  m_ = m;
  k_ = k;
  mr_ = mr;
  const int64_t kMr = mr;
  data_.resize(size_t(num_panels() * k * kMr));
  parallel_for(threads, num_panels(), 4, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float* dst = data_.data() + i * k * kMr;
      const int64_t row0 = i * kMr, rows = std::min<int64_t>(kMr, m - row0);
      if (a.transposed) {
        // Stored K x M: each k step is a contiguous run of `rows` values.
        for (int64_t p = 0; p < k; ++p) {
          const float* src = a.data + p * a.stride + row0;
          float* d = dst + p * kMr;
          for (int64_t r = 0; r < rows; ++r) d[r] = src[r];
          for (int64_t r = rows; r < kMr; ++r) d[r] = 0.0f;
        }
      } else {
        // Row r of the panel lands every kMr values: walk each source row once.
        for (int64_t r = 0; r < kMr; ++r) {
          if (r < rows) {
            const float* src = a.data + (row0 + r) * a.stride;
            for (int64_t p = 0; p < k; ++p) dst[p * kMr + r] = src[p];
          } else {
            for (int64_t p = 0; p < k; ++p) dst[p * kMr + r] = 0.0f;
          }
        }
      }
    }
  });
}

void PackedA::unpack(float* dst) const {
  for (int64_t i = 0; i < m_; ++i) {
    const float* src = panel(i / mr_) + i % mr_;
    for (int64_t p = 0; p < k_; ++p) dst[i * k_ + p] = src[p * mr_];
  }
}

int64_t PackedB::num_panels() const { return (n_ + nr_ - 1) / nr_; }

void PackedB::resize(int64_t k, int64_t n) { resize_for(k, n, gemm_kernels().nr); }

void PackedB::resize_for(int64_t k, int64_t n, int nr) {
  k_ = k;
  n_ = n;
  nr_ = nr;
  data_.resize(size_t(num_panels() * k * nr));
}

void PackedB::set_row(int64_t r, const float* values) {
  const int64_t panels = num_panels(), kNr = nr_;
  for (int64_t j = 0; j < panels; ++j) {
    float* dst = data_.data() + (j * k_ + r) * kNr;
    const int64_t col0 = j * kNr, cols = std::min<int64_t>(kNr, n_ - col0);
    std::memcpy(dst, values + col0, size_t(cols) * sizeof(float));
    for (int64_t c = cols; c < kNr; ++c) dst[c] = 0.0f;
  }
}

void PackedB::unpack(float* dst) const {
  for (int64_t p = 0; p < k_; ++p) {
    for (int64_t j = 0; j < n_; ++j) dst[p * n_ + j] = panel(j / nr_)[p * nr_ + j % nr_];
  }
}

void pack_b_panels_nr(MatrixView b, int64_t k, int64_t col0, int64_t cols, int nr, float* dst) {
  const int64_t kNr = nr, panels = (cols + kNr - 1) / kNr;
  for (int64_t j = 0; j < panels; ++j) {
    float* d = dst + j * k * kNr;
    const int64_t c0 = col0 + j * kNr, width = std::min<int64_t>(kNr, cols - j * kNr);
    if (!b.transposed) {
      // Vector copies: a libc memcpy call per 64-byte row would cost more than the copy.
      using V = simd::F32x;
      for (int64_t p = 0; p < k; ++p) {
        const float* src = b.data + p * b.stride + c0;
        float* row = d + p * kNr;
        int64_t v = 0;
        if (width == kNr) {
          for (; v + V::kLanes <= kNr; v += V::kLanes) V::loadu(src + v).storeu(row + v);
          for (; v < kNr; ++v) row[v] = src[v];
        } else {
          for (; v < width; ++v) row[v] = src[v];
          for (; v < kNr; ++v) row[v] = 0.0f;
        }
      }
    } else {
      // Stored N x K: column c of B is a contiguous row of the storage.
      for (int64_t c = 0; c < kNr; ++c) {
        if (c < width) {
          const float* src = b.data + (c0 + c) * b.stride;
          for (int64_t p = 0; p < k; ++p) d[p * kNr + c] = src[p];
        } else {
          for (int64_t p = 0; p < k; ++p) d[p * kNr + c] = 0.0f;
        }
      }
    }
  }
}

void pack_b_panels(MatrixView b, int64_t k, int64_t col0, int64_t cols, float* dst) {
  pack_b_panels_nr(b, k, col0, cols, gemm_kernels().nr, dst);
}

void PackedB::pack(MatrixView b, int64_t k, int64_t n, ThreadPool* threads) { pack_for(b, k, n, gemm_kernels().nr, threads); }

void PackedB::pack_for(MatrixView b, int64_t k, int64_t n, int nr, ThreadPool* threads) {
  resize_for(k, n, nr);
  parallel_for(threads, num_panels(), 1, [&](int64_t begin, int64_t end) {
    pack_b_panels_nr(b, k, begin * nr, std::min(n, end * nr) - begin * nr, nr, data_.data() + begin * k * nr);
  });
}

}  // namespace wisp::kernels
