// The scaled-dot-product core shared by com.microsoft MultiHeadAttention and GroupQueryAttention,
// and the layout helpers both need. Everything computes in float: half-precision inputs are
// widened once while being rearranged into the per-head (B, N, S, H) layout the core reads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/ops/nn/float_io.h"
#include "core/ops/op.h"

namespace wisp::contrib::attention {

// One head of one batch entry: q (S x H), k (T x H), v (T x Hv), all row-major with the given
// row strides (in floats); out (S x Hv) is written with its own row stride.
struct HeadProblem {
  int64_t q_len = 0;        // S
  int64_t kv_len = 0;       // T: keys visible to the scores (columns of the score matrix)
  int64_t head_size = 0;    // H
  int64_t v_head_size = 0;  // Hv
  const float* q = nullptr;
  int64_t q_stride = 0;
  const float* k = nullptr;
  int64_t k_stride = 0;
  const float* v = nullptr;
  int64_t v_stride = 0;
  float* out = nullptr;
  int64_t out_stride = 0;
  float scale = 1.0f;
};

// The keys [begin, end) one query row attends to; scores outside get probability 0.
struct KeyWindow {
  int64_t begin = 0;
  int64_t end = 0;
};

// scores (S x T, row stride T) = scale * q k^T.
void compute_scores(const HeadProblem& p, float* scores);
// Softmax of row[w.begin, w.end) in place, zero elsewhere in [0, n). With `sink` its logit joins
// the denominator only (the "attention sink" / smooth softmax: the row may sum to < 1). A window
// that is empty, or whose logits are all -inf, yields an all-zero row.
void softmax_window(float* row, int64_t n, KeyWindow w, const float* sink);
// out = probs (S x T) * v.
void apply_probs(const HeadProblem& p, const float* probs);

// Query rows handled together: each block computes scores only for the keys its rows can see
// (a causal prompt skips the masked upper triangle), and scratch stays kQueryBlock x T.
inline constexpr int64_t kQueryBlock = 64;

// Full attention for one head. `window(s)` gives the keys query row s attends to;
// `adjust(s, t, x)` returns the score of key t for row s given its scaled score x (adding masks
// or biases; called only inside the window, in increasing t). `scores` is scratch of at least
// min(S, kQueryBlock) * T floats.
template <typename Window, typename Adjust>
void attend(const HeadProblem& p, float* scores, Window&& window, Adjust&& adjust, const float* sink = nullptr) {
  for (int64_t s0 = 0; s0 < p.q_len; s0 += kQueryBlock) {
    const int64_t rows = std::min(kQueryBlock, p.q_len - s0);
    // The keys any row of the block sees.
    int64_t lo = p.kv_len, hi = 0;
    for (int64_t s = s0; s < s0 + rows; ++s) {
      KeyWindow w = window(s);
      w.begin = std::max<int64_t>(w.begin, 0);
      w.end = std::min(w.end, p.kv_len);
      if (w.begin < w.end) lo = std::min(lo, w.begin), hi = std::max(hi, w.end);
    }
    if (lo >= hi) lo = hi = 0;  // no visible keys: the rows come out zero
    HeadProblem blk = p;
    blk.q_len = rows;
    blk.q = p.q + s0 * p.q_stride;
    blk.kv_len = hi - lo;
    blk.k = p.k + lo * p.k_stride;
    blk.v = p.v + lo * p.v_stride;
    blk.out = p.out + s0 * p.out_stride;
    compute_scores(blk, scores);
    for (int64_t r = 0; r < rows; ++r) {
      float* row = scores + r * blk.kv_len;
      KeyWindow w = window(s0 + r);
      w.begin = std::max(w.begin, lo);
      w.end = std::min(w.end, hi);
      for (int64_t t = w.begin; t < w.end; ++t) row[t - lo] = adjust(s0 + r, t, row[t - lo]);
      softmax_window(row, blk.kv_len, {w.begin - lo, w.end - lo}, sink);
    }
    apply_probs(blk, scores);
  }
}

// Calls fn(T{}) for the element types the attention ops accept (float32, float16, bfloat16).
template <typename Fn>
Status visit_attention_type(DType dtype, const char* what, Fn&& fn) {
  switch (dtype) {
    case DType::Float32: return fn(float{});
    case DType::Float16: return fn(Float16{});
    case DType::BFloat16: return fn(BFloat16{});
    default:
      return invalid_argument(what, " must be float32, float16 or bfloat16, got ", dtype_name(dtype));
  }
}

// Rearranges rows of `heads` heads of `head_size` values into per-head float blocks:
// dst[(b * heads + n) * dst_head_stride + s * head_size + h] = src[(b * seq + s) * row_stride +
// col_offset + n * head_size + h] (+ bias[n * head_size + h]). With dst_head_stride = seq *
// head_size this is (B, S, N*H) -> (B, N, S, H); a larger stride leaves room (e.g. for cached
// rows) between heads. `col_offset` picks Q, K or V out of a packed QKV row.
template <typename T>
void load_bnsh(const T* src, int64_t batch, int64_t seq, int64_t heads, int64_t head_size, int64_t row_stride,
               int64_t col_offset, const float* bias, float* dst, int64_t dst_head_stride) {
  using IO = nn::FloatIO<T>;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t n = 0; n < heads; ++n) {
      float* out = dst + (b * heads + n) * dst_head_stride;
      const float* bn = bias ? bias + n * head_size : nullptr;
      for (int64_t s = 0; s < seq; ++s) {
        const T* in = src + (b * seq + s) * row_stride + col_offset + n * head_size;
        for (int64_t h = 0; h < head_size; ++h) out[s * head_size + h] = float(IO::load(in[h])) + (bn ? bn[h] : 0.0f);
      }
    }
  }
}

// Any float32/float16/bfloat16 tensor as floats (a copy).
Result<std::vector<float>> to_floats(const Tensor& t, const char* what);

// A float view of a float32/float16/bfloat16 tensor: float32 data is read in place, other types
// are converted once.
struct FloatInput {
  std::vector<float> converted;
  const float* data = nullptr;

  Status load(const Tensor& t, const char* what) {
    if (t.dtype() == DType::Float32) {
      data = t.data<float>();
      return Status::ok();
    }
    WISP_ASSIGN_OR_RETURN(converted, to_floats(t, what));
    data = converted.data();
    return Status::ok();
  }
};
// Writes `count` floats into `dst` (float32, float16 or bfloat16) converting as needed.
void store_floats(const float* src, int64_t count, Tensor& dst);

// Rotary position embedding in place on x (B, N, S, H): the first `rotary_dim` values of every
// head vector are rotated by angle index positions[b * S + s] of the (max_position, rotary_dim/2)
// cos/sin tables. `interleaved` pairs (x[2i], x[2i+1]); otherwise (x[i], x[i + rotary_dim/2]).
// Positions must already be validated against the table height.
void apply_rotary(float* x, int64_t batch, int64_t heads, int64_t seq, int64_t head_size, int64_t rotary_dim,
                  const int64_t* positions, const float* cos_table, const float* sin_table, bool interleaved);

}  // namespace wisp::contrib::attention
