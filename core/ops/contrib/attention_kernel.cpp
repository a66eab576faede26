#include "core/ops/contrib/attention_kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/kernels/gemm.h"

namespace wisp::contrib::attention {

void compute_scores(const HeadProblem& p, float* scores) {
  if (p.q_len == 0 || p.kv_len == 0) return;
  if (p.head_size == 0) {  // empty dot products
    std::fill(scores, scores + p.q_len * p.kv_len, 0.0f);
    return;
  }
  kernels::GemmEpilogue ep;
  ep.alpha = p.scale;
  // B = k^T (H x T): element (h, t) is k[t * k_stride + h], i.e. k read transposed.
  kernels::gemm(p.q_len, p.kv_len, p.head_size, {p.q, p.q_stride, false}, {p.k, p.k_stride, true}, scores,
                p.kv_len, ep, nullptr);
}

void softmax_window(float* row, int64_t n, KeyWindow w, const float* sink) {
  int64_t begin = std::clamp<int64_t>(w.begin, 0, n);
  int64_t end = std::clamp<int64_t>(w.end, begin, n);
  std::fill(row, row + begin, 0.0f);
  std::fill(row + end, row + n, 0.0f);
  if (begin == end) return;
  // Subtracting the maximum keeps exp() in range (the result is unchanged mathematically).
  float mx = -std::numeric_limits<float>::infinity();
  for (int64_t i = begin; i < end; ++i) mx = std::max(mx, row[i]);
  if (sink) mx = std::max(mx, *sink);
  if (std::isinf(mx) && mx < 0) {  // nothing visible at all
    std::fill(row + begin, row + end, 0.0f);
    return;
  }
  float sum = sink ? std::exp(*sink - mx) : 0.0f;
  for (int64_t i = begin; i < end; ++i) {
    float e = std::exp(row[i] - mx);
    row[i] = e;
    sum += e;
  }
  float inv = 1.0f / sum;
  for (int64_t i = begin; i < end; ++i) row[i] *= inv;
}

void apply_probs(const HeadProblem& p, const float* probs) {
  if (p.q_len == 0 || p.v_head_size == 0) return;
  if (p.kv_len == 0) {  // no keys: every output row is an empty sum
    for (int64_t s = 0; s < p.q_len; ++s) std::fill(p.out + s * p.out_stride, p.out + s * p.out_stride + p.v_head_size, 0.0f);
    return;
  }
  kernels::gemm(p.q_len, p.v_head_size, p.kv_len, {probs, p.kv_len, false}, {p.v, p.v_stride, false}, p.out,
                p.out_stride, {}, nullptr);
}

Result<std::vector<float>> to_floats(const Tensor& t, const char* what) {
  std::vector<float> out(static_cast<size_t>(t.numel()));
  WISP_RETURN_IF_ERROR(visit_attention_type(t.dtype(), what, [&](auto tag) -> Status {
    using T = decltype(tag);
    const T* src = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = float(nn::FloatIO<T>::load(src[i]));
    return Status::ok();
  }));
  return out;
}

void store_floats(const float* src, int64_t count, Tensor& dst) {
  Status st = visit_attention_type(dst.dtype(), "output", [&](auto tag) -> Status {
    using T = decltype(tag);
    T* out = dst.data<T>();
    for (int64_t i = 0; i < count; ++i) out[i] = nn::FloatIO<T>::store(src[i]);
    return Status::ok();
  });
  (void)st;  // callers only allocate outputs of the accepted types
}

void apply_rotary(float* x, int64_t batch, int64_t heads, int64_t seq, int64_t head_size, int64_t rotary_dim,
                  const int64_t* positions, const float* cos_table, const float* sin_table, bool interleaved) {
  const int64_t half = rotary_dim / 2;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t n = 0; n < heads; ++n) {
      for (int64_t s = 0; s < seq; ++s) {
        float* v = x + ((b * heads + n) * seq + s) * head_size;
        const float* c = cos_table + positions[b * seq + s] * half;
        const float* sn = sin_table + positions[b * seq + s] * half;
        for (int64_t i = 0; i < half; ++i) {
          // Each pair (x1, x2) is a complex number multiplied by e^{i*theta}.
          float& x1 = interleaved ? v[2 * i] : v[i];
          float& x2 = interleaved ? v[2 * i + 1] : v[i + half];
          float a = x1, bb = x2;
          x1 = a * c[i] - bb * sn[i];
          x2 = bb * c[i] + a * sn[i];
        }
      }
    }
  }
}

}  // namespace wisp::contrib::attention
