// com.microsoft MultiHeadAttention and GroupQueryAttention, with the semantics of onnxruntime's
// CPU contrib kernels. Both stage Q/K/V as float (B, N, S, H) blocks, concatenate the KV cache,
// and run attention::attend() once per (batch, head) in parallel.
//
// MultiHeadAttention: scores = scale * Q K^T + attention_bias + mask, where the mask adds
// mask_filter_value at padded keys (key_padding_mask 0, or past a 1-D key length) and the
// lowest float at future keys when unidirectional; softmax over every key.
//
// GroupQueryAttention: query heads share key/value heads in groups (num_heads / kv_num_heads);
// the cache is BNSH with per-batch valid lengths seqlens_k + 1; attention is causal (optionally
// limited to the local_window_size previous keys), scores may be soft-capped, and rotary
// embedding may be applied to Q and the new K first.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/ops/contrib/attention_kernel.h"
#include "core/ops/contrib/contrib_ops.h"

namespace wisp::contrib {
namespace {

using attention::HeadProblem;
using attention::KeyWindow;

// A float buffer for a (B, N, T, H) state that may also be output `index`: float32 outputs are
// written in place, other types are staged and converted by finish().
struct StateBuffer {
  Tensor scratch;
  Tensor* output = nullptr;
  float* data = nullptr;

  Status init(OpContext& ctx, size_t index, DType dtype, const Shape& shape) {
    if (ctx.wants_output(index)) {
      WISP_ASSIGN_OR_RETURN(output, ctx.allocate_output(index, dtype, shape));
      if (dtype == DType::Float32) {
        data = output->data<float>();
        return Status::ok();
      }
    }
    WISP_ASSIGN_OR_RETURN(scratch, ctx.allocate(DType::Float32, shape));
    data = scratch.data<float>();
    return Status::ok();
  }
  void finish() {
    if (output && output->dtype() != DType::Float32) attention::store_floats(data, output->numel(), *output);
  }
};

Status check_same_type(const Tensor& t, DType dtype, const char* what) {
  WISP_CHECK_ARG(t.dtype() == dtype, what, " must have the query's type ", dtype_name(dtype), ", got ",
                 dtype_name(t.dtype()));
  return Status::ok();
}

// attention_bias of shape (B or 1, N or 1, S, T), added to the scaled scores; broadcast over
// batch and heads where its extent is 1.
struct AttentionBias {
  std::vector<float> values;
  int64_t batch_stride = 0;  // 0 when broadcast over the batch
  int64_t head_stride = 0;   // 0 when broadcast over the heads

  Status load(const Tensor& ab, DType dtype, int64_t B, int64_t N, int64_t S, int64_t T) {
    WISP_RETURN_IF_ERROR(check_same_type(ab, dtype, "attention_bias"));
    WISP_CHECK_ARG(ab.rank() == 4 && (ab.dim(0) == 1 || ab.dim(0) == B) && (ab.dim(1) == 1 || ab.dim(1) == N) &&
                       ab.dim(2) == S && ab.dim(3) == T,
                   "attention_bias must be (", B, " or 1, ", N, " or 1, ", S, ", ", T, "), got ", ab.describe());
    head_stride = ab.dim(1) == 1 ? 0 : S * T;
    batch_stride = ab.dim(0) == 1 ? 0 : ab.dim(1) * S * T;
    WISP_ASSIGN_OR_RETURN(values, attention::to_floats(ab, "attention_bias"));
    return Status::ok();
  }
  // The (S, T) bias of batch b, head n, or nullptr without a bias.
  const float* head(int64_t b, int64_t n) const {
    return values.empty() ? nullptr : values.data() + b * batch_stride + n * head_stride;
  }
};

// Loads (B, S, heads*H) rows (at `col_offset` within rows of `row_stride`) into per-head float
// blocks `dst_head_stride` apart (seq * head_size when 0: plain (B, N, S, H)).
Status load_rows(const Tensor& t, int64_t batch, int64_t seq, int64_t heads, int64_t head_size, int64_t row_stride,
                 int64_t col_offset, const float* bias, float* dst, int64_t dst_head_stride = 0) {
  if (dst_head_stride == 0) dst_head_stride = seq * head_size;
  return attention::visit_attention_type(t.dtype(), "input", [&](auto tag) -> Status {
    using T = decltype(tag);
    attention::load_bnsh<T>(t.data<T>(), batch, seq, heads, head_size, row_stride, col_offset, bias, dst,
                            dst_head_stride);
    return Status::ok();
  });
}

// Copies `rows` rows of each of `blocks` head blocks from src (blocks `src_stride` apart) to dst
// (blocks `dst_stride` apart); strides and rows in floats of `row_len`.
void copy_head_rows(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t blocks,
                    int64_t rows, int64_t row_len) {
  for (int64_t i = 0; i < blocks; ++i) std::copy_n(src + i * src_stride, rows * row_len, dst + i * dst_stride);
}

// ---------------------------------------------------------------------------------------------
// MultiHeadAttention
//   inputs: query, key, value, bias, key_padding_mask, attention_bias, past_key, past_value,
//           past_sequence_length, cache_indirection
//   outputs: output, present_key, present_value, qk

class MultiHeadAttention final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(num_heads_, ctx.node.attr_int("num_heads", 0));
    WISP_CHECK_MODEL(num_heads_ > 0, "attribute 'num_heads' is required and must be positive, got ", num_heads_);
    WISP_ASSIGN_OR_RETURN(scale_, ctx.node.attr_float("scale", 0.0f));
    WISP_ASSIGN_OR_RETURN(mask_filter_value_, ctx.node.attr_float("mask_filter_value", -10000.0f));
    WISP_ASSIGN_OR_RETURN(int64_t uni, ctx.node.attr_int("unidirectional", 0));
    WISP_CHECK_MODEL(uni == 0 || uni == 1, "attribute 'unidirectional' must be 0 or 1, got ", uni);
    unidirectional_ = uni == 1;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& query = ctx.input(0);
    const DType dtype = query.dtype();
    WISP_RETURN_IF_ERROR(attention::visit_attention_type(dtype, "query", [](auto) { return Status::ok(); }));
    if (query.rank() == 5) return unsupported("packed QKV query of shape (B, L, N, 3, H) is not supported");
    WISP_CHECK_ARG(query.rank() == 3, "query must be 3-D (batch, sequence, hidden), got ", query.describe());
    const int64_t N = num_heads_;
    const int64_t B = query.dim(0), S = query.dim(1), D = query.dim(2);
    WISP_CHECK_ARG(D % N == 0, "query hidden size ", D, " is not divisible by num_heads ", N);
    const int64_t H = D / N;

    WISP_CHECK_ARG(ctx.has_input(1), "key is required (packed QKV in the query is not supported)");
    WISP_CHECK_ARG(ctx.has_input(2), "value is required when key is given");
    const Tensor& key = ctx.input(1);
    const Tensor& value = ctx.input(2);
    WISP_RETURN_IF_ERROR(check_same_type(key, dtype, "key"));
    WISP_RETURN_IF_ERROR(check_same_type(value, dtype, "value"));
    if (key.rank() == 5) return unsupported("packed KV key of shape (B, L, N, 2, H) is not supported");
    // Key/value either as (B, L, D) projections or already split into heads (B, N, L, H).
    const bool kv_bnsh = key.rank() == 4;
    int64_t L = 0, Hv = 0;
    if (kv_bnsh) {
      WISP_CHECK_ARG(key.dim(0) == B && key.dim(1) == N && key.dim(3) == H, "4-D key must be (", B, ", ", N,
                     ", kv_sequence, ", H, "), got ", key.describe());
      L = key.dim(2);
      WISP_CHECK_ARG(value.rank() == 4 && value.dim(0) == B && value.dim(1) == N && value.dim(2) == L,
                     "with a 4-D key, value must be (", B, ", ", N, ", ", L, ", v_head_size), got ", value.describe());
      Hv = value.dim(3);
    } else {
      WISP_CHECK_ARG(key.rank() == 3 && key.dim(0) == B && key.dim(2) == D, "key must be (", B,
                     ", kv_sequence, ", D, ") or (", B, ", ", N, ", kv_sequence, ", H, "), got ", key.describe());
      L = key.dim(1);
      WISP_CHECK_ARG(value.rank() == 3 && value.dim(0) == B && value.dim(1) == L, "value must be (", B, ", ", L,
                     ", v_hidden), got ", value.describe());
      WISP_CHECK_ARG(value.dim(2) % N == 0, "value hidden size ", value.dim(2), " is not divisible by num_heads ", N);
      Hv = value.dim(2) / N;
    }
    const int64_t Dv = N * Hv;

    std::vector<float> bias;
    if (ctx.has_input(3)) {
      const Tensor& b = ctx.input(3);
      WISP_RETURN_IF_ERROR(check_same_type(b, dtype, "bias"));
      WISP_CHECK_ARG(b.rank() == 1 && b.dim(0) == D + D + Dv, "bias must be 1-D of size ", D + D + Dv,
                     " (query + key + value hidden sizes), got ", b.describe());
      WISP_ASSIGN_OR_RETURN(bias, attention::to_floats(b, "bias"));
    }

    WISP_CHECK_ARG(ctx.has_input(6) == ctx.has_input(7), "past_key and past_value must be given together");
    const bool has_past = ctx.has_input(6);
    int64_t P = 0;
    if (has_past) {
      WISP_CHECK_ARG(!kv_bnsh, "past_key/past_value cannot be combined with a 4-D (already split) key and value");
      const Tensor& pk = ctx.input(6);
      const Tensor& pv = ctx.input(7);
      WISP_RETURN_IF_ERROR(check_same_type(pk, dtype, "past_key"));
      WISP_RETURN_IF_ERROR(check_same_type(pv, dtype, "past_value"));
      WISP_CHECK_ARG(pk.rank() == 4 && pk.dim(0) == B && pk.dim(1) == N && pk.dim(3) == H, "past_key must be (", B,
                     ", ", N, ", past_sequence, ", H, "), got ", pk.describe());
      P = pk.dim(2);
      WISP_CHECK_ARG(pv.rank() == 4 && pv.dim(0) == B && pv.dim(1) == N && pv.dim(2) == P && pv.dim(3) == Hv,
                     "past_value must be (", B, ", ", N, ", ", P, ", ", Hv, "), got ", pv.describe());
    }
    if (ctx.has_input(8) || ctx.has_input(9)) {
      return unsupported("past_sequence_length / cache_indirection (shared KV buffers, beam search) are not supported");
    }
    const int64_t T = P + L;

    // key_padding_mask -> additive mask (B, S, T), merged with the causal mask.
    std::vector<float> mask_add;
    WISP_RETURN_IF_ERROR(build_mask(ctx.has_input(4) ? &ctx.input(4) : nullptr, unidirectional_ && S > 1, B, S, P, T,
                                    mask_add));

    AttentionBias attn_bias;
    if (ctx.has_input(5)) WISP_RETURN_IF_ERROR(attn_bias.load(ctx.input(5), dtype, B, N, S, T));

    // Stage Q (+bias) and the concatenated [past; new] K and V (+bias) as float heads.
    WISP_ASSIGN_OR_RETURN(Tensor qf, ctx.allocate(DType::Float32, {B, N, S, H}));
    WISP_RETURN_IF_ERROR(load_rows(query, B, S, N, H, D, 0, bias.empty() ? nullptr : bias.data(), qf.data<float>()));
    StateBuffer kbuf, vbuf;
    WISP_RETURN_IF_ERROR(kbuf.init(ctx, 1, dtype, {B, N, T, H}));
    WISP_RETURN_IF_ERROR(vbuf.init(ctx, 2, dtype, {B, N, T, Hv}));
    if (kv_bnsh) {
      // Already projected and split (cross attention with a precomputed cache): no bias to add.
      attention::FloatInput kin, vin;
      WISP_RETURN_IF_ERROR(kin.load(key, "key"));
      WISP_RETURN_IF_ERROR(vin.load(value, "value"));
      std::copy_n(kin.data, key.numel(), kbuf.data);
      std::copy_n(vin.data, value.numel(), vbuf.data);
    } else {
      // Every head block holds the P cached rows, then the L new ones.
      if (has_past) {
        attention::FloatInput pk, pv;
        WISP_RETURN_IF_ERROR(pk.load(ctx.input(6), "past_key"));
        WISP_RETURN_IF_ERROR(pv.load(ctx.input(7), "past_value"));
        copy_head_rows(pk.data, P * H, kbuf.data, T * H, B * N, P, H);
        copy_head_rows(pv.data, P * Hv, vbuf.data, T * Hv, B * N, P, Hv);
      }
      WISP_RETURN_IF_ERROR(load_rows(key, B, L, N, H, D, 0, bias.empty() ? nullptr : bias.data() + D,
                                     kbuf.data + P * H, T * H));
      WISP_RETURN_IF_ERROR(load_rows(value, B, L, N, Hv, Dv, 0, bias.empty() ? nullptr : bias.data() + 2 * D,
                                     vbuf.data + P * Hv, T * Hv));
    }

    WISP_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, dtype, {B, S, Dv}));
    Tensor out_scratch;
    float* outf = nullptr;
    if (dtype == DType::Float32) {
      outf = out->data<float>();
    } else {
      WISP_ASSIGN_OR_RETURN(out_scratch, ctx.allocate(DType::Float32, {B, S, Dv}));
      outf = out_scratch.data<float>();
    }
    // Optional output 3: the scores that enter the softmax (scaled Q K^T plus bias and mask).
    StateBuffer qk;
    const bool want_qk = ctx.wants_output(3);
    if (want_qk) WISP_RETURN_IF_ERROR(qk.init(ctx, 3, dtype, {B, N, S, T}));

    const float scale = scale_ != 0.0f ? scale_ : 1.0f / std::sqrt(float(H));
    const float* qd = qf.data<float>();
    parallel_for(ctx.threads(), B * N, nn::chunk_for(2 * S * T * (H + Hv)), [&](int64_t begin, int64_t end) {
      std::vector<float> scores(static_cast<size_t>(std::min(S, attention::kQueryBlock) * T));
      for (int64_t i = begin; i < end; ++i) {
        const int64_t b = i / N, n = i % N;
        HeadProblem p;
        p.q_len = S, p.kv_len = T, p.head_size = H, p.v_head_size = Hv, p.scale = scale;
        p.q = qd + i * S * H, p.q_stride = H;
        p.k = kbuf.data + i * T * H, p.k_stride = H;
        p.v = vbuf.data + i * T * Hv, p.v_stride = Hv;
        p.out = outf + b * S * Dv + n * Hv, p.out_stride = Dv;
        const float* ab = attn_bias.head(b, n);
        const float* ma = mask_add.empty() ? nullptr : mask_add.data() + b * S * T;
        float* qk_out = want_qk ? qk.data + i * S * T : nullptr;
        // Masks are additive here, so every row sees every key.
        attention::attend(
            p, scores.data(), [&](int64_t) { return KeyWindow{0, T}; },
            [&](int64_t s, int64_t t, float x) {
              if (ab) x += ab[s * T + t];
              if (ma) x += ma[s * T + t];
              if (qk_out) qk_out[s * T + t] = x;
              return x;
            });
      }
    });

    if (dtype != DType::Float32) attention::store_floats(outf, out->numel(), *out);
    kbuf.finish();
    vbuf.finish();
    if (want_qk) qk.finish();
    return Status::ok();
  }

 private:
  // The additive mask (B, S, T) for key_padding_mask and/or causality: mask_filter_value at
  // padded keys, the lowest float at future keys. Left empty when neither applies.
  Status build_mask(const Tensor* mask, bool causal, int64_t B, int64_t S, int64_t P, int64_t T,
                    std::vector<float>& out) const {
    if (mask) {
      WISP_CHECK_ARG(mask->dtype() == DType::Int32, "key_padding_mask must be int32, got ", dtype_name(mask->dtype()));
      if (mask->rank() == 1 && mask->dim(0) == 3 * B + 2) {
        return unsupported("key_padding_mask of shape (3 * batch + 2) is not supported");
      }
      const bool ok = (mask->rank() == 1 && mask->dim(0) == B) ||
                      (mask->rank() == 2 && mask->dim(0) == B && mask->dim(1) == T) ||
                      (mask->rank() == 3 && mask->dim(0) == B && mask->dim(1) == S && mask->dim(2) == T);
      WISP_CHECK_ARG(ok, "key_padding_mask must be (", B, "), (", B, ", ", T, ") or (", B, ", ", S, ", ", T,
                     "), got ", mask->describe());
    }
    if (!mask && !causal) return Status::ok();
    out.assign(static_cast<size_t>(B * S * T), 0.0f);
    const int32_t* m = mask ? mask->data<int32_t>() : nullptr;
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t s = 0; s < S; ++s) {
        float* row = out.data() + (b * S + s) * T;
        if (m && mask->rank() == 1) {
          const int64_t len = m[b];  // keys at or after the length are padding
          for (int64_t t = std::max<int64_t>(len, 0); t < T; ++t) row[t] = mask_filter_value_;
        } else if (m) {
          const int32_t* src = mask->rank() == 2 ? m + b * T : m + (b * S + s) * T;
          for (int64_t t = 0; t < T; ++t) row[t] = src[t] > 0 ? 0.0f : mask_filter_value_;
        }
        // ORT leaves the last query row unmasked (for self-attention, S == L, it sees every
        // key anyway); matched here so cross-length cases agree.
        if (causal && s + 1 < S) {
          for (int64_t t = P + s + 1; t < T; ++t) row[t] = std::numeric_limits<float>::lowest();
        }
      }
    }
    return Status::ok();
  }

  int64_t num_heads_ = 0;
  float scale_ = 0.0f;
  float mask_filter_value_ = -10000.0f;
  bool unidirectional_ = false;
};

// GroupQueryAttention's rotary inputs: cos/sin tables (max_position, rotary_dim / 2) and the
// position of every new token (B, S), validated against the table height.
struct Rotary {
  attention::FloatInput cos, sin;
  int64_t dim = 0;
  std::vector<int64_t> positions;

  Status load(const OpContext& ctx, DType dtype, int64_t B, int64_t S, int64_t H, bool first_prompt,
              const std::vector<int64_t>& total_len, const std::vector<int64_t>& past_len) {
    const Tensor& c = ctx.input(7);
    const Tensor& s = ctx.input(8);
    WISP_RETURN_IF_ERROR(check_same_type(c, dtype, "cos_cache"));
    WISP_RETURN_IF_ERROR(check_same_type(s, dtype, "sin_cache"));
    WISP_CHECK_ARG(c.rank() == 2 && c.shape() == s.shape(), "cos_cache and sin_cache must be 2-D of the same shape, got ",
                   c.describe(), " and ", s.describe());
    dim = 2 * c.dim(1);
    WISP_CHECK_ARG(dim > 0 && dim <= H, "cos_cache width ", c.dim(1), " must be in [1, head_size / 2 = ", H / 2, "]");
    const int64_t rows = c.dim(0);
    WISP_RETURN_IF_ERROR(cos.load(c, "cos_cache"));
    WISP_RETURN_IF_ERROR(sin.load(s, "sin_cache"));

    const Tensor* ids = ctx.has_input(9) ? &ctx.input(9) : nullptr;
    if (ids) {
      WISP_CHECK_ARG(ids->dtype() == DType::Int64 && ids->rank() == 2 && ids->dim(0) == B && ids->dim(1) == S,
                     "position_ids must be int64 of shape (", B, ", ", S, "), got ", ids->describe());
      // A first prompt counts on from the very first id (of batch entry 0, for every entry), as
      // ORT does; checked here so the sums below cannot overflow.
      const int64_t first = ids->numel() ? ids->data<int64_t>()[0] : 0;
      WISP_CHECK_ARG(first >= 0 && first < rows, "position_ids[0, 0] = ", first, " is outside the cos/sin cache of ",
                     rows, " rows");
    }
    positions.resize(static_cast<size_t>(B * S));
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t i = 0; i < S; ++i) {
        int64_t pos = past_len[size_t(b)] + i;
        // Padding tokens of a prompt (past the batch entry's length) use position 1, as ORT does.
        if (first_prompt && i >= total_len[size_t(b)]) pos = 1;
        if (ids) pos = first_prompt ? ids->data<int64_t>()[0] + i : ids->data<int64_t>()[b * S + i];
        WISP_CHECK_ARG(pos >= 0 && pos < rows, "rotary position ", pos, " of batch ", b, " token ", i,
                       " is outside the cos/sin cache of ", rows, " rows");
        positions[size_t(b * S + i)] = pos;
      }
    }
    return Status::ok();
  }
};

// ---------------------------------------------------------------------------------------------
// GroupQueryAttention
//   inputs: query, key, value, past_key, past_value, seqlens_k, total_sequence_length,
//           cos_cache, sin_cache, position_ids, attention_bias, head_sink,
//           k_scale, v_scale, q_norm_weight, k_norm_weight
//   outputs: output, present_key, present_value, output_qk

class GroupQueryAttention final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    const Node& node = ctx.node;
    WISP_ASSIGN_OR_RETURN(num_heads_, node.attr_int("num_heads", 0));
    WISP_ASSIGN_OR_RETURN(kv_num_heads_, node.attr_int("kv_num_heads", 0));
    WISP_CHECK_MODEL(num_heads_ > 0, "attribute 'num_heads' is required and must be positive, got ", num_heads_);
    WISP_CHECK_MODEL(kv_num_heads_ > 0, "attribute 'kv_num_heads' is required and must be positive, got ",
                     kv_num_heads_);
    WISP_CHECK_MODEL(num_heads_ % kv_num_heads_ == 0, "num_heads ", num_heads_, " must be a multiple of kv_num_heads ",
                     kv_num_heads_);
    WISP_ASSIGN_OR_RETURN(scale_, node.attr_float("scale", 0.0f));
    WISP_ASSIGN_OR_RETURN(softcap_, node.attr_float("softcap", 0.0f));
    WISP_CHECK_MODEL(softcap_ >= 0.0f, "attribute 'softcap' must not be negative, got ", softcap_);
    WISP_ASSIGN_OR_RETURN(local_window_size_, node.attr_int("local_window_size", -1));
    WISP_CHECK_MODEL(local_window_size_ == -1 || local_window_size_ > 0,
                     "attribute 'local_window_size' must be -1 or positive, got ", local_window_size_);
    WISP_ASSIGN_OR_RETURN(int64_t causal, node.attr_int("causal", 1));
    WISP_CHECK_MODEL(causal == 0 || causal == 1, "attribute 'causal' must be 0 or 1, got ", causal);
    causal_ = causal == 1;
    WISP_CHECK_MODEL(causal_ || local_window_size_ == -1, "attribute 'local_window_size' must be -1 when causal is 0");
    WISP_ASSIGN_OR_RETURN(int64_t rotary, node.attr_int("do_rotary", 0));
    do_rotary_ = rotary != 0;
    WISP_ASSIGN_OR_RETURN(int64_t interleaved, node.attr_int("rotary_interleaved", 0));
    rotary_interleaved_ = interleaved != 0;
    WISP_ASSIGN_OR_RETURN(int64_t smooth, node.attr_int("smooth_softmax", 0));
    smooth_softmax_ = smooth != 0;
    WISP_ASSIGN_OR_RETURN(int64_t window_cache, node.attr_int("sliding_window_cache", 0));
    if (window_cache != 0) return unsupported("sliding_window_cache=1 (window-sized KV buffers) is not supported");
    WISP_ASSIGN_OR_RETURN(int64_t qk_output, node.attr_int("qk_output", 0));
    if (qk_output != 0) return unsupported("qk_output (returning the attention scores) is not supported");
    for (const char* name : {"k_quant_type", "v_quant_type"}) {
      WISP_ASSIGN_OR_RETURN(std::string q, node.attr_string(name, "NONE"));
      if (q != "NONE") return unsupported("quantized KV cache (", name, "=", q, ") is not supported");
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& query = ctx.input(0);
    const DType dtype = query.dtype();
    WISP_RETURN_IF_ERROR(attention::visit_attention_type(dtype, "query", [](auto) { return Status::ok(); }));
    WISP_CHECK_ARG(query.rank() == 3, "query must be 3-D (batch, sequence, hidden), got ", query.describe());
    const int64_t N = num_heads_, KvN = kv_num_heads_, group = N / KvN;
    const int64_t B = query.dim(0), S = query.dim(1), Dq = query.dim(2);

    // Q, K and V either separate or packed in the query rows as [Q | K | V].
    const bool packed = !ctx.has_input(1);
    int64_t H = 0;
    if (packed) {
      WISP_CHECK_ARG(!ctx.has_input(2), "key and value must be given together (or neither, for packed QKV)");
      WISP_CHECK_ARG(Dq % (N + 2 * KvN) == 0, "packed QKV hidden size ", Dq, " is not divisible by num_heads + 2 * ",
                     "kv_num_heads = ", N + 2 * KvN);
      H = Dq / (N + 2 * KvN);
    } else {
      WISP_CHECK_ARG(ctx.has_input(2), "value is required when key is given");
      WISP_CHECK_ARG(Dq % N == 0, "query hidden size ", Dq, " is not divisible by num_heads ", N);
      H = Dq / N;
      for (size_t i : {size_t(1), size_t(2)}) {
        const Tensor& t = ctx.input(i);
        const char* what = i == 1 ? "key" : "value";
        WISP_RETURN_IF_ERROR(check_same_type(t, dtype, what));
        WISP_CHECK_ARG(t.rank() == 3 && t.dim(0) == B && t.dim(1) == S && t.dim(2) == KvN * H, what, " must be (", B,
                       ", ", S, ", ", KvN * H, "), got ", t.describe());
      }
    }

    WISP_CHECK_ARG(ctx.has_input(3) == ctx.has_input(4), "past_key and past_value must be given together");
    const bool has_past = ctx.has_input(3);
    int64_t Pbuf = 0;  // rows of the past buffers (valid rows per batch follow from seqlens_k)
    if (has_past) {
      for (size_t i : {size_t(3), size_t(4)}) {
        const Tensor& t = ctx.input(i);
        const char* what = i == 3 ? "past_key" : "past_value";
        WISP_RETURN_IF_ERROR(check_same_type(t, dtype, what));
        WISP_CHECK_ARG(t.rank() == 4 && t.dim(0) == B && t.dim(1) == KvN && t.dim(3) == H, what, " must be (", B,
                       ", ", KvN, ", past_sequence, ", H, "), got ", t.describe());
      }
      Pbuf = ctx.input(3).dim(2);
      WISP_CHECK_ARG(ctx.input(4).dim(2) == Pbuf, "past_key and past_value must have the same sequence length");
    }

    WISP_CHECK_ARG(ctx.has_input(5) && ctx.has_input(6), "seqlens_k and total_sequence_length are required");
    const Tensor& seqlens = ctx.input(5);
    const Tensor& total_t = ctx.input(6);
    WISP_CHECK_ARG(seqlens.dtype() == DType::Int32 && seqlens.rank() == 1 && seqlens.dim(0) == B,
                   "seqlens_k must be int32 of shape (", B, "), got ", seqlens.describe());
    WISP_CHECK_ARG(total_t.dtype() == DType::Int32 && total_t.numel() == 1,
                   "total_sequence_length must be a one-element int32 tensor, got ", total_t.describe());
    const int64_t total = total_t.data<int32_t>()[0];
    WISP_CHECK_ARG(total >= 1, "total_sequence_length must be positive, got ", total);

    // Prompt (S == total, no valid past), a later chunk of a prompt (batch 1), or one new token.
    const bool subsequent_prompt = S > 1 && S != total;
    WISP_CHECK_ARG(!subsequent_prompt || B == 1, "batch size must be 1 when sequence length ", S,
                   " > 1 differs from total_sequence_length ", total);
    const bool first_prompt = !subsequent_prompt && S == total;
    WISP_CHECK_ARG(subsequent_prompt || first_prompt || S == 1, "sequence length must be 1 when not a prompt");
    const int64_t Tp = std::max(total, Pbuf);  // rows of present_key / present_value

    std::vector<int64_t> total_len(static_cast<size_t>(B)), past_len(static_cast<size_t>(B));
    for (int64_t b = 0; b < B; ++b) {
      const int64_t tb = int64_t(seqlens.data<int32_t>()[b]) + 1;
      const int64_t pb = first_prompt ? 0 : tb - S;
      WISP_CHECK_ARG(tb >= 1 && tb <= total, "seqlens_k[", b, "] + 1 = ", tb, " must be in [1, total_sequence_length = ",
                     total, "]");
      WISP_CHECK_ARG(pb >= 0, "seqlens_k[", b, "] + 1 = ", tb, " is shorter than the ", S, " new tokens");
      WISP_CHECK_ARG(pb <= Pbuf, "seqlens_k[", b, "] implies ", pb, " past tokens but the past buffers hold ", Pbuf);
      total_len[size_t(b)] = tb;
      past_len[size_t(b)] = pb;
    }

    WISP_CHECK_ARG(ctx.has_input(7) == ctx.has_input(8), "cos_cache and sin_cache must be given together");
    WISP_CHECK_ARG(!do_rotary_ || ctx.has_input(7), "do_rotary=1 requires cos_cache and sin_cache");
    Rotary rotary;
    if (do_rotary_) {
      WISP_RETURN_IF_ERROR(rotary.load(ctx, dtype, B, S, H, first_prompt, total_len, past_len));
    }

    AttentionBias attn_bias;
    if (ctx.has_input(10)) WISP_RETURN_IF_ERROR(attn_bias.load(ctx.input(10), dtype, B, N, S, total));
    std::vector<float> sinks;
    if (ctx.has_input(11)) {
      const Tensor& hs = ctx.input(11);
      WISP_RETURN_IF_ERROR(check_same_type(hs, dtype, "head_sink"));
      WISP_CHECK_ARG(hs.rank() == 1 && hs.dim(0) == N, "head_sink must be (", N, "), got ", hs.describe());
      WISP_ASSIGN_OR_RETURN(sinks, attention::to_floats(hs, "head_sink"));
    } else if (smooth_softmax_) {
      sinks.assign(static_cast<size_t>(N), 0.0f);  // smooth softmax: an extra logit 0 per row
    }
    if (ctx.has_input(12) || ctx.has_input(13)) return unsupported("k_scale / v_scale (quantized KV cache) are not supported");
    if (ctx.has_input(14) || ctx.has_input(15)) return unsupported("q_norm_weight / k_norm_weight are not supported");
    if (ctx.wants_output(3)) return unsupported("output_qk is not supported");

    // Stage Q and the new K/V as float heads, rotate Q and K.
    WISP_ASSIGN_OR_RETURN(Tensor qf, ctx.allocate(DType::Float32, {B, N, S, H}));
    WISP_ASSIGN_OR_RETURN(Tensor kn, ctx.allocate(DType::Float32, {B, KvN, S, H}));
    WISP_ASSIGN_OR_RETURN(Tensor vn, ctx.allocate(DType::Float32, {B, KvN, S, H}));
    if (packed) {
      WISP_RETURN_IF_ERROR(load_rows(query, B, S, N, H, Dq, 0, nullptr, qf.data<float>()));
      WISP_RETURN_IF_ERROR(load_rows(query, B, S, KvN, H, Dq, N * H, nullptr, kn.data<float>()));
      WISP_RETURN_IF_ERROR(load_rows(query, B, S, KvN, H, Dq, (N + KvN) * H, nullptr, vn.data<float>()));
    } else {
      WISP_RETURN_IF_ERROR(load_rows(query, B, S, N, H, Dq, 0, nullptr, qf.data<float>()));
      WISP_RETURN_IF_ERROR(load_rows(ctx.input(1), B, S, KvN, H, KvN * H, 0, nullptr, kn.data<float>()));
      WISP_RETURN_IF_ERROR(load_rows(ctx.input(2), B, S, KvN, H, KvN * H, 0, nullptr, vn.data<float>()));
    }
    if (do_rotary_) {
      attention::apply_rotary(qf.data<float>(), B, N, S, H, rotary.dim, rotary.positions.data(), rotary.cos.data,
                              rotary.sin.data, rotary_interleaved_);
      attention::apply_rotary(kn.data<float>(), B, KvN, S, H, rotary.dim, rotary.positions.data(), rotary.cos.data,
                              rotary.sin.data, rotary_interleaved_);
    }

    // present = the valid past rows, then the new rows at the batch entry's past length; the
    // rest of the buffer is zero.
    StateBuffer kbuf, vbuf;
    WISP_RETURN_IF_ERROR(kbuf.init(ctx, 1, dtype, {B, KvN, Tp, H}));
    WISP_RETURN_IF_ERROR(vbuf.init(ctx, 2, dtype, {B, KvN, Tp, H}));
    std::fill_n(kbuf.data, B * KvN * Tp * H, 0.0f);
    std::fill_n(vbuf.data, B * KvN * Tp * H, 0.0f);
    attention::FloatInput pk, pv;
    if (has_past) {
      WISP_RETURN_IF_ERROR(pk.load(ctx.input(3), "past_key"));
      WISP_RETURN_IF_ERROR(pv.load(ctx.input(4), "past_value"));
    }
    for (int64_t b = 0; b < B; ++b) {
      const int64_t pb = past_len[size_t(b)];
      // New rows past the buffer end are only possible for padding of a short prompt entry.
      const int64_t rows = std::min(S, Tp - pb);
      for (int64_t h = 0; h < KvN; ++h) {
        const int64_t bh = b * KvN + h;
        if (has_past) {
          std::copy_n(pk.data + bh * Pbuf * H, pb * H, kbuf.data + bh * Tp * H);
          std::copy_n(pv.data + bh * Pbuf * H, pb * H, vbuf.data + bh * Tp * H);
        }
        std::copy_n(kn.data<float>() + bh * S * H, rows * H, kbuf.data + (bh * Tp + pb) * H);
        std::copy_n(vn.data<float>() + bh * S * H, rows * H, vbuf.data + (bh * Tp + pb) * H);
      }
    }

    WISP_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, dtype, {B, S, N * H}));
    Tensor out_scratch;
    float* outf = nullptr;
    if (dtype == DType::Float32) {
      outf = out->data<float>();
    } else {
      WISP_ASSIGN_OR_RETURN(out_scratch, ctx.allocate(DType::Float32, {B, S, N * H}));
      outf = out_scratch.data<float>();
    }

    const float scale = scale_ != 0.0f ? scale_ : 1.0f / std::sqrt(float(H));
    const float* qd = qf.data<float>();
    parallel_for(ctx.threads(), B * N, nn::chunk_for(4 * S * Tp * H), [&](int64_t begin, int64_t end) {
      std::vector<float> scores(static_cast<size_t>(std::min(S, attention::kQueryBlock) * Tp));
      for (int64_t i = begin; i < end; ++i) {
        const int64_t b = i / N, n = i % N;
        const int64_t kv_head = b * KvN + n / group;
        const int64_t tb = total_len[size_t(b)], pb = past_len[size_t(b)];
        HeadProblem p;
        p.q_len = S, p.kv_len = tb, p.head_size = H, p.v_head_size = H, p.scale = scale;
        p.q = qd + i * S * H, p.q_stride = H;
        p.k = kbuf.data + kv_head * Tp * H, p.k_stride = H;
        p.v = vbuf.data + kv_head * Tp * H, p.v_stride = H;
        p.out = outf + b * S * N * H + n * H, p.out_stride = N * H;
        const float* ab = attn_bias.head(b, n);
        // Query s sits at absolute position pb + s and sees keys up to itself; a local window
        // keeps the last local_window_size of those (itself included).
        auto window = [&](int64_t s) {
          KeyWindow w{0, tb};
          if (causal_) {
            w.end = std::min(pb + s + 1, tb);
            if (local_window_size_ > 0) w.begin = std::max<int64_t>(0, w.end - local_window_size_);
          }
          return w;
        };
        auto adjust = [&](int64_t s, int64_t t, float x) {
          if (softcap_ > 0.0f) x = softcap_ * std::tanh(x / softcap_);
          return ab ? x + ab[s * total + t] : x;
        };
        attention::attend(p, scores.data(), window, adjust, sinks.empty() ? nullptr : &sinks[size_t(n)]);
      }
    });

    if (dtype != DType::Float32) attention::store_floats(outf, out->numel(), *out);
    kbuf.finish();
    vbuf.finish();
    return Status::ok();
  }

 private:
  int64_t num_heads_ = 0;
  int64_t kv_num_heads_ = 0;
  float scale_ = 0.0f;
  float softcap_ = 0.0f;
  int64_t local_window_size_ = -1;
  bool causal_ = true;
  bool do_rotary_ = false;
  bool rotary_interleaved_ = false;
  bool smooth_softmax_ = false;
};

}  // namespace

void register_contrib_attention_ops(OpRegistry& registry) {
  registry.add<MultiHeadAttention>("MultiHeadAttention", kMicrosoftDomain);
  registry.add<GroupQueryAttention>("GroupQueryAttention", kMicrosoftDomain);
}

}  // namespace wisp::contrib
