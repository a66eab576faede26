// The rewrite passes optimize_model() runs, one file each. Every pass works on the main graph
// (subgraph bodies are left as they are; values they capture are never rewritten away) and
// returns how many rewrites it made.
#pragma once

#include "core/graph/graph.h"

namespace wisp::opt {

// dead_node_elimination.cpp: nodes none of whose outputs is read (by a node, a subgraph or
// as a graph output). Wisp's operators have no side effects, so all such nodes can go.
int eliminate_dead_nodes(Graph& graph);

// conv_bn_folding.cpp: Conv (constant weights) -> BatchNormalization (inference mode,
// constant statistics) becomes one Conv with rescaled weights and shifted bias.
int fold_conv_batchnorm(Graph& graph);

// conv_scale_folding.cpp: Conv -> Mul / Div by a constant per output channel (or a single
// value) becomes a Conv with scaled weights and bias.
int fold_conv_scale(Graph& graph);

// transpose_folding.cpp: Transpose(perm [1, 0]) feeding Gemm becomes transA / transB; a
// MatMul of two 2-D operands with a transposed one becomes such a Gemm.
int fold_transposes(Graph& graph);

// gelu_fusion.cpp: x * 0.5 * (1 + Erf(x / sqrt(2))) (in its usual orderings) becomes
// com.microsoft.Gelu.
int fuse_gelu(Model& model);

// silu_fusion.cpp: x * Sigmoid(x) becomes com.microsoft.QuickGelu with alpha 1 (= SiLU).
int fuse_silu(Model& model);

// hardswish_fusion.cpp: x * Clip(x + 3, 0, 6) / 6 becomes HardSwish.
int fuse_hardswish(Model& model);

// layernorm_fusion.cpp: ReduceMean / Sub / Pow / ReduceMean / Add / Sqrt / Div / Mul / Add
// over the last axis becomes LayerNormalization.
int fuse_layernorm(Model& model);

// bias_fusion.cpp: Add of a constant bias after Conv (per channel), MatMul (1-D of N: the
// MatMul's Wisp-only third input) or Gemm without C (becomes C).
int fuse_bias(Graph& graph);

// residual_fusion.cpp: Conv -> Add of a computed tensor of the same shape (a skip connection)
// becomes the Conv's Wisp-only fourth input.
int fuse_residual(Graph& graph);

// activation_fusion.cpp: Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Gelu,
// FastGelu and SiLU after Conv / Gemm / MatMul become the wisp_activation attribute
// (core/ops/linalg/fused_activation.h).
int fuse_activations(Model& model);

// post_affine_fusion.cpp: Mul / Add / Sub / Div by a scalar constant after an op with a fused
// activation become that activation's post affine (attribute wisp_activation_post).
int fuse_post_affine(Graph& graph);

}  // namespace wisp::opt
