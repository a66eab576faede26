// Operators of the com.microsoft domain that exported transformer models use (as run by
// onnxruntime's contrib ops). One registration function per file.
#pragma once

#include "core/ops/op.h"

namespace wisp::contrib {

inline constexpr const char* kMicrosoftDomain = "com.microsoft";

void register_contrib_activation_ops(OpRegistry& registry);     // activations.cpp: Gelu, FastGelu, BiasGelu, QuickGelu
void register_contrib_normalization_ops(OpRegistry& registry);  // normalization.cpp: (Skip)(Simplified)LayerNormalization
void register_contrib_rotary_ops(OpRegistry& registry);         // rotary_embedding.cpp: RotaryEmbedding
void register_contrib_attention_ops(OpRegistry& registry);      // attention.cpp: MultiHeadAttention, GroupQueryAttention

}  // namespace wisp::contrib
