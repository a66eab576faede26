#include "core/ops/shape/shape_util.h"

#include <algorithm>

namespace wisp::shape_ops {

void fill_with(Tensor& dst, int64_t offset, int64_t count, const Tensor& value) {
  if (count <= 0) return;
  if (dst.dtype() == DType::String) {
    const std::string& v = value.strings()[0];
    for (int64_t i = 0; i < count; ++i) dst.strings()[offset + i] = v;
    return;
  }
  size_t elem = dtype_size(dst.dtype());
  char* out = static_cast<char*>(dst.raw_data()) + offset * int64_t(elem);
  std::memcpy(out, value.raw_data(), elem);
  // Doubling copies: the filled prefix is copied onto the rest in growing blocks.
  size_t done = elem, total = size_t(count) * elem;
  while (done < total) {
    size_t n = std::min(done, total - done);
    std::memcpy(out + done, out, n);
    done += n;
  }
}

namespace {

// Inner loop of strided_copy for a fixed element size: n elements at source stride `stride`.
template <size_t E>
void gather_run(char* dst, const char* src, int64_t n, int64_t stride) {
  for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * int64_t(E), src + i * stride * int64_t(E), E);
}

void copy_run(char* dst, const char* src, int64_t n, int64_t stride, size_t elem) {
  switch (elem) {
    case 1: gather_run<1>(dst, src, n, stride); return;
    case 2: gather_run<2>(dst, src, n, stride); return;
    case 4: gather_run<4>(dst, src, n, stride); return;
    case 8: gather_run<8>(dst, src, n, stride); return;
    default:
      for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * int64_t(elem), src + i * stride * int64_t(elem), elem);
  }
}

// Drops extent-1 dims and merges dims that are contiguous with each other in the source.
void simplify(Shape& shape, std::vector<int64_t>& strides) {
  Shape s;
  std::vector<int64_t> st;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!s.empty() && st.back() == strides[i] * shape[i]) {
      s.back() *= shape[i];
      st.back() = strides[i];
      continue;
    }
    s.push_back(shape[i]);
    st.push_back(strides[i]);
  }
  if (s.empty()) {
    s.push_back(1);
    st.push_back(1);
  }
  shape = std::move(s);
  strides = std::move(st);
}

}  // namespace

void strided_copy(Tensor& dst, const Tensor& src, const Shape& out_shape, std::vector<int64_t> src_strides,
                  int64_t src_offset, ThreadPool* threads) {
  int64_t total = numel(out_shape);
  if (total == 0) return;
  Shape shape = out_shape;
  simplify(shape, src_strides);
  const size_t rank = shape.size();
  const int64_t inner = shape[rank - 1];
  const int64_t inner_stride = src_strides[rank - 1];
  const size_t elem = dtype_size(src.dtype());
  ElementCopier copier(dst, src);

  // A transpose of the last two dims (source stride 1 on the second to last) is done in
  // tiles so that both reads and writes stay within cache lines.
  const bool tiled = elem != 0 && rank >= 2 && src_strides[rank - 2] == 1 && inner_stride != 1;
  if (tiled) {
    const int64_t rows = shape[rank - 2], cols = inner, col_stride = inner_stride;
    const int64_t planes = total / (rows * cols);
    constexpr int64_t kTile = 32;
    char* out = static_cast<char*>(dst.raw_data());
    const char* in = static_cast<const char*>(src.raw_data());
    parallel_for(threads, planes, 1, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        int64_t base = src_offset, rem = p;
        for (size_t d = rank - 2; d-- > 0;) {
          base += (rem % shape[d]) * src_strides[d];
          rem /= shape[d];
        }
        char* plane_out = out + p * rows * cols * int64_t(elem);
        for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
          for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
            int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
            for (int64_t r = r0; r < r1; ++r) {
              copy_run(plane_out + (r * cols + c0) * int64_t(elem),
                       in + (base + r + c0 * col_stride) * int64_t(elem), c1 - c0, col_stride, elem);
            }
          }
        }
      }
    });
    return;
  }

  const int64_t rows = total / inner;
  const int64_t min_rows = std::max<int64_t>(1, 32768 / std::max<int64_t>(inner, 1));
  parallel_for(threads, rows, min_rows, [&](int64_t begin, int64_t end) {
    // Position of row `begin` in the outer dims, then advanced like an odometer.
    std::vector<int64_t> counter(rank, 0);
    int64_t offset = src_offset, rem = begin;
    for (size_t d = rank - 1; d-- > 0;) {
      counter[d] = rem % shape[d];
      rem /= shape[d];
      offset += counter[d] * src_strides[d];
    }
    for (int64_t row = begin; row < end; ++row) {
      int64_t out_index = row * inner;
      if (inner_stride == 1) {
        copier.copy(out_index, offset, inner);
      } else if (elem == 0) {
        for (int64_t i = 0; i < inner; ++i) copier.copy_one(out_index + i, offset + i * inner_stride);
      } else {
        copy_run(static_cast<char*>(dst.raw_data()) + out_index * int64_t(elem),
                 static_cast<const char*>(src.raw_data()) + offset * int64_t(elem), inner, inner_stride, elem);
      }
      for (size_t d = rank - 1; d-- > 0;) {
        offset += src_strides[d];
        if (++counter[d] < shape[d]) break;
        offset -= counter[d] * src_strides[d];
        counter[d] = 0;
      }
    }
  });
}

Result<std::vector<int64_t>> read_int64s(const Tensor& t, const char* what) {
  if (t.dtype() != DType::Int64 && t.dtype() != DType::Int32) {
    return invalid_argument(what, " must be an int64 or int32 tensor, got ", t.describe());
  }
  if (t.dtype() == DType::Int64) {
    const int64_t* p = t.data<int64_t>();
    return std::vector<int64_t>(p, p + t.numel());
  }
  const int32_t* p = t.data<int32_t>();
  return std::vector<int64_t>(p, p + t.numel());
}

Result<std::vector<int64_t>> optional_int64s(const OpContext& ctx, size_t i, const char* what,
                                            std::vector<int64_t> fallback) {
  if (!ctx.has_input(i)) return fallback;
  return read_int64s(ctx.input(i), what);
}

Result<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  std::vector<bool> seen(size_t(std::max<int64_t>(rank, 0)), false);
  for (int64_t a : axes) {
    WISP_ASSIGN_OR_RETURN(int64_t n, normalize_axis(a, rank));
    if (seen[size_t(n)]) return invalid_argument("axis ", a, " is repeated");
    seen[size_t(n)] = true;
    out.push_back(n);
  }
  return out;
}

}  // namespace wisp::shape_ops

namespace wisp::shape_ops {

void set_from_double(Tensor& t, int64_t i, double value) {
  visit_numeric_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, Float16>) t.data<T>()[i] = Float16{float_to_half(float(value))};
    else if constexpr (std::is_same_v<T, BFloat16>) t.data<T>()[i] = BFloat16{float_to_bfloat16(float(value))};
    else if constexpr (std::is_same_v<T, bool>) t.data<T>()[i] = value != 0;
    else t.data<T>()[i] = T(value);
  });
}

}  // namespace wisp::shape_ops
