// GridSample (opsets 16 and 20): samples X [N, C, D1..Dr] at the normalised positions held in
// grid [N, O1..Or, r], giving Y [N, C, O1..Or]. Opset 16 defines the 4-D case with the modes
// "bilinear" / "nearest" / "bicubic"; opset 20 generalises to r spatial axes and renames the
// modes "linear" / "nearest" / "cubic". Both spellings are accepted in every opset.
//
// Grid component k addresses spatial axis r-1-k (x is the innermost, width axis). Along each
// axis a sample position becomes a few taps (index, weight): 1 for nearest, 2 for linear, 4 for
// cubic; the sample is the weighted sum over the tensor product of the axes' taps. The rules
// follow the ONNX reference implementation: the coordinate is denormalised, rounded half to
// even (nearest), then padded when outside the border range (border clamps, reflection folds
// back); taps that still fall outside the image read 0 (zeros), the edge (border) or their
// reflection.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

enum class GridMode { Nearest, Linear, Cubic };
enum class Padding { Zeros, Border, Reflection };

// Beyond this many spatial axes the tap product explodes (4^r for cubic); real models use 1-3.
constexpr size_t kMaxSpatial = 6;
constexpr size_t kMaxTaps = 4;
// Coordinates are bounded to +-kFar before any integer conversion: far outside every axis (so
// the padding result is unchanged for zeros and border) and exactly representable as int64.
constexpr double kFar = 1e15;

// The Keys cubic kernel with a = -0.75, as in the ONNX reference and PyTorch.
double cubic_weight(double d) {
  constexpr double a = -0.75;
  d = std::abs(d);
  if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0;
}

// Folds x into [lo, hi] by repeated reflection at the bounds.
double reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (!(range > 0)) return lo;
  if (x >= lo && x <= hi) return x;
  const bool below = x < lo;
  const double dx = below ? lo - x : x - hi;
  const double flips = std::floor(dx / range);
  const double r = dx - flips * range;
  const bool even = std::fmod(flips, 2.0) == 0;
  // An even number of whole flips leaves x mirrored at the bound it crossed.
  return std::clamp(below == even ? lo + r : hi - r, lo, hi);
}

// One spatial axis of X.
struct Axis {
  int64_t size = 0;
  int64_t stride = 0;  // in elements, within one (n, c) plane
  double lo = 0, hi = 0;  // the border range reflection folds into
};

// The taps of one axis for one sample: element offsets (index * stride, -1 for a tap that
// reads zero padding) and weights.
struct GridAxisTaps {
  size_t count = 0;
  std::array<int64_t, kMaxTaps> offset{};
  std::array<double, kMaxTaps> weight{};
};

double grid_value(const Tensor& grid, int64_t i) {
  switch (grid.dtype()) {
    case DType::Float32: return grid.data<float>()[i];
    case DType::Float64: return grid.data<double>()[i];
    case DType::Float16: return half_to_float(grid.data<Float16>()[i].bits);
    case DType::BFloat16: return bfloat16_to_float(grid.data<BFloat16>()[i].bits);
    default: return std::numeric_limits<double>::quiet_NaN();  // rejected before sampling
  }
}

template <typename T>
double load(const T* p, int64_t i) {
  if constexpr (std::is_same_v<T, Float16>) return half_to_float(p[i].bits);
  else if constexpr (std::is_same_v<T, BFloat16>) return bfloat16_to_float(p[i].bits);
  else return double(p[i]);
}

template <typename T>
void store(T* p, int64_t i, double v) {
  if constexpr (std::is_same_v<T, Float16>) p[i] = Float16{float_to_half(float(v))};
  else if constexpr (std::is_same_v<T, BFloat16>) p[i] = BFloat16{float_to_bfloat16(float(v))};
  else p[i] = T(v);
}

bool is_float_type(DType t) {
  return t == DType::Float32 || t == DType::Float64 || t == DType::Float16 || t == DType::BFloat16;
}

class GridSampleOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(std::string mode, ctx.node.attr_string("mode", ctx.opset >= 20 ? "linear" : "bilinear"));
    if (mode == "bilinear" || mode == "linear") mode_ = GridMode::Linear;
    else if (mode == "nearest") mode_ = GridMode::Nearest;
    else if (mode == "bicubic" || mode == "cubic") mode_ = GridMode::Cubic;
    else return invalid_model("GridSample mode must be linear/bilinear, nearest or cubic/bicubic, got '", mode, "'");

    WISP_ASSIGN_OR_RETURN(std::string padding, ctx.node.attr_string("padding_mode", "zeros"));
    if (padding == "zeros") padding_ = Padding::Zeros;
    else if (padding == "border") padding_ = Padding::Border;
    else if (padding == "reflection") padding_ = Padding::Reflection;
    else return invalid_model("GridSample padding_mode must be zeros, border or reflection, got '", padding, "'");

    WISP_ASSIGN_OR_RETURN(int64_t align, ctx.node.attr_int("align_corners", 0));
    WISP_CHECK_MODEL(align == 0 || align == 1, "GridSample align_corners must be 0 or 1, got ", align);
    align_corners_ = align == 1;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    WISP_CHECK_ARG(x.rank() >= 3, "GridSample input X must be [N, C, D1, ...], got ", x.describe());
    const size_t r = size_t(x.rank() - 2);
    if (r > kMaxSpatial) {
      return unsupported("GridSample supports at most ", kMaxSpatial, " spatial axes, got ", x.describe());
    }
    if (!is_float_type(x.dtype()) || !is_float_type(grid.dtype())) {
      return unsupported("GridSample needs floating-point X and grid, got ", x.describe(), " and ",
                         grid.describe());
    }
    WISP_CHECK_ARG(grid.rank() == x.rank() && grid.dim(0) == x.dim(0) && grid.dim(-1) == int64_t(r), "grid ",
                   grid.describe(), " must be [N, out dims..., ", r, "] for X ", x.describe());

    const int64_t n = x.dim(0), c = x.dim(1);
    Shape out_shape = {n, c};
    out_shape.insert(out_shape.end(), grid.shape().begin() + 1, grid.shape().end() - 1);
    WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    if (y->numel() == 0) return Status::ok();

    std::array<Axis, kMaxSpatial> axes{};
    int64_t plane = 1;
    for (size_t d = r; d-- > 0;) {
      Axis& a = axes[d];
      a.size = x.dim(int64_t(d) + 2);
      WISP_CHECK_ARG(a.size > 0, "GridSample cannot sample the empty spatial axis ", d, " of ", x.describe());
      a.stride = plane;
      plane *= a.size;
      // Reflection folds into the span covered by the pixels: their centres with align_corners,
      // else their outer edges.
      a.lo = align_corners_ ? 0.0 : -0.5;
      a.hi = align_corners_ ? double(a.size - 1) : double(a.size) - 0.5;
    }
    const int64_t points = dims_product(out_shape, 2, out_shape.size());

    switch (x.dtype()) {
      case DType::Float32: sample<float>(ctx, x, grid, *y, axes, r, plane, points); break;
      case DType::Float64: sample<double>(ctx, x, grid, *y, axes, r, plane, points); break;
      case DType::Float16: sample<Float16>(ctx, x, grid, *y, axes, r, plane, points); break;
      case DType::BFloat16: sample<BFloat16>(ctx, x, grid, *y, axes, r, plane, points); break;
      default: break;  // rejected above
    }
    return Status::ok();
  }

 private:
  // Computes the taps of axis `a` for the normalised coordinate g (finite or infinite, not NaN).
  void axis_taps(const Axis& a, double g, GridAxisTaps& t) const {
    const double len = double(a.size);
    double pos = align_corners_ ? (g + 1) / 2 * (len - 1) : ((g + 1) * len - 1) / 2;
    pos = std::clamp(pos, -kFar, kFar);
    if (mode_ == GridMode::Nearest) pos = std::nearbyint(pos);  // half to even, like numpy's rint
    if (pos < a.lo || pos > a.hi) {
      if (padding_ == Padding::Border) pos = std::clamp(pos, 0.0, len - 1);
      else if (padding_ == Padding::Reflection) pos = reflect(pos, a.lo, a.hi);
    }
    int64_t first = 0;
    const double base = std::floor(pos), frac = pos - base;
    switch (mode_) {
      case GridMode::Nearest:
        // Already whole except for rounding noise after a reflection.
        first = int64_t(std::nearbyint(pos));
        t.count = 1;
        t.weight[0] = 1;
        break;
      case GridMode::Linear:
        first = int64_t(base);
        t.count = 2;
        t.weight[0] = 1 - frac;
        t.weight[1] = frac;
        break;
      case GridMode::Cubic:
        first = int64_t(base) - 1;
        t.count = 4;
        for (size_t k = 0; k < 4; ++k) t.weight[k] = cubic_weight(double(k) - 1 - frac);
        break;
    }
    for (size_t k = 0; k < t.count; ++k) {
      int64_t i = first + int64_t(k);
      if (i < 0 || i >= a.size) {
        switch (padding_) {
          case Padding::Zeros: i = -1; break;
          case Padding::Border: i = std::clamp<int64_t>(i, 0, a.size - 1); break;
          case Padding::Reflection:
            // Truncation toward zero as the reference does; the clamp only guards rounding.
            i = std::clamp<int64_t>(int64_t(reflect(double(i), a.lo, a.hi)), 0, a.size - 1);
            break;
        }
      }
      t.offset[k] = i < 0 ? -1 : i * a.stride;
    }
  }

  // Work is split over the N * points output positions; each position computes its taps once
  // and applies them to all C channels (so a batch of one single image still runs in parallel).
  template <typename T>
  void sample(OpContext& ctx, const Tensor& x, const Tensor& grid, Tensor& y, const std::array<Axis, kMaxSpatial>& axes,
              size_t r, int64_t plane, int64_t points) const {
    const T* xs = x.data<T>();
    T* ys = y.data<T>();
    const int64_t channels = x.dim(1);
    const size_t taps_per_axis = mode_ == GridMode::Nearest ? 1 : mode_ == GridMode::Linear ? 2 : 4;
    size_t max_taps = 1;
    for (size_t d = 0; d < r; ++d) max_taps *= taps_per_axis;
    const int64_t work = std::max<int64_t>(1, channels * int64_t(max_taps));
    const int64_t min_chunk = std::max<int64_t>(1, 16384 / work);
    const int64_t items = x.dim(0) * points;

    parallel_for(ctx.threads(), items, min_chunk, [&](int64_t begin, int64_t end) {
      std::array<GridAxisTaps, kMaxSpatial> taps{};
      // The combined taps of one sample (offset within the plane, product weight), built axis
      // by axis from `cur` into `next`.
      std::vector<int64_t> cur_off(max_taps), next_off(max_taps);
      std::vector<double> cur_w(max_taps), next_w(max_taps);
      for (int64_t item = begin; item < end; ++item) {
        const int64_t b = item / points, p = item % points;
        bool nan = false;
        for (size_t d = 0; d < r; ++d) {
          double g = grid_value(grid, item * int64_t(r) + int64_t(r - 1 - d));
          if (std::isnan(g)) nan = true;
          else axis_taps(axes[d], g, taps[d]);
        }
        const int64_t out_base = b * channels * points + p;
        if (nan) {
          for (int64_t ch = 0; ch < channels; ++ch) {
            store(ys, out_base + ch * points, std::numeric_limits<double>::quiet_NaN());
          }
          continue;
        }
        // Expand the tensor product of the axes' taps, dropping those that read zero padding.
        size_t n_taps = 1;
        cur_off[0] = 0;
        cur_w[0] = 1;
        for (size_t d = 0; d < r; ++d) {
          const GridAxisTaps& t = taps[d];
          size_t kept = 0;
          for (size_t i = 0; i < n_taps; ++i) {
            for (size_t k = 0; k < t.count; ++k) {
              if (t.offset[k] < 0) continue;
              next_off[kept] = cur_off[i] + t.offset[k];
              next_w[kept] = cur_w[i] * t.weight[k];
              ++kept;
            }
          }
          cur_off.swap(next_off);
          cur_w.swap(next_w);
          n_taps = kept;
        }
        for (int64_t ch = 0; ch < channels; ++ch) {
          const int64_t in_base = (b * channels + ch) * plane;
          double acc = 0;
          for (size_t i = 0; i < n_taps; ++i) acc += cur_w[i] * load(xs, in_base + cur_off[i]);
          store(ys, out_base + ch * points, acc);
        }
      }
    });
  }

  GridMode mode_ = GridMode::Linear;
  Padding padding_ = Padding::Zeros;
  bool align_corners_ = false;
};

}  // namespace

void register_grid_sample_ops(OpRegistry& r) { r.add<GridSampleOp>("GridSample", "", 16); }

}  // namespace wisp::shape_ops
