// Region-of-interest pooling: RoiAlign (bilinear samples averaged or maxed per bin) and
// MaxRoiPool (Fast R-CNN: max over integer-quantised bins).
#include <cmath>
#include <limits>

#include "core/ops/nn/float_io.h"
#include "core/ops/nn/nn_ops.h"

namespace wisp::nn {
namespace {

class RoiAlignOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    const Node& n = ctx.node;
    const int64_t opset = ctx.opset == 0 ? 22 : ctx.opset;
    // Opset 10 had no attribute and behaved like output_half_pixel.
    WISP_ASSIGN_OR_RETURN(std::string ctm,
                          n.attr_string("coordinate_transformation_mode", opset >= 16 ? "half_pixel" : "output_half_pixel"));
    WISP_CHECK_MODEL(ctm == "half_pixel" || ctm == "output_half_pixel", "unknown coordinate_transformation_mode '",
                     ctm, "'");
    half_pixel_ = ctm == "half_pixel";
    WISP_ASSIGN_OR_RETURN(std::string mode, n.attr_string("mode", "avg"));
    WISP_CHECK_MODEL(mode == "avg" || mode == "max", "mode must be 'avg' or 'max', got '", mode, "'");
    max_mode_ = mode == "max";
    WISP_ASSIGN_OR_RETURN(out_h_, n.attr_int("output_height", 1));
    WISP_ASSIGN_OR_RETURN(out_w_, n.attr_int("output_width", 1));
    WISP_ASSIGN_OR_RETURN(sampling_ratio_, n.attr_int("sampling_ratio", 0));
    WISP_ASSIGN_OR_RETURN(spatial_scale_, n.attr_float("spatial_scale", 1.0f));
    WISP_CHECK_MODEL(out_h_ >= 1 && out_w_ >= 1, "output_height/output_width must be >= 1");
    WISP_CHECK_MODEL(sampling_ratio_ >= 0, "sampling_ratio must be >= 0");
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(ctx.has_input(1) && ctx.has_input(2), "RoiAlign needs rois and batch_indices");
    const Tensor& rois = ctx.input(1);
    const Tensor& batch = ctx.input(2);
    WISP_CHECK_ARG(x.rank() == 4, "X must be 4-D (N, C, H, W), got ", x.describe());
    WISP_CHECK_ARG(rois.rank() == 2 && rois.dim(1) == 4, "rois must have shape [num_rois, 4], got ", rois.describe());
    WISP_CHECK_ARG(dtype_is_float(rois.dtype()), "rois must be a float tensor, got ", rois.describe());
    const int64_t num_rois = rois.dim(0);
    WISP_CHECK_ARG(batch.rank() == 1 && batch.dim(0) == num_rois && dtype_is_integer(batch.dtype()),
                   "batch_indices must be an integer tensor of shape [", num_rois, "], got ", batch.describe());
    const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    for (int64_t r = 0; r < num_rois; ++r) {
      int64_t b = batch.get_as_int64(r);
      WISP_CHECK_ARG(b >= 0 && b < N, "batch index ", b, " is out of range for a batch of ", N);
      // The adaptive sampling grid grows with the RoI: a hostile RoI of 1e30 pixels would be
      // an endless loop (and an undefined double-to-int cast). Bound the samples per RoI.
      const double w = (rois.get_as_double(r * 4 + 2) - rois.get_as_double(r * 4 + 0)) * spatial_scale_;
      const double h = (rois.get_as_double(r * 4 + 3) - rois.get_as_double(r * 4 + 1)) * spatial_scale_;
      WISP_CHECK_ARG(std::isfinite(w) && std::isfinite(h), "RoI ", r, " has non-finite coordinates");
      const double gh = sampling_ratio_ > 0 ? double(sampling_ratio_) : std::ceil(std::max(h, 1.0) / double(out_h_));
      const double gw = sampling_ratio_ > 0 ? double(sampling_ratio_) : std::ceil(std::max(w, 1.0) / double(out_w_));
      WISP_CHECK_ARG(gh * gw * double(out_h_) * double(out_w_) <= double(ctx.limits().max_tensor_elements),
                     "RoI ", r, " needs ", gh * gw * double(out_h_) * double(out_w_),
                     " samples, more than Limits::max_tensor_elements");
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), {num_rois, C, out_h_, out_w_}));
    return visit_float(x.dtype(), "X", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = decltype(IO::load(T{}));
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), num_rois * C, chunk_for(out_h_ * out_w_ * 16), [&](int64_t lo, int64_t hi) {
        for (int64_t rc = lo; rc < hi; ++rc) {
          const int64_t r = rc / C, c = rc % C;
          const T* plane = src + (batch.get_as_int64(r) * C + c) * H * W;
          T* y = dst + rc * out_h_ * out_w_;
          pool_roi<T, A>(plane, H, W, rois, r, y);
        }
      });
      return Status::ok();
    });
  }

 private:
  template <typename T, typename A>
  void pool_roi(const T* plane, int64_t H, int64_t W, const Tensor& rois, int64_t r, T* y) const {
    using IO = FloatIO<T>;
    const double offset = half_pixel_ ? 0.5 : 0.0;
    const double x1 = rois.get_as_double(r * 4 + 0) * spatial_scale_ - offset;
    const double y1 = rois.get_as_double(r * 4 + 1) * spatial_scale_ - offset;
    const double x2 = rois.get_as_double(r * 4 + 2) * spatial_scale_ - offset;
    const double y2 = rois.get_as_double(r * 4 + 3) * spatial_scale_ - offset;
    double roi_w = x2 - x1, roi_h = y2 - y1;
    if (!half_pixel_) {
      // Legacy behaviour: force malformed RoIs to be at least 1x1.
      roi_w = std::max(roi_w, 1.0);
      roi_h = std::max(roi_h, 1.0);
    }
    const double bin_h = roi_h / double(out_h_), bin_w = roi_w / double(out_w_);
    const int64_t grid_h = sampling_ratio_ > 0 ? sampling_ratio_ : int64_t(std::ceil(roi_h / double(out_h_)));
    const int64_t grid_w = sampling_ratio_ > 0 ? sampling_ratio_ : int64_t(std::ceil(roi_w / double(out_w_)));
    const double count = double(std::max<int64_t>(grid_h * grid_w, 1));
    auto at = [&](int64_t yy, int64_t xx) { return double(IO::load(plane[yy * W + xx])); };
    for (int64_t ph = 0; ph < out_h_; ++ph) {
      for (int64_t pw = 0; pw < out_w_; ++pw) {
        double acc = 0;
        bool any = false;
        for (int64_t iy = 0; iy < grid_h; ++iy) {
          double sy = y1 + double(ph) * bin_h + (double(iy) + 0.5) * bin_h / double(grid_h);
          for (int64_t ix = 0; ix < grid_w; ++ix) {
            double sx = x1 + double(pw) * bin_w + (double(ix) + 0.5) * bin_w / double(grid_w);
            // Samples more than one pixel outside the map contribute 0, and so does every
            // sample of an empty map (H or W of 0: there is no pixel to interpolate from).
            double v = 0;
            if (H > 0 && W > 0 && !(sy < -1.0 || sy > double(H) || sx < -1.0 || sx > double(W))) {
              double cy = std::max(sy, 0.0), cx = std::max(sx, 0.0);
              int64_t y0 = int64_t(cy), x0 = int64_t(cx), y1i, x1i;
              if (y0 >= H - 1) { y0 = y1i = H - 1; cy = double(y0); } else { y1i = y0 + 1; }
              if (x0 >= W - 1) { x0 = x1i = W - 1; cx = double(x0); } else { x1i = x0 + 1; }
              const double ly = cy - double(y0), lx = cx - double(x0), hy = 1 - ly, hx = 1 - lx;
              const double w1 = hy * hx, w2 = hy * lx, w3 = ly * hx, w4 = ly * lx;
              if (max_mode_) {
                // Max of the weighted corners, as in the reference implementation.
                v = std::max(std::max(w1 * at(y0, x0), w2 * at(y0, x1i)), std::max(w3 * at(y1i, x0), w4 * at(y1i, x1i)));
              } else {
                v = w1 * at(y0, x0) + w2 * at(y0, x1i) + w3 * at(y1i, x0) + w4 * at(y1i, x1i);
              }
            }
            if (max_mode_) {
              acc = any ? std::max(acc, v) : v;
              any = true;
            } else {
              acc += v;
            }
          }
        }
        y[ph * out_w_ + pw] = IO::store(A(max_mode_ ? acc : acc / count));
      }
    }
  }

  bool half_pixel_ = true;
  bool max_mode_ = false;
  int64_t out_h_ = 1, out_w_ = 1, sampling_ratio_ = 0;
  float spatial_scale_ = 1.0f;
};

class MaxRoiPoolOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> shape, ctx.node.attr_ints("pooled_shape"));
    WISP_CHECK_MODEL(shape.size() == 2 && shape[0] >= 1 && shape[1] >= 1,
                     "attribute 'pooled_shape' must be two positive ints");
    pooled_h_ = shape[0];
    pooled_w_ = shape[1];
    WISP_ASSIGN_OR_RETURN(spatial_scale_, ctx.node.attr_float("spatial_scale", 1.0f));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(ctx.has_input(1), "MaxRoiPool needs rois");
    const Tensor& rois = ctx.input(1);
    WISP_CHECK_ARG(x.rank() == 4, "X must be 4-D (N, C, H, W), got ", x.describe());
    WISP_CHECK_ARG(rois.rank() == 2 && rois.dim(1) == 5, "rois must have shape [num_rois, 5], got ", rois.describe());
    const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    const int64_t num_rois = rois.dim(0);
    for (int64_t r = 0; r < num_rois; ++r) {
      double b = rois.get_as_double(r * 5);
      WISP_CHECK_ARG(b >= 0 && b < double(N), "roi batch index ", b, " is out of range for a batch of ", N);
      for (int k = 1; k < 5; ++k) {
        // Rounded to int64 below: beyond its range the cast would be undefined.
        const double v = rois.get_as_double(r * 5 + k) * spatial_scale_;
        WISP_CHECK_ARG(std::isfinite(v) && std::fabs(v) < 4.0e18, "roi ", r, " coordinate ", v, " is out of range");
      }
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), {num_rois, C, pooled_h_, pooled_w_}));
    return visit_float(x.dtype(), "X", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = decltype(IO::load(T{}));
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      for (int64_t r = 0; r < num_rois; ++r) {
        const int64_t b = int64_t(rois.get_as_double(r * 5));
        const int64_t x1 = int64_t(std::round(rois.get_as_double(r * 5 + 1) * spatial_scale_));
        const int64_t y1 = int64_t(std::round(rois.get_as_double(r * 5 + 2) * spatial_scale_));
        const int64_t x2 = int64_t(std::round(rois.get_as_double(r * 5 + 3) * spatial_scale_));
        const int64_t y2 = int64_t(std::round(rois.get_as_double(r * 5 + 4) * spatial_scale_));
        const double bin_h = double(std::max<int64_t>(y2 - y1 + 1, 1)) / double(pooled_h_);
        const double bin_w = double(std::max<int64_t>(x2 - x1 + 1, 1)) / double(pooled_w_);
        for (int64_t c = 0; c < C; ++c) {
          const T* plane = src + (b * C + c) * H * W;
          T* y = dst + ((r * C + c) * pooled_h_) * pooled_w_;
          for (int64_t ph = 0; ph < pooled_h_; ++ph) {
            int64_t hs = std::clamp<int64_t>(int64_t(std::floor(double(ph) * bin_h)) + y1, 0, H);
            int64_t he = std::clamp<int64_t>(int64_t(std::ceil(double(ph + 1) * bin_h)) + y1, 0, H);
            for (int64_t pw = 0; pw < pooled_w_; ++pw) {
              int64_t ws = std::clamp<int64_t>(int64_t(std::floor(double(pw) * bin_w)) + x1, 0, W);
              int64_t we = std::clamp<int64_t>(int64_t(std::ceil(double(pw + 1) * bin_w)) + x1, 0, W);
              // An empty bin yields 0.
              A best = (he <= hs || we <= ws) ? A(0) : -std::numeric_limits<A>::infinity();
              for (int64_t h = hs; h < he; ++h) {
                for (int64_t w = ws; w < we; ++w) best = std::max(best, A(IO::load(plane[h * W + w])));
              }
              y[ph * pooled_w_ + pw] = IO::store(best);
            }
          }
        }
      }
      return Status::ok();
    });
  }

 private:
  int64_t pooled_h_ = 1, pooled_w_ = 1;
  float spatial_scale_ = 1.0f;
};

}  // namespace

void register_roi_kernels(OpRegistry& r) {
  r.add<RoiAlignOp>("RoiAlign");
  r.add<MaxRoiPoolOp>("MaxRoiPool");
}

}  // namespace wisp::nn
