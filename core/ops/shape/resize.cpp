// Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9).
//
// Every mode is separable: each output coordinate along an axis maps to an input coordinate
// (coordinate_transformation_mode) and from there to a few taps (index, weight). Nearest
// mode picks one tap per axis and gathers elements directly (any dtype, strings included);
// linear and cubic run one pass per resized axis over a float buffer.
#include <algorithm>
#include <cmath>

#include "core/ops/shape/shape_ops.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::shape_ops {
namespace {

enum class Mode { Nearest, Linear, Cubic };
enum class Coord { HalfPixel, HalfPixelSymmetric, PytorchHalfPixel, AlignCorners, Asymmetric, TfCropAndResize };
// "Simple" is the pre-opset-11 rule: floor when upsampling, ceil when downsampling.
enum class Nearest { RoundPreferFloor, RoundPreferCeil, Floor, Ceil, Simple };
enum class AspectPolicy { Stretch, NotLarger, NotSmaller };

struct ResizeAttrs {
  Mode mode = Mode::Nearest;
  Coord coord = Coord::HalfPixel;
  Nearest nearest = Nearest::RoundPreferFloor;
  AspectPolicy policy = AspectPolicy::Stretch;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  bool antialias = false;
  double extrapolation = 0.0;
  std::vector<int64_t> axes;
};

// The taps of one axis: for output position o, `taps` pairs (index, weight) starting at
// o * taps_per_output; `outside[o]` marks tf_crop_and_resize extrapolation.
struct AxisTaps {
  int64_t taps_per_output = 1;
  std::vector<int64_t> index;
  std::vector<float> weight;
  std::vector<char> outside;
  bool identity = true;
};

double cubic_kernel(double x, double a) {
  x = std::abs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

// Input coordinate of output position o. `out_width` is scale * in, possibly fractional, as
// the ONNX reference uses it.
double source_coordinate(Coord coord, int64_t o, double scale, int64_t in, int64_t out, double roi_start,
                         double roi_end) {
  const double out_width = scale * double(in);
  switch (coord) {
    case Coord::HalfPixel: return (double(o) + 0.5) / scale - 0.5;
    case Coord::HalfPixelSymmetric: {
      double adjustment = double(out) / out_width;
      double offset = double(in) / 2 * (1 - adjustment);
      return offset + (double(o) + 0.5) / scale - 0.5;
    }
    case Coord::PytorchHalfPixel: return out > 1 ? (double(o) + 0.5) / scale - 0.5 : 0.0;
    case Coord::AlignCorners: return out_width == 1 ? 0.0 : double(o) * double(in - 1) / (out_width - 1);
    case Coord::Asymmetric: return double(o) / scale;
    case Coord::TfCropAndResize:
      if (out_width == 1) return 0.5 * (roi_start + roi_end) * double(in - 1);
      return roi_start * double(in - 1) + double(o) * (roi_end - roi_start) * double(in - 1) / (out_width - 1);
  }
  return 0;
}

int64_t nearest_index(double x, Nearest rule, double scale) {
  double f = std::floor(x);
  if (x == f) return int64_t(f);
  double ratio = x - f;
  switch (rule) {
    case Nearest::RoundPreferFloor: return int64_t(f) + (ratio > 0.5);
    case Nearest::RoundPreferCeil: return int64_t(f) + (ratio >= 0.5);
    case Nearest::Floor: return int64_t(f);
    case Nearest::Ceil: return int64_t(f) + 1;
    case Nearest::Simple: return scale < 1 ? int64_t(std::ceil(x)) : int64_t(f);
  }
  return int64_t(f);
}

AxisTaps make_taps(const ResizeAttrs& a, int64_t in, int64_t out, double scale, double roi_start, double roi_end) {
  AxisTaps t;
  // Antialiasing widens the filter by 1/scale when downscaling.
  const double filter_scale = a.antialias && a.mode != Mode::Nearest ? std::min(scale, 1.0) : 1.0;
  int64_t first = 0;  // offset of the first tap relative to floor(x)
  if (a.mode == Mode::Nearest) {
    t.taps_per_output = 1;
  } else if (a.mode == Mode::Linear) {
    first = int64_t(std::floor(-1 / filter_scale)) + 1;
    t.taps_per_output = 2 - 2 * first;
  } else {
    first = int64_t(std::floor(-2 / filter_scale)) + 1;
    t.taps_per_output = 2 - 2 * first;
  }
  const int64_t n = t.taps_per_output;
  t.index.resize(size_t(out * n));
  t.weight.resize(size_t(out * n));
  t.outside.assign(size_t(out), 0);
  std::vector<double> w(static_cast<size_t>(n));
  for (int64_t o = 0; o < out; ++o) {
    double x = source_coordinate(a.coord, o, scale, in, out, roi_start, roi_end);
    if (a.coord == Coord::TfCropAndResize && (x < 0 || x > double(in - 1))) {
      t.outside[size_t(o)] = 1;
      t.identity = false;
    }
    int64_t* idx = &t.index[size_t(o * n)];
    float* wt = &t.weight[size_t(o * n)];
    if (a.mode == Mode::Nearest) {
      idx[0] = std::clamp<int64_t>(nearest_index(x, a.nearest, scale), 0, in - 1);
      wt[0] = 1;
      t.identity = t.identity && idx[0] == o && in == out;
      continue;
    }
    const double base = std::floor(x), ratio = x - base;
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) {
      double d = (double(first + k) - ratio) * filter_scale;
      w[size_t(k)] = a.mode == Mode::Linear ? std::max(0.0, 1 - std::abs(d)) : cubic_kernel(d, a.cubic_a);
      int64_t raw = int64_t(base) + first + k;
      if (a.exclude_outside && (raw < 0 || raw >= in)) w[size_t(k)] = 0;
      sum += w[size_t(k)];
    }
    bool normalise = a.antialias || a.exclude_outside;
    for (int64_t k = 0; k < n; ++k) {
      idx[k] = std::clamp<int64_t>(int64_t(base) + first + k, 0, in - 1);
      wt[k] = float(normalise && sum != 0 ? w[size_t(k)] / sum : w[size_t(k)]);
    }
    t.identity = t.identity && in == out && x == double(o);
  }
  return t;
}

// dst[o] = src[index[o]] for o < n, with a fixed-size copy for common element sizes.
template <size_t E>
void gather_indexed_fixed(char* dst, const char* src, const int64_t* index, int64_t n) {
  for (int64_t o = 0; o < n; ++o) std::memcpy(dst + o * int64_t(E), src + index[o] * int64_t(E), E);
}

void gather_indexed(char* dst, const char* src, const int64_t* index, int64_t n, size_t elem) {
  switch (elem) {
    case 1: gather_indexed_fixed<1>(dst, src, index, n); return;
    case 2: gather_indexed_fixed<2>(dst, src, index, n); return;
    case 4: gather_indexed_fixed<4>(dst, src, index, n); return;
    case 8: gather_indexed_fixed<8>(dst, src, index, n); return;
    default:
      for (int64_t o = 0; o < n; ++o) std::memcpy(dst + o * int64_t(elem), src + index[o] * int64_t(elem), elem);
  }
}

// One separable pass: resizes `axis` of the float buffer `src` (shape `shape`) into a new buffer.
std::vector<float> resize_axis(const std::vector<float>& src, Shape& shape, size_t axis, int64_t out,
                               const AxisTaps& taps, float extrapolation, ThreadPool* threads) {
  const int64_t outer = dims_product(shape, 0, axis), in = shape[axis];
  const int64_t inner = dims_product(shape, axis + 1, shape.size());
  const int64_t n = taps.taps_per_output;
  std::vector<float> dst(size_t(outer * out * inner), 0.0f);
  parallel_for(threads, outer * out, std::max<int64_t>(1, 4096 / std::max<int64_t>(inner, 1)),
               [&](int64_t begin, int64_t end) {
    // (b, o) advance with j; dividing per element would dominate the last-axis pass.
    int64_t b = begin / out, o = begin % out - 1;
    for (int64_t j = begin; j < end; ++j) {
      if (++o == out) {
        o = 0;
        ++b;
      }
      float* d = &dst[size_t(j * inner)];
      if (taps.outside[size_t(o)]) {
        std::fill(d, d + inner, extrapolation);
        continue;
      }
      if (inner == 1) {
        // Last axis: a short dot product per output element.
        const float* s = &src[size_t(b * in)];
        const int64_t* idx = &taps.index[size_t(o * n)];
        const float* w = &taps.weight[size_t(o * n)];
        float sum = 0;
        for (int64_t k = 0; k < n; ++k) sum += w[k] * s[idx[k]];
        d[0] = sum;
        continue;
      }
      for (int64_t k = 0; k < n; ++k) {
        const float w = taps.weight[size_t(o * n + k)];
        if (w == 0) continue;
        const float* s = &src[size_t((b * in + taps.index[size_t(o * n + k)]) * inner)];
        for (int64_t i = 0; i < inner; ++i) d[i] += w * s[i];
      }
    }
  });
  shape[axis] = out;
  return dst;
}

Result<ResizeAttrs> parse_attrs(const Node& node, int64_t opset) {
  ResizeAttrs a;
  WISP_ASSIGN_OR_RETURN(std::string mode, node.attr_string("mode", "nearest"));
  if (mode == "nearest") a.mode = Mode::Nearest;
  else if (mode == "linear" || mode == "bilinear") a.mode = Mode::Linear;
  else if (mode == "cubic" && opset >= 11) a.mode = Mode::Cubic;
  else return invalid_model("unsupported mode '", mode, "'");
  if (opset < 11) {
    // Resize-10 and Upsample: asymmetric coordinates, ONNX Runtime's legacy nearest rule.
    a.coord = Coord::Asymmetric;
    a.nearest = Nearest::Simple;
    return a;
  }
  WISP_ASSIGN_OR_RETURN(std::string coord, node.attr_string("coordinate_transformation_mode", "half_pixel"));
  if (coord == "half_pixel") a.coord = Coord::HalfPixel;
  else if (coord == "half_pixel_symmetric") a.coord = Coord::HalfPixelSymmetric;
  else if (coord == "pytorch_half_pixel") a.coord = Coord::PytorchHalfPixel;
  else if (coord == "align_corners") a.coord = Coord::AlignCorners;
  else if (coord == "asymmetric") a.coord = Coord::Asymmetric;
  else if (coord == "tf_crop_and_resize") a.coord = Coord::TfCropAndResize;
  else return invalid_model("unsupported coordinate_transformation_mode '", coord, "'");
  WISP_ASSIGN_OR_RETURN(std::string nearest, node.attr_string("nearest_mode", "round_prefer_floor"));
  if (nearest == "round_prefer_floor") a.nearest = Nearest::RoundPreferFloor;
  else if (nearest == "round_prefer_ceil") a.nearest = Nearest::RoundPreferCeil;
  else if (nearest == "floor") a.nearest = Nearest::Floor;
  else if (nearest == "ceil") a.nearest = Nearest::Ceil;
  else return invalid_model("unsupported nearest_mode '", nearest, "'");
  WISP_ASSIGN_OR_RETURN(std::string policy, node.attr_string("keep_aspect_ratio_policy", "stretch"));
  if (policy == "stretch") a.policy = AspectPolicy::Stretch;
  else if (policy == "not_larger") a.policy = AspectPolicy::NotLarger;
  else if (policy == "not_smaller") a.policy = AspectPolicy::NotSmaller;
  else return invalid_model("unsupported keep_aspect_ratio_policy '", policy, "'");
  WISP_ASSIGN_OR_RETURN(float cubic_a, node.attr_float("cubic_coeff_a", -0.75f));
  WISP_ASSIGN_OR_RETURN(int64_t exclude, node.attr_int("exclude_outside", 0));
  WISP_ASSIGN_OR_RETURN(int64_t antialias, node.attr_int("antialias", 0));
  WISP_ASSIGN_OR_RETURN(float extrapolation, node.attr_float("extrapolation_value", 0.0f));
  WISP_ASSIGN_OR_RETURN(a.axes, node.attr_ints("axes"));
  a.cubic_a = cubic_a;
  a.exclude_outside = exclude != 0;
  a.antialias = antialias != 0;
  a.extrapolation = extrapolation;
  return a;
}

// Resizes x to `out_shape` with per-axis scales and rois (roi_start/end per axis, normalised).
Status resize_to_output(OpContext& ctx, const ResizeAttrs& a, const Tensor& x, const Shape& out_shape,
                        const std::vector<double>& scales, const std::vector<double>& roi_start,
                        const std::vector<double>& roi_end) {
  const size_t rank = out_shape.size();
  // Check the size before building per-axis tables that are as long as the output dims.
  WISP_RETURN_IF_ERROR(checked_numel(out_shape, ctx.limits().max_tensor_elements).status());
  std::vector<AxisTaps> taps(rank);
  for (size_t d = 0; d < rank; ++d) {
    WISP_CHECK_ARG(x.shape()[d] > 0 || out_shape[d] == 0, "cannot resize an empty axis ", d, " of ", x.describe());
    if (out_shape[d] == 0) continue;
    taps[d] = make_taps(a, x.shape()[d], out_shape[d], scales[d], roi_start[d], roi_end[d]);
  }
  WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), out_shape));
  if (out->numel() == 0) return Status::ok();

  if (a.mode == Mode::Nearest) {
    Tensor extrapolation;
    bool any_outside = false;
    for (const AxisTaps& t : taps) for (char c : t.outside) any_outside = any_outside || c;
    if (any_outside) {
      if (x.dtype() == DType::String) {
        extrapolation = Tensor::from_strings({}, {""});
      } else {
        WISP_ASSIGN_OR_RETURN(extrapolation, Tensor::empty(x.dtype(), {}));
        set_from_double(extrapolation, 0, a.extrapolation);
      }
    }
    const std::vector<int64_t> in_strides = x.strides();
    const int64_t row = out_shape[rank - 1];
    const int64_t rows = out->numel() / row;
    const AxisTaps& last = taps[rank - 1];
    ElementCopier copier(*out, x);
    const size_t elem = dtype_size(x.dtype());
    parallel_for(ctx.threads(), rows, std::max<int64_t>(1, 8192 / row), [&](int64_t b, int64_t e) {
      int64_t prev_src = -1;
      for (int64_t r = b; r < e; ++r) {
        int64_t rem = r, src = 0;
        bool outside = false;
        for (size_t d = rank - 1; d-- > 0;) {
          int64_t o = rem % out_shape[d];
          rem /= out_shape[d];
          outside = outside || taps[d].outside[size_t(o)];
          src += taps[d].index[size_t(o)] * in_strides[d];
        }
        if (!any_outside && src == prev_src) {
          // Upsampling repeats source rows: copy the row just written.
          copier.copy_within(r * row, (r - 1) * row, row);
          continue;
        }
        prev_src = any_outside ? -1 : src;
        if (!any_outside && elem != 0) {
          gather_indexed(static_cast<char*>(out->raw_data()) + r * row * int64_t(elem),
                         static_cast<const char*>(x.raw_data()) + src * int64_t(elem), last.index.data(), row, elem);
          continue;
        }
        for (int64_t o = 0; o < row; ++o) {
          if (outside || last.outside[size_t(o)]) fill_with(*out, r * row + o, 1, extrapolation);
          else copier.copy_one(r * row + o, src + last.index[size_t(o)]);
        }
      }
    });
    return Status::ok();
  }

  WISP_CHECK_ARG(x.dtype() != DType::String && x.dtype() != DType::Bool, "mode linear/cubic needs numeric data, got ",
                 x.describe());
  std::vector<float> buf(static_cast<size_t>(x.numel()));
  if (x.dtype() == DType::Float32) std::memcpy(buf.data(), x.raw_data(), x.nbytes());
  else for (int64_t i = 0; i < x.numel(); ++i) buf[size_t(i)] = float(x.get_as_double(i));
  // Shrinking axes first keeps the intermediate buffers small.
  std::vector<size_t> order;
  for (size_t d = 0; d < rank; ++d) if (!taps[d].identity) order.push_back(d);
  std::stable_sort(order.begin(), order.end(), [&](size_t p, size_t q) {
    return double(out_shape[p]) / double(x.shape()[p]) < double(out_shape[q]) / double(x.shape()[q]);
  });
  Shape shape = x.shape();
  for (size_t d : order) {
    buf = resize_axis(buf, shape, d, out_shape[d], taps[d], float(a.extrapolation), ctx.threads());
  }
  if (out->dtype() == DType::Float32) {
    std::memcpy(out->raw_data(), buf.data(), out->nbytes());
  } else {
    const bool integer = dtype_is_integer(out->dtype());
    for (int64_t i = 0; i < out->numel(); ++i) {
      double v = buf[size_t(i)];
      set_from_double(*out, i, integer ? std::nearbyint(v) : v);
    }
  }
  return Status::ok();
}

// Output shape and per-axis scales from either `scales` or `sizes` (given for `axes`).
Status plan_sizes(const ResizeAttrs& a, const Tensor& x, const std::vector<int64_t>& axes,
                  const std::vector<double>* scales_in, const std::vector<int64_t>* sizes_in,
                  const std::vector<double>& roi_start, const std::vector<double>& roi_end, int64_t max_elements,
                  Shape& out_shape, std::vector<double>& scales) {
  const size_t rank = size_t(x.rank());
  out_shape = x.shape();
  scales.assign(rank, 1.0);
  if (scales_in) {
    WISP_CHECK_ARG(scales_in->size() == axes.size(), "scales has ", scales_in->size(), " entries for ", axes.size(),
                   " axes of ", x.describe());
    for (size_t i = 0; i < axes.size(); ++i) {
      size_t d = size_t(axes[i]);
      double s = (*scales_in)[i];
      WISP_CHECK_ARG(s > 0 && std::isfinite(s), "scale ", s, " must be positive");
      double extent = double(x.shape()[d]) * s;
      if (a.coord == Coord::TfCropAndResize) extent *= roi_end[d] - roi_start[d];
      WISP_CHECK_ARG(extent >= 0 && extent <= double(max_elements), "scale ", s, " makes axis ", d, " too large");
      scales[d] = s;
      out_shape[d] = int64_t(std::floor(extent));
    }
    return Status::ok();
  }
  WISP_CHECK_ARG(sizes_in && sizes_in->size() == axes.size(), "Resize needs scales or sizes for ", axes.size(),
                 " axes");
  for (int64_t s : *sizes_in) WISP_CHECK_ARG(s >= 0 && s <= max_elements, "invalid target size ", s);
  if (a.policy == AspectPolicy::Stretch) {
    for (size_t i = 0; i < axes.size(); ++i) {
      size_t d = size_t(axes[i]);
      out_shape[d] = (*sizes_in)[i];
      scales[d] = x.shape()[d] ? double(out_shape[d]) / double(x.shape()[d]) : 1.0;
    }
    return Status::ok();
  }
  // keep_aspect_ratio_policy: one common scale for all listed axes.
  double common = a.policy == AspectPolicy::NotLarger ? INFINITY : 0.0;
  for (size_t i = 0; i < axes.size(); ++i) {
    double r = double((*sizes_in)[i]) / double(std::max<int64_t>(1, x.shape()[size_t(axes[i])]));
    common = a.policy == AspectPolicy::NotLarger ? std::min(common, r) : std::max(common, r);
  }
  for (int64_t ax : axes) {
    size_t d = size_t(ax);
    scales[d] = common;
    const double extent = std::floor(common * double(x.shape()[d]) + 0.5);
    // Checked before the cast: a double beyond int64's range would make it undefined.
    WISP_CHECK_ARG(extent >= 0 && extent <= double(max_elements), "sizes make axis ", d, " too large");
    out_shape[d] = int64_t(extent);
  }
  return Status::ok();
}

Result<std::vector<double>> read_doubles(const Tensor& t, const char* what) {
  WISP_CHECK_ARG(dtype_is_float(t.dtype()), what, " must be a float tensor, got ", t.describe());
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[size_t(i)] = t.get_as_double(i);
  return v;
}

class ResizeOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    opset_ = ctx.opset == 0 ? 1000 : ctx.opset;
    upsample_ = ctx.node.op_type == "Upsample";
    WISP_ASSIGN_OR_RETURN(attrs_, parse_attrs(ctx.node, upsample_ ? 10 : opset_));
    if (upsample_ && opset_ < 9) {
      WISP_ASSIGN_OR_RETURN(std::vector<float> s, ctx.node.attr_floats("scales"));
      scales_attr_.assign(s.begin(), s.end());
      WISP_CHECK_MODEL(!scales_attr_.empty(), "attribute 'scales' is required");
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    WISP_CHECK_ARG(rank >= 1, "cannot resize a scalar");
    std::vector<int64_t> axes = attrs_.axes;
    if (axes.empty()) for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
    WISP_ASSIGN_OR_RETURN(axes, normalize_axes(axes, rank));

    std::vector<double> scales_in;
    std::vector<int64_t> sizes_in;
    bool have_scales = false, have_sizes = false;
    std::vector<double> roi_start(size_t(rank), 0.0), roi_end(size_t(rank), 1.0);
    if (upsample_ || opset_ < 11) {
      if (!scales_attr_.empty()) {
        scales_in = scales_attr_;
      } else {
        WISP_CHECK_ARG(ctx.has_input(1), "missing scales input");
        WISP_ASSIGN_OR_RETURN(scales_in, read_doubles(ctx.input(1), "scales"));
      }
      have_scales = true;
    } else {
      if (ctx.has_input(1) && ctx.input(1).numel() > 0 && attrs_.coord == Coord::TfCropAndResize) {
        WISP_ASSIGN_OR_RETURN(std::vector<double> roi, read_doubles(ctx.input(1), "roi"));
        WISP_CHECK_ARG(roi.size() == 2 * axes.size(), "roi has ", roi.size(), " entries, expected ", 2 * axes.size());
        for (size_t i = 0; i < axes.size(); ++i) {
          roi_start[size_t(axes[i])] = roi[i];
          roi_end[size_t(axes[i])] = roi[i + axes.size()];
        }
      }
      if (ctx.has_input(2) && ctx.input(2).numel() > 0) {
        WISP_ASSIGN_OR_RETURN(scales_in, read_doubles(ctx.input(2), "scales"));
        have_scales = true;
      }
      if (ctx.has_input(3) && ctx.input(3).numel() > 0) {
        WISP_ASSIGN_OR_RETURN(sizes_in, read_int64s(ctx.input(3), "sizes"));
        have_sizes = true;
      }
      WISP_CHECK_ARG(have_scales != have_sizes, "exactly one of scales and sizes must be given");
    }
    Shape out_shape;
    std::vector<double> scales;
    WISP_RETURN_IF_ERROR(plan_sizes(attrs_, x, axes, have_scales ? &scales_in : nullptr,
                                    have_sizes ? &sizes_in : nullptr, roi_start, roi_end,
                                    ctx.limits().max_tensor_elements, out_shape, scales));
    return resize_to_output(ctx, attrs_, x, out_shape, scales, roi_start, roi_end);
  }

 private:
  int64_t opset_ = 0;
  bool upsample_ = false;
  ResizeAttrs attrs_;
  std::vector<double> scales_attr_;
};

}  // namespace

void register_resize_ops(OpRegistry& r) {
  r.add<ResizeOp>("Resize");
  r.add<ResizeOp>("Upsample");
}

}  // namespace wisp::shape_ops
