// Windowed pooling: MaxPool (with the optional Indices output), AveragePool and LpPool.
// Each (n, c) plane is pooled independently, so planes are spread over the thread pool.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/ops/nn/float_io.h"
#include "core/ops/nn/nn_ops.h"
#include "core/ops/nn/pool_geometry.h"

namespace wisp::nn {
namespace {

enum class Mode { Max, Average, Lp };

struct PoolOptions {
  Mode mode = Mode::Max;
  bool count_include_pad = false;  // AveragePool
  float p = 2.0f;                  // LpPool
  bool column_major_indices = false;  // MaxPool storage_order = 1
};

// Pools one (n, c) plane. `index_base` is the flat offset of the plane in the input, used for
// MaxPool's indices (which count across the whole tensor).
template <typename T>
void pool_plane(const PoolGeometry& g, const PoolOptions& opt, const T* x, T* y, int64_t* indices, int64_t index_base) {
  using IO = FloatIO<T>;
  using A = decltype(IO::load(T{}));
  const int64_t H = g.in[1], W = g.in[2];
  int64_t out_i = 0;
  for (int64_t od = 0; od < g.out[0]; ++od) {
    const int64_t ds = od * g.s[0] - g.pb[0];
    int64_t d_lo, d_hi;
    g.valid_taps(0, ds, d_lo, d_hi);
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      const int64_t hs = oh * g.s[1] - g.pb[1];
      int64_t h_lo, h_hi;
      g.valid_taps(1, hs, h_lo, h_hi);
      for (int64_t ow = 0; ow < g.out[2]; ++ow, ++out_i) {
        const int64_t ws = ow * g.s[2] - g.pb[2];
        int64_t w_lo, w_hi;
        g.valid_taps(2, ws, w_lo, w_hi);
        if (opt.mode == Mode::Max) {
          A best = std::numeric_limits<A>::has_infinity ? -std::numeric_limits<A>::infinity()
                                                        : std::numeric_limits<A>::lowest();
          int64_t best_at = -1;
          for (int64_t kd = d_lo; kd < d_hi; ++kd) {
            const int64_t id = ds + kd * g.d[0];
            for (int64_t kh = h_lo; kh < h_hi; ++kh) {
              const int64_t ih = hs + kh * g.d[1];
              const T* row = x + (id * H + ih) * W;
              for (int64_t kw = w_lo; kw < w_hi; ++kw) {
                const int64_t iw = ws + kw * g.d[2];
                A v = IO::load(row[iw]);
                if (v > best || best_at < 0) {
                  best = v;
                  best_at = opt.column_major_indices ? id + ih * g.in[0] + iw * g.in[0] * H : (id * H + ih) * W + iw;
                }
              }
            }
          }
          y[out_i] = IO::store(best);
          if (indices) indices[out_i] = index_base + (best_at < 0 ? 0 : best_at);
        } else {
          // Sums in double/float: enough for windows of any realistic size.
          using S = std::conditional_t<std::is_same_v<A, double>, double, float>;
          S sum = 0;
          for (int64_t kd = d_lo; kd < d_hi; ++kd) {
            const int64_t id = ds + kd * g.d[0];
            for (int64_t kh = h_lo; kh < h_hi; ++kh) {
              const int64_t ih = hs + kh * g.d[1];
              const T* row = x + (id * H + ih) * W;
              for (int64_t kw = w_lo; kw < w_hi; ++kw) {
                S v = S(IO::load(row[ws + kw * g.d[2]]));
                if (opt.mode == Mode::Average) sum += v;
                else sum += opt.p == 2.0f ? v * v : S(std::pow(std::abs(v), S(opt.p)));
              }
            }
          }
          if (opt.mode == Mode::Lp) {
            y[out_i] = IO::store(A(opt.p == 2.0f ? std::sqrt(sum) : std::pow(sum, S(1) / S(opt.p))));
            continue;
          }
          int64_t count = (d_hi - d_lo) * (h_hi - h_lo) * (w_hi - w_lo);
          if (opt.count_include_pad) {
            // Taps inside the padded extent [-pad_begin, in + pad_end) count, real or not.
            count = 1;
            const int64_t starts[3] = {ds, hs, ws};
            for (int i = 0; i < kMaxPoolDims; ++i) {
              int64_t n = 0;
              for (int64_t t = 0; t < g.k[i]; ++t) {
                int64_t pos = starts[i] + t * g.d[i];
                if (pos >= -g.pb[i] && pos < g.in[i] + g.pe[i]) ++n;
              }
              count *= n;
            }
          }
          y[out_i] = IO::store(A(count > 0 ? sum / S(count) : S(0)));
        }
      }
    }
  }
}

// Taps t in [0, k) of dim i whose position start + t*d lies inside the padded extent
// [-pad_begin, in + pad_end) (AveragePool's count_include_pad divisor).
int64_t padded_taps(const PoolGeometry& g, int i, int64_t start) {
  int64_t n = 0;
  for (int64_t t = 0; t < g.k[i]; ++t) {
    const int64_t pos = start + t * g.d[i];
    n += pos >= -g.pb[i] && pos < g.in[i] + g.pe[i];
  }
  return n;
}

// The 1-D / 2-D float MaxPool and AveragePool without Indices, in two passes per output
// row: first the window's input rows are combined element-wise into one row buffer
// (contiguous rows, which the compiler vectorises), then each output takes the max / sum of
// its kw taps of that buffer. Per output that is kw operations instead of kh * kw bounds-
// checked ones. Max keeps the first of equal values and skips NaN like pool_plane.
template <Mode M, int S>  // S: the width stride when known at compile time (1, 2), else 0
void pool_rows_2d(const PoolGeometry& g, const PoolOptions& opt, const float* x, float* y, float* row) {
  const int64_t W = g.in[2], OW = g.out[2], kw = g.k[2], dw = g.d[2], pw = g.pb[2];
  const int64_t sw = S > 0 ? S : g.s[2];
  // Outputs [ow_lo, ow_hi) have every tap inside the row (no padding to check).
  const int64_t ow_lo = std::min(OW, (pw + sw - 1) / sw);
  const int64_t last = W - 1 - (kw - 1) * dw + pw;  // ow * sw <= last
  const int64_t ow_hi = std::max(ow_lo, std::min(OW, last < 0 ? 0 : last / sw + 1));
  const float empty = M == Mode::Max ? -std::numeric_limits<float>::infinity() : 0.0f;
  for (int64_t oh = 0; oh < g.out[1]; ++oh) {
    const int64_t hs = oh * g.s[1] - g.pb[1];
    int64_t h_lo, h_hi;
    g.valid_taps(1, hs, h_lo, h_hi);
    if (h_hi <= h_lo) {
      std::fill(row, row + W, empty);
    } else {
      std::copy_n(x + (hs + h_lo * g.d[1]) * W, W, row);
      for (int64_t kh = h_lo + 1; kh < h_hi; ++kh) {
        const float* src = x + (hs + kh * g.d[1]) * W;
        for (int64_t i = 0; i < W; ++i) {
          if constexpr (M == Mode::Max) {
            row[i] = src[i] > row[i] ? src[i] : row[i];
          } else {
            row[i] += src[i];
          }
        }
      }
    }
    float* out = y + oh * OW;
    // Interior outputs: tap-major so the inner loop is a (strided) vectorisable sweep.
    if (ow_hi > ow_lo) {
      const float* base = row + ow_lo * sw - pw;
      for (int64_t ow = ow_lo; ow < ow_hi; ++ow) out[ow] = base[(ow - ow_lo) * sw];
      for (int64_t t = 1; t < kw; ++t) {
        const float* tap = base + t * dw;
        for (int64_t ow = ow_lo; ow < ow_hi; ++ow) {
          const float v = tap[(ow - ow_lo) * sw];
          if constexpr (M == Mode::Max) {
            out[ow] = v > out[ow] ? v : out[ow];
          } else {
            out[ow] += v;
          }
        }
      }
    }
    // Edge outputs: only their taps inside the row.
    const auto edge = [&](int64_t ow) {
      const int64_t ws = ow * sw - pw;
      int64_t w_lo, w_hi;
      g.valid_taps(2, ws, w_lo, w_hi);
      float acc = w_hi > w_lo ? row[ws + w_lo * dw] : empty;
      for (int64_t t = w_lo + 1; t < w_hi; ++t) {
        const float v = row[ws + t * dw];
        if constexpr (M == Mode::Max) {
          acc = v > acc ? v : acc;
        } else {
          acc += v;
        }
      }
      out[ow] = acc;
    };
    for (int64_t ow = 0; ow < ow_lo; ++ow) edge(ow);
    for (int64_t ow = ow_hi; ow < OW; ++ow) edge(ow);
    if constexpr (M == Mode::Average) {
      // Divisor per output: valid taps, or taps inside the padded extent.
      const int64_t rows = opt.count_include_pad ? padded_taps(g, 1, hs) : h_hi - h_lo;
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t ws = ow * sw - pw;
        int64_t cols;
        if (opt.count_include_pad) {
          cols = padded_taps(g, 2, ws);
        } else {
          int64_t w_lo, w_hi;
          g.valid_taps(2, ws, w_lo, w_hi);
          cols = w_hi - w_lo;
        }
        const int64_t count = rows * cols;
        out[ow] = count > 0 ? out[ow] / float(count) : 0.0f;
      }
    }
  }
}

// Whether pool_rows_2d handles this case (else pool_plane does).
bool rows_2d_applies(const PoolGeometry& g, Mode mode, DType dtype, bool indices) {
  return (mode == Mode::Max || mode == Mode::Average) && dtype == DType::Float32 && !indices && g.in[0] == 1 &&
         g.k[0] == 1 && g.out[0] == 1 && g.pb[0] == 0;
}

template <Mode M>
void pool_rows_2d_any(const PoolGeometry& g, const PoolOptions& opt, const float* x, float* y, float* row) {
  if (g.s[2] == 1) return pool_rows_2d<M, 1>(g, opt, x, y, row);
  if (g.s[2] == 2) return pool_rows_2d<M, 2>(g, opt, x, y, row);
  pool_rows_2d<M, 0>(g, opt, x, y, row);
}

template <Mode M>
class PoolOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    const Node& node = ctx.node;
    const int64_t opset = ctx.opset == 0 ? 22 : ctx.opset;
    options_.mode = M;
    // dilations: MaxPool from 10, AveragePool and LpPool from 18/19; ceil_mode: Max/Avg from 10, Lp from 18.
    bool dilations = M == Mode::Max ? opset >= 10 : (M == Mode::Average ? opset >= 19 : opset >= 18);
    bool ceil_mode = M == Mode::Lp ? opset >= 18 : opset >= 10;
    WISP_RETURN_IF_ERROR(attrs_.parse(node, dilations, ceil_mode));
    if (M == Mode::Average) {
      WISP_ASSIGN_OR_RETURN(int64_t cip, node.attr_int("count_include_pad", 0));
      options_.count_include_pad = cip != 0;
    }
    if (M == Mode::Max) {
      WISP_ASSIGN_OR_RETURN(int64_t order, node.attr_int("storage_order", 0));
      WISP_CHECK_MODEL(order == 0 || order == 1, "storage_order must be 0 or 1, got ", order);
      options_.column_major_indices = order == 1;
    }
    if (M == Mode::Lp) {
      // LpPool-1 had a float `p`; later versions an int.
      const Attribute* p = node.attr("p");
      if (p) options_.p = p->kind == Attribute::Kind::Float ? p->f : float(p->i);
      WISP_CHECK_MODEL(options_.p > 0, "p must be positive");
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(0), "needs an input");  // a node may list none
    const Tensor& x = ctx.input(0);
    WISP_ASSIGN_OR_RETURN(PoolGeometry g, resolve_pool_geometry(attrs_, x.shape()));
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), g.out_shape));
    int64_t* indices = nullptr;
    if (M == Mode::Max && ctx.wants_output(1)) {
      WISP_ASSIGN_OR_RETURN(Tensor * ind, ctx.allocate_output(1, DType::Int64, g.out_shape));
      indices = ind->data<int64_t>();
    }
    const int64_t planes = g.batch * g.channels;
    const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
    if (planes == 0 || out_plane == 0) return Status::ok();
    if constexpr (M != Mode::Lp) {
      if (rows_2d_applies(g, M, x.dtype(), indices != nullptr)) {
        const float* src = x.data<float>();
        float* dst = out->data<float>();
        parallel_for(ctx.threads(), planes, chunk_for(out_plane * g.k[2] + in_plane), [&](int64_t b, int64_t e) {
          WISP_THREAD_LOCAL std::vector<float> row;
          row.resize(size_t(g.in[2]));
          for (int64_t p = b; p < e; ++p) pool_rows_2d_any<M>(g, options_, src + p * in_plane, dst + p * out_plane, row.data());
        });
        return Status::ok();
      }
    }
    auto body = [&](auto tag) -> Status {
      using T = decltype(tag);
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      const int64_t window = g.k[0] * g.k[1] * g.k[2];
      parallel_for(ctx.threads(), planes, chunk_for(out_plane * window), [&](int64_t b, int64_t e) {
        for (int64_t p = b; p < e; ++p) {
          pool_plane<T>(g, options_, src + p * in_plane, dst + p * out_plane,
                        indices ? indices + p * out_plane : nullptr, p * in_plane);
        }
      });
      return Status::ok();
    };
    // MaxPool also takes 8-bit integers (opset 12).
    if (M == Mode::Max && x.dtype() == DType::UInt8) return body(uint8_t{});
    if (M == Mode::Max && x.dtype() == DType::Int8) return body(int8_t{});
    return visit_float(x.dtype(), "input", body);
  }

 private:
  PoolAttributes attrs_;
  PoolOptions options_;
};

// GlobalAveragePool, GlobalMaxPool, GlobalLpPool: one value per (n, c) over all spatial dims.
template <Mode M>
class GlobalPoolOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    if (M == Mode::Lp) {
      const Attribute* p = ctx.node.attr("p");
      if (p) p_ = p->kind == Attribute::Kind::Float ? p->f : float(p->i);
      WISP_CHECK_MODEL(p_ > 0, "p must be positive");
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 2, "input must have rank >= 2 (N, C, ...), got ", x.describe());
    Shape out_shape = x.shape();
    for (size_t i = 2; i < out_shape.size(); ++i) out_shape[i] = 1;
    const int64_t planes = x.dim(0) * x.dim(1);
    const int64_t size = product(x.shape(), 2, x.shape().size());
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), out_shape));
    const float p = p_;
    return visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = decltype(IO::load(T{}));
      using S = std::conditional_t<std::is_same_v<A, double>, double, float>;
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), planes, chunk_for(size), [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; ++c) {
          const T* plane = src + c * size;
          if (M == Mode::Max) {
            A best = -std::numeric_limits<A>::infinity();
            for (int64_t i = 0; i < size; ++i) best = std::max(best, A(IO::load(plane[i])));
            dst[c] = IO::store(best);
          } else if (M == Mode::Average) {
            S sum = 0;
            int64_t i = 0;
            if constexpr (std::is_same_v<T, float>) {
              // 16 running sums, lane-wise: the compiler turns them into vector adds (one chain
              // would be a serial dependency the compiler may not reorder).
              float part[16] = {};
              for (; i + 16 <= size; i += 16)
                for (int j = 0; j < 16; ++j) part[j] += plane[i + j];
              for (float v : part) sum += v;
            }
            for (; i < size; ++i) sum += S(IO::load(plane[i]));
            dst[c] = IO::store(A(size > 0 ? sum / S(size) : S(0)));
          } else {
            S sum = 0;
            for (int64_t i = 0; i < size; ++i) sum += S(std::pow(std::abs(S(IO::load(plane[i]))), S(p)));
            dst[c] = IO::store(A(std::pow(sum, S(1) / S(p))));
          }
        }
      });
      return Status::ok();
    });
  }

 private:
  float p_ = 2.0f;
};

}  // namespace

void register_unpool_kernels(OpRegistry& r);
void register_roi_kernels(OpRegistry& r);

void register_pooling_kernels(OpRegistry& r) {
  r.add<PoolOp<Mode::Max>>("MaxPool");
  r.add<PoolOp<Mode::Average>>("AveragePool");
  r.add<PoolOp<Mode::Lp>>("LpPool");
  r.add<GlobalPoolOp<Mode::Max>>("GlobalMaxPool");
  r.add<GlobalPoolOp<Mode::Average>>("GlobalAveragePool");
  r.add<GlobalPoolOp<Mode::Lp>>("GlobalLpPool");
  register_unpool_kernels(r);
  register_roi_kernels(r);
}

}  // namespace wisp::nn
