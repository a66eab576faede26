#include "core/kernels/conv_kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "simd/vec.h"

namespace wisp::kernels {

namespace {

// Output positions o (0 <= o < out) whose input index o*stride + offset is inside [0, in).
void valid_range(int64_t in, int64_t out, int64_t stride, int64_t offset, int64_t& lo, int64_t& hi) {
  lo = std::min(out, offset >= 0 ? 0 : (-offset + stride - 1) / stride);
  const int64_t limit = in - offset;  // o*stride < limit
  hi = limit <= 0 ? 0 : std::min(out, (limit + stride - 1) / stride);
  if (hi < lo) hi = lo;
}

// Writes im2col values of one row for output columns [col0, col0 + cols) through `out`:
// out.copy(t, src, n) stores n consecutive input values at relative columns t..t+n-1,
// out.strided(t, src, stride, n) the same from every stride-th value, out.zero(t, n) zeros.
template <class Out>
void im2col_row_to(const Im2col::RowInfo& info, const ConvGeometry& g, int64_t col0, int64_t cols, Out& out) {
  // Walk the requested columns one output row (fixed od, oh) segment at a time.
  int64_t ow = col0 % g.out[2], t = col0 / g.out[2];
  int64_t oh = t % g.out[1], od = t / g.out[1];
  for (int64_t done = 0; done < cols;) {
    const int64_t len = std::min(cols - done, g.out[2] - ow);
    const int64_t base = done - ow;  // relative column of output position ow = 0 in this segment
    const int64_t id = od * g.stride[0] + info.off_d, ih = oh * g.stride[1] + info.off_h;
    if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
      out.zero(done, len);
    } else {
      const float* in_row = info.channel + (id * g.in[1] + ih) * g.in[2];
      const int64_t lo = std::clamp(info.w_lo, ow, ow + len), hi = std::clamp(info.w_hi, lo, ow + len);
      if (lo > ow) out.zero(done, lo - ow);
      if (hi > lo) {
        if (g.stride[2] == 1) {
          out.copy(base + lo, in_row + lo + info.off_w, hi - lo);
        } else {
          out.strided(base + lo, in_row + lo * g.stride[2] + info.off_w, g.stride[2], hi - lo);
        }
      }
      if (ow + len > hi) out.zero(base + hi, ow + len - hi);
    }
    done += len;
    ow = 0;
    if (++oh == g.out[1]) oh = 0, ++od;
  }
}

// A plain row of values.
struct FlatOut {
  float* dst;
  void copy(int64_t t, const float* src, int64_t n) { std::memcpy(dst + t, src, size_t(n) * sizeof(float)); }
  void strided(int64_t t, const float* src, int64_t stride, int64_t n) {
    for (int64_t i = 0; i < n; ++i) dst[t + i] = src[i * stride];
  }
  void zero(int64_t t, int64_t n) { std::fill(dst + t, dst + t + n, 0.0f); }
};

// Row r of a block in packed-B panel form: relative column t lives in panel t / nr at
// offset (panel * rows + r) * nr + t % nr, nr being the active GEMM kernels' tile width
// (gemm_nr()). Runs are split at panel boundaries and copied with vector loads/stores (no
// intermediate buffer, no libc call per run). kFixedNr is nr as a compile-time constant for
// the common widths (a Conv on a 7x7 map splits into runs of 7: the divisions by a run-time
// nr were a visible part of im2col), or 0 to use `nr`.
template <int64_t kFixedNr>
struct PanelOut {
  using V = simd::F32x;
  int64_t nr_runtime;
  float* row_base;       // dst + r * nr
  int64_t panel_stride;  // rows * nr
  int64_t nr() const { return kFixedNr ? kFixedNr : nr_runtime; }
  float* at(int64_t t) const { return row_base + (t / nr()) * panel_stride + t % nr(); }
  static void copy_short(float* d, const float* s, int64_t n) {  // n <= nr
    int64_t i = 0;
    for (; i + V::kLanes <= n; i += V::kLanes) V::loadu(s + i).storeu(d + i);
    for (; i < n; ++i) d[i] = s[i];
  }
  void copy(int64_t t, const float* src, int64_t n) {
    while (n > 0) {
      const int64_t chunk = std::min(n, nr() - t % nr());
      copy_short(at(t), src, chunk);
      t += chunk, src += chunk, n -= chunk;
    }
  }
  void strided(int64_t t, const float* src, int64_t stride, int64_t n) {
    while (n > 0) {
      const int64_t chunk = std::min(n, nr() - t % nr());
      float* d = at(t);
      if (stride == 2) {  // the common case (stride-2 downsampling): a constant the compiler can use
        for (int64_t i = 0; i < chunk; ++i) d[i] = src[2 * i];
      } else {
        for (int64_t i = 0; i < chunk; ++i) d[i] = src[i * stride];
      }
      t += chunk, src += chunk * stride, n -= chunk;
    }
  }
  void zero(int64_t t, int64_t n) {
    while (n > 0) {
      const int64_t chunk = std::min(n, nr() - t % nr());
      std::fill_n(at(t), chunk, 0.0f);
      t += chunk, n -= chunk;
    }
  }
};

template <int64_t kFixedNr>
void pack_rows(const std::vector<Im2col::RowInfo>& rows, const ConvGeometry& g, int64_t nr, int64_t row0,
               int64_t n_rows, int64_t col0, int64_t cols, float* dst) {
  const int64_t panels = (cols + nr - 1) / nr;
  for (int64_t r = 0; r < n_rows; ++r) {
    PanelOut<kFixedNr> out{nr, dst + r * nr, n_rows * nr};
    im2col_row_to(rows[size_t(row0 + r)], g, col0, cols, out);
    // The last panel's columns past `cols` are zero.
    if (cols % nr) out.zero(cols, panels * nr - cols);
  }
}

}  // namespace

Im2col::Im2col(const float* input, int64_t channels, const ConvGeometry& g) : g_(g) {
  rows_.resize(size_t(channels * g.kernel_size()));
  for (int64_t r = 0; r < rows(); ++r) {
    int64_t rest = r;
    const int64_t kw = rest % g.kernel[2]; rest /= g.kernel[2];
    const int64_t kh = rest % g.kernel[1]; rest /= g.kernel[1];
    const int64_t kd = rest % g.kernel[0]; rest /= g.kernel[0];
    RowInfo& info = rows_[size_t(r)];
    info.channel = input + rest * g.in_size();
    info.off_d = kd * g.dilation[0] - g.pad_begin[0];
    info.off_h = kh * g.dilation[1] - g.pad_begin[1];
    info.off_w = kw * g.dilation[2] - g.pad_begin[2];
    valid_range(g.in[2], g.out[2], g.stride[2], info.off_w, info.w_lo, info.w_hi);
  }
}

void Im2col::row(int64_t row, int64_t col0, int64_t cols, float* dst) const {
  FlatOut out{dst};
  im2col_row_to(rows_[size_t(row)], g_, col0, cols, out);
}

void Im2col::pack_block(int64_t row0, int64_t n_rows, int64_t col0, int64_t cols, float* dst) const {
  const int64_t nr = gemm_nr();
  switch (nr) {  // the tile widths of the kernel sets (gemm_microkernel.h)
    case 8: return pack_rows<8>(rows_, g_, nr, row0, n_rows, col0, cols, dst);
    case 16: return pack_rows<16>(rows_, g_, nr, row0, n_rows, col0, cols, dst);
    case 64: return pack_rows<64>(rows_, g_, nr, row0, n_rows, col0, cols, dst);
    default: return pack_rows<0>(rows_, g_, nr, row0, n_rows, col0, cols, dst);
  }
}

void col2im(const float* col, int64_t channels, const ConvGeometry& g, float* output, ThreadPool* threads) {
  // Here `in` is the ConvTranspose input (the col's columns) and `out` the larger output.
  const int64_t in_size = g.in_size();
  parallel_for(threads, channels, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      float* channel = output + c * g.out_size();
      std::memset(channel, 0, size_t(g.out_size()) * sizeof(float));
      for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
        for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
          for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
            const int64_t row = ((c * g.kernel[0] + kd) * g.kernel[1] + kh) * g.kernel[2] + kw;
            const float* src = col + row * in_size;
            const int64_t off_w = kw * g.dilation[2] - g.pad_begin[2];
            for (int64_t id = 0; id < g.in[0]; ++id) {
              const int64_t od = id * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
              if (od < 0 || od >= g.out[0]) continue;
              for (int64_t ih = 0; ih < g.in[1]; ++ih) {
                const int64_t oh = ih * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
                if (oh < 0 || oh >= g.out[1]) continue;
                const float* s = src + (id * g.in[1] + ih) * g.in[2];
                float* o = channel + (od * g.out[1] + oh) * g.out[2];
                // Input columns iw with 0 <= iw*stride + off_w < out_w.
                int64_t lo, hi;
                valid_range(g.out[2], g.in[2], g.stride[2], off_w, lo, hi);
                for (int64_t iw = lo; iw < hi; ++iw) o[iw * g.stride[2] + off_w] += s[iw];
              }
            }
          }
    }
  });
}

}  // namespace wisp::kernels
