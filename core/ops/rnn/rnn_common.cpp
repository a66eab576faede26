#include "core/ops/rnn/rnn_common.h"

#include <cctype>
#include <cmath>
#include <cstring>

#include "core/kernels/gemm.h"
#include "core/ops/elementwise/fast_math.h"

namespace wisp::rnn {

float Activation::operator()(float x) const {
  switch (kind) {
    case Kind::Relu: return x > 0 ? x : 0;
    case Kind::Tanh: return std::tanh(x);
    case Kind::Sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case Kind::Affine: return alpha * x + beta;
    case Kind::LeakyRelu: return x >= 0 ? x : alpha * x;
    case Kind::ThresholdedRelu: return x >= alpha ? x : 0;
    case Kind::ScaledTanh: return alpha * std::tanh(beta * x);
    case Kind::HardSigmoid: {
      float v = alpha * x + beta;
      return v < 0 ? 0 : (v > 1 ? 1 : v);
    }
    case Kind::Elu: return x >= 0 ? x : alpha * (std::exp(x) - 1);
    case Kind::Softsign: return x / (1 + std::fabs(x));
    case Kind::Softplus: return std::log1p(std::exp(x));
  }
  return x;
}

void Activation::apply(float* x, int64_t n, float clip) const {
  if (clip > 0) {
    for (int64_t i = 0; i < n; ++i) x[i] = clip_value(x[i], clip);
  }
  switch (kind) {
    case Kind::Sigmoid:
      for (int64_t i = 0; i < n; ++i) x[i] = elementwise::sigmoid_f32(x[i]);
      return;
    case Kind::Tanh:
      for (int64_t i = 0; i < n; ++i) x[i] = elementwise::tanh_f32(x[i]);
      return;
    default:
      for (int64_t i = 0; i < n; ++i) x[i] = (*this)(x[i]);
  }
}

namespace {

struct ActivationSpec {
  const char* name;
  Activation::Kind kind;
  int uses;  // 0: none, 1: alpha, 2: alpha and beta
  float alpha, beta;  // defaults, as for the standalone ONNX operators
};

constexpr ActivationSpec kActivations[] = {
    {"relu", Activation::Kind::Relu, 0, 0, 0},
    {"tanh", Activation::Kind::Tanh, 0, 0, 0},
    {"sigmoid", Activation::Kind::Sigmoid, 0, 0, 0},
    {"affine", Activation::Kind::Affine, 2, 1.0f, 0.0f},
    {"leakyrelu", Activation::Kind::LeakyRelu, 1, 0.01f, 0},
    {"thresholdedrelu", Activation::Kind::ThresholdedRelu, 1, 1.0f, 0},
    {"scaledtanh", Activation::Kind::ScaledTanh, 2, 1.0f, 1.0f},
    {"hardsigmoid", Activation::Kind::HardSigmoid, 2, 0.2f, 0.5f},
    {"elu", Activation::Kind::Elu, 1, 1.0f, 0},
    {"softsign", Activation::Kind::Softsign, 0, 0, 0},
    {"softplus", Activation::Kind::Softplus, 0, 0, 0},
};

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Converts any float tensor to a float vector.
Result<std::vector<float>> to_floats(const Tensor& t, const char* what) {
  std::vector<float> out(size_t(t.numel()));
  switch (t.dtype()) {
    case DType::Float32:
      if (t.numel()) std::memcpy(out.data(), t.raw_data(), t.nbytes());
      break;
    case DType::Float64:
      for (int64_t i = 0; i < t.numel(); ++i) out[size_t(i)] = float(t.data<double>()[i]);
      break;
    case DType::Float16:
      for (int64_t i = 0; i < t.numel(); ++i) out[size_t(i)] = half_to_float(t.data<uint16_t>()[i]);
      break;
    case DType::BFloat16:
      for (int64_t i = 0; i < t.numel(); ++i) out[size_t(i)] = bfloat16_to_float(t.data<uint16_t>()[i]);
      break;
    default:
      return invalid_argument(what, " must be a float tensor, got ", t.describe());
  }
  return out;
}

Status store_floats(const std::vector<float>& values, Tensor& out) {
  switch (out.dtype()) {
    case DType::Float32:
      if (!values.empty()) std::memcpy(out.raw_data(), values.data(), values.size() * sizeof(float));
      return Status::ok();
    case DType::Float64:
      for (size_t i = 0; i < values.size(); ++i) out.data<double>()[i] = values[i];
      return Status::ok();
    case DType::Float16:
      for (size_t i = 0; i < values.size(); ++i) out.data<uint16_t>()[i] = float_to_half(values[i]);
      return Status::ok();
    case DType::BFloat16:
      for (size_t i = 0; i < values.size(); ++i) out.data<uint16_t>()[i] = float_to_bfloat16(values[i]);
      return Status::ok();
    default:
      return make_error(ErrorCode::Internal, "unexpected recurrent output dtype ", dtype_name(out.dtype()));
  }
}

// [a, b, c] -> [b, a, c]: converts between layout 1 and layout 0 for X and the states.
std::vector<float> swap_leading(const std::vector<float>& in, int64_t a, int64_t b, int64_t c) {
  std::vector<float> out(in.size());
  for (int64_t i = 0; i < a; ++i) {
    for (int64_t j = 0; j < b; ++j) {
      std::memcpy(&out[size_t((j * a + i) * c)], &in[size_t((i * b + j) * c)], size_t(c) * sizeof(float));
    }
  }
  return out;
}

// Reads an optional per-direction state input (initial_h / initial_c) in layout 0.
Status load_state(const OpContext& ctx, size_t index, const RnnAttrs& attrs, const RnnProblem& p,
                  std::vector<float>& out, const char* what) {
  out.assign(size_t(p.dirs * p.batch * p.hidden), 0.0f);
  if (!ctx.has_input(index)) return Status::ok();
  const Tensor& t = ctx.input(index);
  Shape expected = attrs.layout ? Shape{p.batch, p.dirs, p.hidden} : Shape{p.dirs, p.batch, p.hidden};
  WISP_CHECK_ARG(t.shape() == expected, what, " must have shape ", shape_to_string(expected), ", got ", t.describe());
  WISP_ASSIGN_OR_RETURN(out, to_floats(t, what));
  if (attrs.layout) out = swap_leading(out, p.batch, p.dirs, p.hidden);
  return Status::ok();
}

}  // namespace

Result<FloatData> FloatData::of(const Tensor& t, const char* what) {
  if (t.dtype() == DType::Float32) {
    FloatData view;
    view.data_ = t.numel() ? t.data<float>() : nullptr;
    return view;
  }
  WISP_ASSIGN_OR_RETURN(std::vector<float> values, to_floats(t, what));
  return from(std::move(values));
}

FloatData FloatData::from(std::vector<float> values) {
  FloatData owned;
  owned.owned_ = std::move(values);
  owned.data_ = owned.owned_.data();
  return owned;
}

Result<RnnAttrs> parse_attrs(const Node& node, const std::vector<std::string>& defaults) {
  RnnAttrs attrs;
  WISP_ASSIGN_OR_RETURN(attrs.hidden_size, node.attr_int("hidden_size", 0));
  WISP_CHECK_MODEL(attrs.hidden_size >= 0, "hidden_size must not be negative");
  WISP_ASSIGN_OR_RETURN(std::string direction, node.attr_string("direction", "forward"));
  if (direction == "bidirectional") {
    attrs.num_directions = 2;
  } else if (direction == "reverse") {
    attrs.reverse_only = true;
  } else {
    WISP_CHECK_MODEL(direction == "forward", "unknown direction '", direction, "'");
  }
  WISP_ASSIGN_OR_RETURN(attrs.clip, node.attr_float("clip", 0.0f));
  WISP_CHECK_MODEL(attrs.clip >= 0, "clip must not be negative");
  WISP_ASSIGN_OR_RETURN(attrs.layout, node.attr_int("layout", 0));
  WISP_CHECK_MODEL(attrs.layout == 0 || attrs.layout == 1, "layout must be 0 or 1");

  WISP_ASSIGN_OR_RETURN(std::vector<std::string> names, node.attr_strings("activations", {}));
  const size_t per_dir = defaults.size();
  if (names.empty()) {
    for (int64_t d = 0; d < attrs.num_directions; ++d) names.insert(names.end(), defaults.begin(), defaults.end());
  } else if (names.size() == per_dir && attrs.num_directions == 2) {
    names.insert(names.end(), names.begin(), names.end());  // one list for both directions
  }
  WISP_CHECK_MODEL(names.size() == per_dir * size_t(attrs.num_directions), "expected ",
                   per_dir * size_t(attrs.num_directions), " activations, got ", names.size());
  WISP_ASSIGN_OR_RETURN(std::vector<float> alphas, node.attr_floats("activation_alpha", {}));
  WISP_ASSIGN_OR_RETURN(std::vector<float> betas, node.attr_floats("activation_beta", {}));
  size_t next_alpha = 0, next_beta = 0;
  for (const std::string& name : names) {
    const ActivationSpec* spec = nullptr;
    for (const ActivationSpec& s : kActivations) {
      if (lower(name) == s.name) spec = &s;
    }
    if (!spec) return unsupported("activation '", name, "' is not supported");
    Activation a;
    a.kind = spec->kind;
    a.alpha = spec->alpha;
    a.beta = spec->beta;
    // alpha/beta lists are consumed in order by the functions that take them.
    if (spec->uses >= 1 && next_alpha < alphas.size()) a.alpha = alphas[next_alpha++];
    if (spec->uses >= 2 && next_beta < betas.size()) a.beta = betas[next_beta++];
    attrs.activations.push_back(a);
  }
  return attrs;
}

Result<RnnProblem> load_problem(const OpContext& ctx, const RnnAttrs& attrs, int64_t gates, bool lstm) {
  for (size_t i = 0; i < 3; ++i) WISP_CHECK_ARG(ctx.has_input(i), "input ", i, " (X, W, R) is required");
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor& r = ctx.input(2);
  WISP_CHECK_ARG(x.rank() == 3, "X must be rank 3, got ", x.describe());
  WISP_CHECK_ARG(w.rank() == 3 && r.rank() == 3, "W and R must be rank 3, got ", w.describe(), " and ",
                 r.describe());
  WISP_CHECK_ARG(w.dtype() == x.dtype() && r.dtype() == x.dtype(), "X, W and R must share a dtype");
  RnnProblem p;
  p.dtype = x.dtype();
  p.dirs = attrs.num_directions;
  p.seq = attrs.layout ? x.dim(1) : x.dim(0);
  p.batch = attrs.layout ? x.dim(0) : x.dim(1);
  p.input = x.dim(2);
  p.hidden = attrs.hidden_size ? attrs.hidden_size : r.dim(2);
  const int64_t gh = gates * p.hidden;
  WISP_CHECK_ARG(w.shape() == Shape({p.dirs, gh, p.input}), "W must have shape ",
                 shape_to_string({p.dirs, gh, p.input}), ", got ", w.describe());
  WISP_CHECK_ARG(r.shape() == Shape({p.dirs, gh, p.hidden}), "R must have shape ",
                 shape_to_string({p.dirs, gh, p.hidden}), ", got ", r.describe());
  // Y is the largest buffer; check it before anything is allocated (overflow-safe).
  WISP_RETURN_IF_ERROR(checked_numel({p.seq, p.batch, p.dirs, p.hidden}, ctx.limits().max_tensor_elements).status());

  p.threads = ctx.threads();
  if (attrs.layout) {
    WISP_ASSIGN_OR_RETURN(std::vector<float> xs, to_floats(x, "X"));
    p.x = FloatData::from(swap_leading(xs, p.batch, p.seq, p.input));
  } else {
    WISP_ASSIGN_OR_RETURN(p.x, FloatData::of(x, "X"));
  }
  WISP_ASSIGN_OR_RETURN(p.w, FloatData::of(w, "W"));
  WISP_ASSIGN_OR_RETURN(p.r, FloatData::of(r, "R"));

  if (ctx.has_input(3)) {
    const Tensor& b = ctx.input(3);
    WISP_CHECK_ARG(b.shape() == Shape({p.dirs, 2 * gh}), "B must have shape ", shape_to_string({p.dirs, 2 * gh}),
                   ", got ", b.describe());
    WISP_ASSIGN_OR_RETURN(p.b, FloatData::of(b, "B"));
  } else {
    p.b = FloatData::from(std::vector<float>(size_t(p.dirs * 2 * gh), 0.0f));
  }

  p.lens.assign(size_t(p.batch), p.seq);
  if (ctx.has_input(4)) {
    const Tensor& lens = ctx.input(4);
    WISP_CHECK_ARG(lens.shape() == Shape({p.batch}), "sequence_lens must have shape [", p.batch, "], got ",
                   lens.describe());
    WISP_ASSIGN_OR_RETURN(p.lens, lens.to_int64_vector());
    for (int64_t len : p.lens) {
      WISP_CHECK_ARG(len >= 0 && len <= p.seq, "sequence length ", len, " is outside [0, ", p.seq, "]");
    }
  }

  WISP_RETURN_IF_ERROR(load_state(ctx, 5, attrs, p, p.h0, "initial_h"));
  if (lstm) {
    WISP_RETURN_IF_ERROR(load_state(ctx, 6, attrs, p, p.c0, "initial_c"));
    if (ctx.has_input(7)) {
      const Tensor& peep = ctx.input(7);
      WISP_CHECK_ARG(peep.shape() == Shape({p.dirs, 3 * p.hidden}), "P must have shape ",
                     shape_to_string({p.dirs, 3 * p.hidden}), ", got ", peep.describe());
      WISP_ASSIGN_OR_RETURN(p.p, FloatData::of(peep, "P"));
    } else {
      p.p = FloatData::from(std::vector<float>(size_t(p.dirs * 3 * p.hidden), 0.0f));
    }
  }
  return p;
}

void matvec_add(const float* m, const float* v, int64_t rows, int64_t cols, float* out) {
  if (rows <= 0) return;
  // out (1 x rows) += v (1 x cols) * m^T: the GEMV path of the GEMM kernels (SIMD dot
  // products), single-threaded: one time step is far too small to split.
  kernels::GemmEpilogue ep;
  ep.beta = 1.0f;
  kernels::gemm(1, rows, cols, kernels::MatrixView{v, cols, false}, kernels::MatrixView{m, cols, true}, out, rows, ep,
                nullptr);
}

std::vector<float> project_inputs(const RnnProblem& p, int64_t d, int64_t gates, bool add_recurrent_bias) {
  const int64_t gh = gates * p.hidden, rows = p.seq * p.batch;
  const float* w = p.w.data() + d * gh * p.input;
  const float* wb = p.b.data() + d * 2 * gh;
  const float* rb = wb + gh;
  std::vector<float> bias(wb, wb + gh);
  if (add_recurrent_bias) {
    for (int64_t g = 0; g < gh; ++g) bias[size_t(g)] += rb[g];
  }
  std::vector<float> out(size_t(rows * gh));
  if (rows == 0) return out;
  // [seq*batch, input] x W_d^T [input, gh] + bias, every time step at once.
  kernels::GemmEpilogue ep;
  ep.col_bias = bias.data();
  kernels::gemm(rows, gh, p.input, kernels::MatrixView{p.x.data(), p.input, false},
                kernels::MatrixView{w, p.input, true}, out.data(), gh, ep, p.threads);
  return out;
}

Status write_sequence_output(OpContext& ctx, size_t index, const RnnProblem& p, const RnnAttrs& attrs,
                             const std::vector<float>& y) {
  if (!ctx.wants_output(index)) return Status::ok();
  Shape shape = attrs.layout ? Shape{p.batch, p.seq, p.dirs, p.hidden} : Shape{p.seq, p.dirs, p.batch, p.hidden};
  WISP_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(index, p.dtype, shape));
  if (!attrs.layout) return store_floats(y, *out);
  // [seq, dirs, batch, hidden] -> [batch, seq, dirs, hidden]
  std::vector<float> t(y.size());
  for (int64_t s = 0; s < p.seq; ++s) {
    for (int64_t d = 0; d < p.dirs; ++d) {
      for (int64_t b = 0; b < p.batch; ++b) {
        std::memcpy(&t[size_t(((b * p.seq + s) * p.dirs + d) * p.hidden)],
                    &y[size_t(((s * p.dirs + d) * p.batch + b) * p.hidden)], size_t(p.hidden) * sizeof(float));
      }
    }
  }
  return store_floats(t, *out);
}

Status write_state_output(OpContext& ctx, size_t index, const RnnProblem& p, const RnnAttrs& attrs,
                          const std::vector<float>& state) {
  if (!ctx.wants_output(index)) return Status::ok();
  Shape shape = attrs.layout ? Shape{p.batch, p.dirs, p.hidden} : Shape{p.dirs, p.batch, p.hidden};
  WISP_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(index, p.dtype, shape));
  return store_floats(attrs.layout ? swap_leading(state, p.dirs, p.batch, p.hidden) : state, *out);
}

}  // namespace wisp::rnn
