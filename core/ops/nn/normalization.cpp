// Normalisation ops: BatchNormalization, InstanceNormalization, LayerNormalization,
// GroupNormalization, LpNormalization and MeanVarianceNormalization.
// Statistics are accumulated in double (two passes: mean, then the mean of squared
// deviations), which keeps float16 and long rows accurate; the elementwise apply runs in the
// element's arithmetic type.
#include <cmath>

#include "core/ops/nn/float_io.h"
#include "core/ops/nn/nn_ops.h"
#include "core/ops/reduce/reduce_layout.h"

namespace wisp::nn {
namespace {

// Mean and population variance of n values at x[0], x[stride], ...
template <typename T>
void mean_var(const T* x, int64_t n, double& mean, double& var) {
  using IO = FloatIO<T>;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += double(IO::load(x[i]));
  mean = n > 0 ? sum / double(n) : 0.0;
  double sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    double d = double(IO::load(x[i])) - mean;
    sq += d * d;
  }
  var = n > 0 ? sq / double(n) : 0.0;
}

// y[i] = x[i] * a + b over n contiguous values.
template <typename T>
void scale_shift(const T* x, T* y, int64_t n, double a, double b) {
  using IO = FloatIO<T>;
  using A = decltype(IO::load(T{}));
  const A fa = A(a), fb = A(b);
  for (int64_t i = 0; i < n; ++i) y[i] = IO::store(A(IO::load(x[i]) * fa + fb));
}

// Reads a per-channel parameter (any float dtype) checking it has `count` elements.
Result<std::vector<double>> read_param(const OpContext& ctx, size_t i, const char* name, int64_t count) {
  WISP_CHECK_ARG(ctx.has_input(i), "missing input '", name, "'");
  const Tensor& t = ctx.input(i);
  WISP_CHECK_ARG(dtype_is_float(t.dtype()), name, " must be a float tensor, got ", t.describe());
  WISP_CHECK_ARG(t.numel() == count, name, " must have ", count, " elements, got ", t.describe());
  std::vector<double> v(static_cast<size_t>(count));
  for (int64_t k = 0; k < count; ++k) v[size_t(k)] = t.get_as_double(k);
  return v;
}

// Values of `t` broadcast (numpy rules) to `target`, as doubles.
Result<std::vector<double>> broadcast_values(const Tensor& t, const Shape& target, const char* name) {
  WISP_CHECK_ARG(t.rank() <= int64_t(target.size()), name, " ", t.describe(), " cannot broadcast to ",
                 shape_to_string(target));
  const size_t lead = target.size() - size_t(t.rank());
  std::vector<int64_t> src_strides(target.size(), 0);
  std::vector<int64_t> ts = t.strides();
  for (size_t i = 0; i < size_t(t.rank()); ++i) {
    int64_t d = t.shape()[i];
    WISP_CHECK_ARG(d == target[lead + i] || d == 1, name, " ", t.describe(), " cannot broadcast to ",
                   shape_to_string(target));
    src_strides[lead + i] = d == 1 ? 0 : ts[i];
  }
  const int64_t n = numel(target);
  std::vector<double> out(static_cast<size_t>(n));
  std::vector<int64_t> idx(target.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (size_t i = 0; i < target.size(); ++i) off += idx[i] * src_strides[i];
    out[size_t(k)] = t.get_as_double(off);
    for (size_t i = target.size(); i-- > 0;) {
      if (++idx[i] < target[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// BatchNormalization. Inference: y = (x - mean) / sqrt(var + eps) * scale + B per channel.
// Training (opset >= 14, training_mode = 1): batch statistics are used and the running
// statistics are updated with `momentum`. Opset 7 `spatial = 0` normalises every (C, D...)
// position separately, i.e. treats C*D1*...*Dn as the channels.
class BatchNormOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    const int64_t opset = ctx.opset == 0 ? 15 : ctx.opset;
    WISP_ASSIGN_OR_RETURN(epsilon_, ctx.node.attr_float("epsilon", 1e-5f));
    WISP_ASSIGN_OR_RETURN(momentum_, ctx.node.attr_float("momentum", 0.9f));
    if (opset >= 14) {
      WISP_ASSIGN_OR_RETURN(int64_t t, ctx.node.attr_int("training_mode", 0));
      training_ = t != 0;
    }
    if (opset < 9) {
      WISP_ASSIGN_OR_RETURN(int64_t s, ctx.node.attr_int("spatial", 1));
      spatial_ = s != 0;
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 1, "input must have rank >= 1, got ", x.describe());
    const int64_t batch = x.dim(0);
    const int64_t channels = x.rank() == 1 ? 1 : (spatial_ ? x.dim(1) : product(x.shape(), 1, x.shape().size()));
    const int64_t size = x.rank() == 1 || !spatial_ ? 1 : product(x.shape(), 2, x.shape().size());
    WISP_ASSIGN_OR_RETURN(std::vector<double> scale, read_param(ctx, 1, "scale", channels));
    WISP_ASSIGN_OR_RETURN(std::vector<double> bias, read_param(ctx, 2, "B", channels));
    WISP_ASSIGN_OR_RETURN(std::vector<double> mean, read_param(ctx, 3, "mean", channels));
    WISP_ASSIGN_OR_RETURN(std::vector<double> var, read_param(ctx, 4, "var", channels));
    std::vector<double> run_mean = mean, run_var = var;
    if (training_) {
      // Batch statistics per channel over N and the spatial dims.
      for (int64_t c = 0; c < channels; ++c) {
        double sum = 0, sq = 0;
        for (int64_t n = 0; n < batch; ++n) {
          for (int64_t i = 0; i < size; ++i) sum += x.get_as_double((n * channels + c) * size + i);
        }
        const double count = double(batch * size);
        double m = count > 0 ? sum / count : 0.0;
        for (int64_t n = 0; n < batch; ++n) {
          for (int64_t i = 0; i < size; ++i) {
            double d = x.get_as_double((n * channels + c) * size + i) - m;
            sq += d * d;
          }
        }
        double v = count > 0 ? sq / count : 0.0;
        run_mean[size_t(c)] = mean[size_t(c)] * momentum_ + m * (1 - momentum_);
        run_var[size_t(c)] = var[size_t(c)] * momentum_ + v * (1 - momentum_);
        mean[size_t(c)] = m;
        var[size_t(c)] = v;
      }
    }
    // Fold into y = x * a + b per channel.
    std::vector<double> a(static_cast<size_t>(channels)), b(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
      a[size_t(c)] = scale[size_t(c)] / std::sqrt(var[size_t(c)] + double(epsilon_));
      b[size_t(c)] = bias[size_t(c)] - mean[size_t(c)] * a[size_t(c)];
    }
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    WISP_RETURN_IF_ERROR(visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), batch * channels, chunk_for(size), [&](int64_t lo, int64_t hi) {
        for (int64_t p = lo; p < hi; ++p) {
          const int64_t c = p % channels;
          scale_shift<T>(src + p * size, dst + p * size, size, a[size_t(c)], b[size_t(c)]);
        }
      });
      return Status::ok();
    }));
    // Optional statistics outputs, typed like the mean input.
    for (size_t o = 1; o <= 2; ++o) {
      if (!ctx.wants_output(o)) continue;
      const std::vector<double>& values = o == 1 ? run_mean : run_var;
      const Tensor& like = ctx.input(o == 1 ? 3 : 4);
      WISP_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(o, like.dtype(), like.shape()));
      WISP_RETURN_IF_ERROR(visit_float(like.dtype(), "mean", [&](auto tag) -> Status {
        using T = decltype(tag);
        for (int64_t c = 0; c < channels; ++c) t->data<T>()[c] = FloatIO<T>::store(decltype(FloatIO<T>::load(T{}))(values[size_t(c)]));
        return Status::ok();
      }));
    }
    // Opset < 14 training outputs 3, 4 (saved mean / inverse std) are not computed.
    for (size_t o = 3; o < ctx.num_outputs(); ++o) {
      WISP_CHECK_ARG(!ctx.wants_output(o), "BatchNormalization training outputs saved_mean/saved_var are not supported");
    }
    return Status::ok();
  }

 private:
  float epsilon_ = 1e-5f;
  float momentum_ = 0.9f;
  bool training_ = false;
  bool spatial_ = true;
};

// ---------------------------------------------------------------------------------------------
// InstanceNormalization: per (n, c) plane statistics, per-channel scale and bias.
class InstanceNormOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(epsilon_, ctx.node.attr_float("epsilon", 1e-5f));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 2, "input must have rank >= 2 (N, C, ...), got ", x.describe());
    const int64_t channels = x.dim(1);
    const int64_t planes = x.dim(0) * channels;
    const int64_t size = product(x.shape(), 2, x.shape().size());
    WISP_ASSIGN_OR_RETURN(std::vector<double> scale, read_param(ctx, 1, "scale", channels));
    WISP_ASSIGN_OR_RETURN(std::vector<double> bias, read_param(ctx, 2, "B", channels));
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    const double eps = epsilon_;
    return visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), planes, chunk_for(size * 3), [&](int64_t lo, int64_t hi) {
        for (int64_t p = lo; p < hi; ++p) {
          const int64_t c = p % channels;
          double mean, var;
          mean_var<T>(src + p * size, size, mean, var);
          double a = scale[size_t(c)] / std::sqrt(var + eps);
          scale_shift<T>(src + p * size, dst + p * size, size, a, bias[size_t(c)] - mean * a);
        }
      });
      return Status::ok();
    });
  }

 private:
  float epsilon_ = 1e-5f;
};

// ---------------------------------------------------------------------------------------------
// LayerNormalization (opset 17): statistics over dims [axis, rank); Scale and B broadcast to X.
// Optional outputs Mean and InvStdDev have X's leading dims and 1s after, typed by stash_type.
class LayerNormOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", -1));
    WISP_ASSIGN_OR_RETURN(epsilon_, ctx.node.attr_float("epsilon", 1e-5f));
    WISP_ASSIGN_OR_RETURN(int64_t stash, ctx.node.attr_int("stash_type", 1));
    WISP_CHECK_MODEL(dtype_is_known(int32_t(stash)) && dtype_is_float(DType(stash)),
                     "stash_type must be a float type, got ", stash);
    stash_ = DType(stash);
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 1, "input must have rank >= 1");
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, x.rank()));
    const int64_t rows = product(x.shape(), 0, size_t(axis));
    const int64_t cols = product(x.shape(), size_t(axis), x.shape().size());
    // Scale/B usually have exactly the normalised shape; anything else broadcasts to all of X.
    Shape block_shape(x.shape().begin() + axis, x.shape().end());
    auto params = [&](size_t i, const char* name, std::vector<double>& v, bool& per_row) -> Status {
      if (!ctx.has_input(i)) return Status::ok();
      const Tensor& t = ctx.input(i);
      WISP_CHECK_ARG(dtype_is_float(t.dtype()), name, " must be a float tensor, got ", t.describe());
      Result<std::vector<double>> block = broadcast_values(t, block_shape, name);
      if (block.is_ok()) {
        v = std::move(block).value();
        per_row = false;
        return Status::ok();
      }
      WISP_ASSIGN_OR_RETURN(v, broadcast_values(t, x.shape(), name));
      per_row = true;
      return Status::ok();
    };
    WISP_CHECK_ARG(ctx.has_input(1), "missing input 'Scale'");
    std::vector<double> scale, bias;
    bool scale_full = false, bias_full = false;
    WISP_RETURN_IF_ERROR(params(1, "Scale", scale, scale_full));
    WISP_RETURN_IF_ERROR(params(2, "B", bias, bias_full));

    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    Shape stat_shape = x.shape();
    for (size_t i = size_t(axis); i < stat_shape.size(); ++i) stat_shape[i] = 1;
    std::vector<double> means(static_cast<size_t>(rows)), inv_stds(static_cast<size_t>(rows));
    const double eps = epsilon_;
    WISP_RETURN_IF_ERROR(visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = decltype(IO::load(T{}));
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), rows, chunk_for(cols * 4), [&](int64_t lo, int64_t hi) {
        for (int64_t r = lo; r < hi; ++r) {
          const T* xr = src + r * cols;
          T* yr = dst + r * cols;
          double mean, var;
          mean_var<T>(xr, cols, mean, var);
          const double inv = 1.0 / std::sqrt(var + eps);
          means[size_t(r)] = mean;
          inv_stds[size_t(r)] = inv;
          const double* sc = scale.data() + (scale_full ? r * cols : 0);
          const double* bi = bias.empty() ? nullptr : bias.data() + (bias_full ? r * cols : 0);
          for (int64_t j = 0; j < cols; ++j) {
            A normalized = A((double(IO::load(xr[j])) - mean) * inv);
            A v = normalized * A(sc[j]) + (bi ? A(bi[j]) : A(0));
            yr[j] = IO::store(v);
          }
        }
      });
      return Status::ok();
    }));
    for (size_t o = 1; o <= 2; ++o) {
      if (!ctx.wants_output(o)) continue;
      const std::vector<double>& values = o == 1 ? means : inv_stds;
      WISP_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(o, stash_, stat_shape));
      WISP_RETURN_IF_ERROR(visit_float(stash_, "stash_type", [&](auto tag) -> Status {
        using T = decltype(tag);
        using IO = FloatIO<T>;
        for (int64_t r = 0; r < rows; ++r) t->data<T>()[r] = IO::store(decltype(IO::load(T{}))(values[size_t(r)]));
        return Status::ok();
      }));
    }
    return Status::ok();
  }

 private:
  int64_t axis_ = -1;
  float epsilon_ = 1e-5f;
  DType stash_ = DType::Float32;
};

// ---------------------------------------------------------------------------------------------
// GroupNormalization: statistics per (n, group of C/G channels). Scale/bias are per group in
// opset 18 and per channel from opset 21; the element count tells which.
class GroupNormOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(epsilon_, ctx.node.attr_float("epsilon", 1e-5f));
    WISP_ASSIGN_OR_RETURN(groups_, ctx.node.attr_int("num_groups", 0));
    WISP_CHECK_MODEL(groups_ > 0, "attribute 'num_groups' must be positive");
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 2, "input must have rank >= 2 (N, C, ...), got ", x.describe());
    const int64_t channels = x.dim(1);
    WISP_CHECK_ARG(channels % groups_ == 0, "num_groups ", groups_, " does not divide the ", channels, " channels");
    const int64_t per_group = channels / groups_;
    const int64_t size = product(x.shape(), 2, x.shape().size());
    WISP_CHECK_ARG(ctx.has_input(1) && ctx.has_input(2), "GroupNormalization needs scale and bias");
    const int64_t count = ctx.input(1).numel();
    WISP_CHECK_ARG(count == channels || count == groups_, "scale must have C (", channels, ") or num_groups (",
                   groups_, ") elements, got ", ctx.input(1).describe());
    WISP_ASSIGN_OR_RETURN(std::vector<double> scale, read_param(ctx, 1, "scale", count));
    WISP_ASSIGN_OR_RETURN(std::vector<double> bias, read_param(ctx, 2, "bias", count));
    const bool per_channel = count == channels;
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    const double eps = epsilon_;
    const int64_t blocks = x.dim(0) * groups_;
    const int64_t group_size = per_group * size;
    return visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), blocks, chunk_for(group_size * 3), [&](int64_t lo, int64_t hi) {
        for (int64_t bk = lo; bk < hi; ++bk) {
          const int64_t g = bk % groups_;
          double mean, var;
          mean_var<T>(src + bk * group_size, group_size, mean, var);
          const double inv = 1.0 / std::sqrt(var + eps);
          for (int64_t c = 0; c < per_group; ++c) {
            const size_t pi = size_t(per_channel ? g * per_group + c : g);
            const double a = scale[pi] * inv;
            const int64_t off = bk * group_size + c * size;
            scale_shift<T>(src + off, dst + off, size, a, bias[pi] - mean * a);
          }
        }
      });
      return Status::ok();
    });
  }

 private:
  float epsilon_ = 1e-5f;
  int64_t groups_ = 0;
};

// ---------------------------------------------------------------------------------------------
// LpNormalization: x / ||x||_p along one axis (p = 1 or 2); a zero norm gives zeros.
class LpNormOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", -1));
    WISP_ASSIGN_OR_RETURN(p_, ctx.node.attr_int("p", 2));
    WISP_CHECK_MODEL(p_ == 1 || p_ == 2, "p must be 1 or 2, got ", p_);
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() >= 1, "input must have rank >= 1");
    WISP_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, x.rank()));
    const int64_t outer = product(x.shape(), 0, size_t(axis));
    const int64_t n = x.dim(axis);
    const int64_t inner = product(x.shape(), size_t(axis) + 1, x.shape().size());
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    const int64_t p = p_;
    return visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = decltype(IO::load(T{}));
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), outer * inner, chunk_for(n * 2), [&](int64_t lo, int64_t hi) {
        for (int64_t row = lo; row < hi; ++row) {
          const int64_t base = (row / inner) * n * inner + row % inner;
          double norm = 0;
          for (int64_t k = 0; k < n; ++k) {
            double v = double(IO::load(src[base + k * inner]));
            norm += p == 1 ? std::abs(v) : v * v;
          }
          if (p == 2) norm = std::sqrt(norm);
          const double inv = norm == 0 ? 0.0 : 1.0 / norm;
          for (int64_t k = 0; k < n; ++k) {
            dst[base + k * inner] = IO::store(A(double(IO::load(src[base + k * inner])) * inv));
          }
        }
      });
      return Status::ok();
    });
  }

 private:
  int64_t axis_ = -1;
  int64_t p_ = 2;
};

// ---------------------------------------------------------------------------------------------
// MeanVarianceNormalization: (x - mean) / (sqrt(var) + 1e-9) with statistics over `axes`
// (default N, H, W). The epsilon is the one of the ONNX function body.
class MvnOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axes_, ctx.node.attr_ints("axes", {0, 2, 3}));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WISP_ASSIGN_OR_RETURN(std::vector<bool> mask, reduce::reduced_mask(x.rank(), axes_, false));
    reduce::ReduceLayout L = reduce::make_reduce_layout(x.shape(), mask, true);
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    if (x.numel() == 0) return Status::ok();
    const int64_t outputs = numel(L.out_shape);
    const int64_t count = L.reduce_count;
    return visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = decltype(IO::load(T{}));
      const T* src = x.data<T>();
      T* dst = out->data<T>();
      // Calls fn(offset) for every input element that folds into output `o`.
      auto for_each = [&](int64_t o, auto&& fn) {
        const int64_t ko = L.inner_reduced ? o : o / L.inner;
        const int64_t j0 = L.inner_reduced ? 0 : o % L.inner;
        const int64_t j1 = L.inner_reduced ? L.inner : j0 + 1;
        for (int64_t r : L.red_offsets) {
          for (int64_t j = j0; j < j1; ++j) fn(L.kept_offsets[size_t(ko)] + r + j);
        }
      };
      parallel_for(ctx.threads(), outputs, chunk_for(count * 3), [&](int64_t lo, int64_t hi) {
        for (int64_t o = lo; o < hi; ++o) {
          double sum = 0, sq = 0;
          for_each(o, [&](int64_t off) { sum += double(IO::load(src[off])); });
          const double mean = sum / double(count);
          for_each(o, [&](int64_t off) {
            double d = double(IO::load(src[off])) - mean;
            sq += d * d;
          });
          const double inv = 1.0 / (std::sqrt(sq / double(count)) + 1e-9);
          for_each(o, [&](int64_t off) { dst[off] = IO::store(A((double(IO::load(src[off])) - mean) * inv)); });
        }
      });
      return Status::ok();
    });
  }

 private:
  std::vector<int64_t> axes_;
};

}  // namespace

void register_lrn_kernels(OpRegistry& r);

void register_normalization_kernels(OpRegistry& r) {
  r.add<BatchNormOp>("BatchNormalization");
  r.add<InstanceNormOp>("InstanceNormalization");
  r.add<LayerNormOp>("LayerNormalization");
  r.add<GroupNormOp>("GroupNormalization");
  r.add<LpNormOp>("LpNormalization");
  r.add<MvnOp>("MeanVarianceNormalization");
  register_lrn_kernels(r);
}

}  // namespace wisp::nn
