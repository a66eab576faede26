// Activations fused into Conv, Gemm and MatMul by the graph optimizer (core/optimizer/).
//
// Representation: the fused node keeps its op type and domain (Conv / Gemm / MatMul in the
// default domain) and gains two Wisp-internal attributes:
//   wisp_activation         string: Relu, Clip, LeakyRelu, Sigmoid, SiLU, Gelu, GeluTanh,
//                           HardSigmoid or HardSwish
//   wisp_activation_params  floats: Clip {min, max}, LeakyRelu {alpha}, HardSigmoid
//                           {alpha, beta}; absent for the others
//   wisp_activation_post    floats {scale, shift}, optional: y = act(x) * scale + shift (the
//                           scalar affine Paddle exports put after activations)
// The attributes are ordinary node attributes, so the .wisp format stores them as it stores
// any other. Relu and Clip become the GEMM epilogue's clamp; the others are applied by the
// GEMM epilogue's tile function to each block of output right after it was written (while
// it is still in L1), and by kernels without a GEMM (depthwise Conv) in a pass of their own.
#pragma once

#include <limits>
#include <string>

#include "core/kernels/gemm.h"
#include "core/ops/op.h"

namespace wisp::linalg {

inline constexpr const char* kActivationAttr = "wisp_activation";
inline constexpr const char* kActivationParamsAttr = "wisp_activation_params";
inline constexpr const char* kActivationPostAttr = "wisp_activation_post";

struct FusedActivation {
  enum class Kind { None, Relu, Clip, LeakyRelu, Sigmoid, SiLU, Gelu, GeluTanh, HardSigmoid, HardSwish };
  Kind kind = Kind::None;
  float p0 = 0, p1 = 0;  // Clip min/max, LeakyRelu alpha, HardSigmoid alpha/beta
  float post_scale = 1, post_shift = 0;

  // Reads the node's wisp_activation attributes (None when absent); fails on unknown names or
  // a wrong parameter count.
  Status read(const Node& node);
  bool active() const { return kind != Kind::None; }
  // True when the activation is a clamp that the GEMM epilogue applies by itself.
  bool is_clamp() const { return kind == Kind::Relu || kind == Kind::Clip; }
  bool has_post() const { return post_scale != 1.0f || post_shift != 0.0f; }
  // True when a plain clamp does not do it: apply() must run on the output (or the GEMM
  // epilogue's tile function, which set_epilogue() sets).
  bool needs_pass() const { return active() && (!is_clamp() || has_post()); }
  // Makes the GEMM epilogue apply the activation: its clamp for Relu / Clip, and for the
  // others its tile function, run on each block of C as the GEMM finishes it. `ep` then
  // refers to this object, which must outlive the GEMM call.
  void set_epilogue(kernels::GemmEpilogue& ep) const;
  // Applies the activation (and the post affine) in place to `rows` rows of `cols` values
  // (row stride `ld`); clamps are applied too (again, harmlessly, after an epilogue clamp), so
  // this is also the path for kernels without an epilogue.
  void apply(float* data, int64_t rows, int64_t cols, int64_t ld, ThreadPool* threads) const;
};

// The activation names the optimizer may write, for its own checks.
bool is_fusable_activation_name(const std::string& name);

}  // namespace wisp::linalg
