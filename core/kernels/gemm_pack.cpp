// Packing of GEMM operands into the panel layouts the micro-kernel streams through.
#include <algorithm>
#include <cstring>

#include "core/kernels/gemm.h"
#include "core/kernels/gemm_microkernel.h"
#include "simd/vec.h"

namespace wisp::kernels {

namespace {
using Shape = detail::TileShape<simd::F32x>;
constexpr int64_t kMr = Shape::kMr, kNr = Shape::kNr;
}  // namespace

int64_t gemm_mr() { return kMr; }
int64_t gemm_nr() { return kNr; }

int64_t PackedA::num_panels() const { return (m_ + kMr - 1) / kMr; }

void PackedA::pack(MatrixView a, int64_t m, int64_t k, ThreadPool* threads) {
  m_ = m;
  k_ = k;
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

int64_t PackedB::num_panels() const { return (n_ + kNr - 1) / kNr; }

void PackedB::resize(int64_t k, int64_t n) {
  k_ = k;
  n_ = n;
  data_.resize(size_t(num_panels() * k * kNr));
}

void PackedB::set_row(int64_t r, const float* values) {
  const int64_t panels = num_panels();
  for (int64_t j = 0; j < panels; ++j) {
    float* dst = data_.data() + (j * k_ + r) * kNr;
    const int64_t col0 = j * kNr, cols = std::min<int64_t>(kNr, n_ - col0);
    std::memcpy(dst, values + col0, size_t(cols) * sizeof(float));
    for (int64_t c = cols; c < kNr; ++c) dst[c] = 0.0f;
  }
}

void pack_b_panels(MatrixView b, int64_t k, int64_t col0, int64_t cols, float* dst) {
  const int64_t panels = (cols + kNr - 1) / kNr;
  for (int64_t j = 0; j < panels; ++j) {
    float* d = dst + j * k * kNr;
    const int64_t c0 = col0 + j * kNr, width = std::min<int64_t>(kNr, cols - j * kNr);
    if (!b.transposed) {
      // Vector copies: a libc memcpy call per 64-byte row would cost more than the copy.
      using V = simd::F32x;
      for (int64_t p = 0; p < k; ++p) {
        const float* src = b.data + p * b.stride + c0;
        float* row = d + p * kNr;
        if (width == kNr) {
          for (int64_t v = 0; v < kNr; v += V::kLanes) V::loadu(src + v).storeu(row + v);
        } else {
          for (int64_t v = 0; v < kNr; v += V::kLanes) {
            const int lanes = int(std::clamp<int64_t>(width - v, 0, V::kLanes));
            V::load_partial(src + v, lanes).storeu(row + v);
          }
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

void PackedB::pack(MatrixView b, int64_t k, int64_t n, ThreadPool* threads) {
  resize(k, n);
  parallel_for(threads, num_panels(), 1, [&](int64_t begin, int64_t end) {
    pack_b_panels(b, k, begin * kNr, std::min(n, end * kNr) - begin * kNr, data_.data() + begin * k * kNr);
  });
}

}  // namespace wisp::kernels
