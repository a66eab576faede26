#include "core/ops/linalg/fused_activation.h"

#include <algorithm>
#include <cmath>

#include "core/ops/elementwise/fast_math.h"

namespace wisp::linalg {

namespace {

struct NameKind {
  const char* name;
  FusedActivation::Kind kind;
  size_t params;
};

constexpr NameKind kNames[] = {
    {"Relu", FusedActivation::Kind::Relu, 0},        {"Clip", FusedActivation::Kind::Clip, 2},
    {"LeakyRelu", FusedActivation::Kind::LeakyRelu, 1}, {"Sigmoid", FusedActivation::Kind::Sigmoid, 0},
    {"SiLU", FusedActivation::Kind::SiLU, 0},        {"Gelu", FusedActivation::Kind::Gelu, 0},
    {"GeluTanh", FusedActivation::Kind::GeluTanh, 0}, {"HardSigmoid", FusedActivation::Kind::HardSigmoid, 2},
    {"HardSwish", FusedActivation::Kind::HardSwish, 0},
};

// min(max(x, lo), hi) without a branch (std::min / std::max compile to compares and jumps
// under -ftrapping-math: see fast_math.h), so the loops below vectorise.
inline float clamp_f32(float x, float lo, float hi) {
  const float v = elementwise::select_f32(x < lo, lo, x);
  return elementwise::select_f32(v > hi, hi, v);
}

// One row of `n` values; each case is a plain loop the compiler can vectorise.
void apply_activation(FusedActivation::Kind kind, float p0, float p1, float* x, int64_t n) {
  using elementwise::select_f32;
  using elementwise::sigmoid_f32;
  using elementwise::tanh_f32;
  using K = FusedActivation::Kind;
  switch (kind) {
    case K::None: return;
    case K::Relu:
      for (int64_t i = 0; i < n; ++i) x[i] = select_f32(x[i] > 0.0f, x[i], 0.0f);
      return;
    case K::Clip:
      for (int64_t i = 0; i < n; ++i) x[i] = clamp_f32(x[i], p0, p1);
      return;
    case K::LeakyRelu:
      for (int64_t i = 0; i < n; ++i) x[i] = select_f32(x[i] < 0.0f, p0 * x[i], x[i]);
      return;
    case K::Sigmoid:
      for (int64_t i = 0; i < n; ++i) x[i] = sigmoid_f32(x[i]);
      return;
    case K::SiLU:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] * sigmoid_f32(x[i]);
      return;
    case K::Gelu:
      for (int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * std::erfc(-x[i] * 0.70710678118654752f);
      return;
    case K::GeluTanh:
      // 0.5 (1 + tanh(u)) = sigmoid(2u): keeps precision where tanh(u) nears -1.
      for (int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        x[i] = v * sigmoid_f32(2.0f * 0.79788456080286535588f * (v + 0.044715f * v * v * v));
      }
      return;
    case K::HardSigmoid:
      for (int64_t i = 0; i < n; ++i) x[i] = clamp_f32(p0 * x[i] + p1, 0.0f, 1.0f);
      return;
    case K::HardSwish:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] * clamp_f32(x[i] * (1.0f / 6.0f) + 0.5f, 0.0f, 1.0f);
      return;
  }
}

void apply_row(const FusedActivation& act, float* x, int64_t n) {
  apply_activation(act.kind, act.p0, act.p1, x, n);
  if (act.has_post()) {
    const float s = act.post_scale, t = act.post_shift;
    for (int64_t i = 0; i < n; ++i) x[i] = x[i] * s + t;
  }
}

}  // namespace

bool is_fusable_activation_name(const std::string& name) {
  for (const NameKind& entry : kNames) {
    if (name == entry.name) return true;
  }
  return false;
}

Status FusedActivation::read(const Node& node) {
  kind = Kind::None;
  if (!node.has_attr(kActivationAttr)) return Status::ok();
  WISP_ASSIGN_OR_RETURN(std::string name, node.attr_string(kActivationAttr, ""));
  WISP_ASSIGN_OR_RETURN(std::vector<float> params, node.attr_floats(kActivationParamsAttr, {}));
  for (const NameKind& entry : kNames) {
    if (name != entry.name) continue;
    WISP_CHECK_MODEL(params.size() == entry.params, "attribute ", kActivationParamsAttr, " of ", name, " needs ",
                     entry.params, " values, got ", params.size());
    kind = entry.kind;
    p0 = params.size() > 0 ? params[0] : 0.0f;
    p1 = params.size() > 1 ? params[1] : 0.0f;
    if (kind == Kind::Clip) WISP_CHECK_MODEL(p0 <= p1, "fused Clip needs min <= max");
    WISP_ASSIGN_OR_RETURN(std::vector<float> post, node.attr_floats(kActivationPostAttr, {1.0f, 0.0f}));
    WISP_CHECK_MODEL(post.size() == 2, "attribute ", kActivationPostAttr, " needs 2 values, got ", post.size());
    post_scale = post[0];
    post_shift = post[1];
    return Status::ok();
  }
  return invalid_model("unknown fused activation '", name, "'");
}

void FusedActivation::set_epilogue(kernels::GemmEpilogue& ep) const {
  if (kind == Kind::Relu) {
    ep.clamp_min = 0.0f;
  } else if (kind == Kind::Clip) {
    ep.clamp_min = p0;
    ep.clamp_max = p1;
  }
  if (!needs_pass()) return;
  ep.tile = [](const void* self, float* c, int64_t rows, int64_t cols, int64_t ldc) {
    const auto& act = *static_cast<const FusedActivation*>(self);
    for (int64_t r = 0; r < rows; ++r) apply_row(act, c + r * ldc, cols);
  };
  ep.tile_context = this;
}

void FusedActivation::apply(float* data, int64_t rows, int64_t cols, int64_t ld, ThreadPool* threads) const {
  if (kind == Kind::None || rows <= 0 || cols <= 0) return;
  const FusedActivation& act = *this;
  if (rows == 1 || ld == cols) {
    // Contiguous: one flat range split over threads.
    parallel_for(threads, rows * cols, 4096,
                 [&](int64_t begin, int64_t end) { apply_row(act, data + begin, end - begin); });
    return;
  }
  parallel_for(threads, rows, std::max<int64_t>(1, 4096 / cols), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) apply_row(act, data + r * ld, cols);
  });
}

}  // namespace wisp::linalg
