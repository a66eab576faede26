// com.microsoft RotaryEmbedding (RoPE) as onnxruntime defines it.
//
// Inputs: input (B, S, N*D) or (B, N, S, D); position_ids (B, S), or one value (shape () or
// (1)) giving the position of token 0 with token s at start + s; cos_cache and sin_cache
// (max_positions, R/2). Every head vector turns its first R values (R = rotary_embedding_dim,
// default the head size D) and copies the rest:
//   halves (interleaved = 0):  pairs (x[i], x[i + R/2])
//   interleaved = 1:           pairs (x[2i], x[2i + 1])
//   (a, b) -> (a cos - b sin, b cos + a sin) with cos, sin = cache[position][i].
// The head size comes from the input for 4-D inputs; for 3-D ones from num_heads when given,
// else from the cache width (D = 2 * cache columns, N = hidden / D). rotary_embedding_dim needs
// num_heads. `scale` only matters when a cache is rebuilt, which this op never does.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/ops/contrib/contrib_ops.h"
#include "core/ops/nn/float_io.h"

namespace wisp::contrib {
namespace {

using nn::FloatIO;

// Rotates one head vector held in float: x, out have `rotary` values; c, s have rotary / 2.
inline void rotate(const float* x, const float* c, const float* s, int64_t rotary, bool interleaved, float* out) {
  const int64_t half = rotary / 2;
  if (interleaved) {
    for (int64_t i = 0; i < half; ++i) {
      const float a = x[2 * i], b = x[2 * i + 1];
      out[2 * i] = a * c[i] - b * s[i];
      out[2 * i + 1] = b * c[i] + a * s[i];
    }
  } else {
    for (int64_t i = 0; i < half; ++i) {
      const float a = x[i], b = x[i + half];
      out[i] = a * c[i] - b * s[i];
      out[i + half] = b * c[i] + a * s[i];
    }
  }
}

struct Geometry {
  int64_t batch = 0, seq = 0, heads = 0, head_size = 0, rotary = 0;
  // Element strides of the (b, s, n) head vectors in the input.
  int64_t batch_stride = 0, seq_stride = 0, head_stride = 0;
};

class RotaryEmbeddingOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(int64_t interleaved, ctx.node.attr_int("interleaved", 0));
    interleaved_ = interleaved != 0;
    WISP_ASSIGN_OR_RETURN(rotary_dim_, ctx.node.attr_int("rotary_embedding_dim", 0));
    WISP_ASSIGN_OR_RETURN(num_heads_, ctx.node.attr_int("num_heads", 0));
    WISP_ASSIGN_OR_RETURN(int64_t packed, ctx.node.attr_int("is_packed_batching", 0));
    WISP_CHECK_MODEL(rotary_dim_ >= 0 && num_heads_ >= 0, "attributes rotary_embedding_dim and num_heads must be >= 0");
    WISP_CHECK_MODEL(rotary_dim_ == 0 || num_heads_ > 0, "num_heads must be given with rotary_embedding_dim");
    if (packed != 0) return unsupported("RotaryEmbedding with is_packed_batching = 1 is not supported");
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(1) && ctx.has_input(2) && ctx.has_input(3),
                   "inputs input, position_ids, cos_cache and sin_cache are all required");
    const Tensor& x = ctx.input(0);
    const Tensor& pos = ctx.input(1);
    const Tensor& cos = ctx.input(2);
    const Tensor& sin = ctx.input(3);
    WISP_ASSIGN_OR_RETURN(Geometry g, geometry(x, cos, sin));
    WISP_CHECK_ARG(pos.dtype() == DType::Int64 || pos.dtype() == DType::Int32,
                   "position_ids must be int64, got ", pos.describe());
    const bool one_start = pos.numel() == 1 && pos.rank() <= 1;
    WISP_CHECK_ARG(one_start || (pos.rank() == 2 && pos.dim(0) == g.batch && pos.dim(1) == g.seq),
                   "position_ids must have shape (1) or (batch_size, sequence_length) = (", g.batch, ", ", g.seq,
                   "), got ", pos.describe());
    // Resolve and check every token's position up front, so the kernel cannot read past the cache.
    const int64_t max_pos = cos.dim(0);
    std::vector<int64_t> positions(static_cast<size_t>(g.batch * g.seq));
    for (int64_t b = 0; b < g.batch; ++b) {
      for (int64_t s = 0; s < g.seq; ++s) {
        const int64_t p = one_start ? pos.get_as_int64(0) + s : pos.get_as_int64(b * g.seq + s);
        WISP_CHECK_ARG(p >= 0 && p < max_pos, "position ", p, " (batch ", b, ", token ", s,
                       ") is outside the cos/sin cache of ", max_pos, " positions");
        positions[size_t(b * g.seq + s)] = p;
      }
    }

    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), x.shape()));
    if (x.numel() == 0) return Status::ok();
    return nn::visit_float(x.dtype(), "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      run_typed<T>(ctx, g, positions, x.data<T>(), cos.data<T>(), sin.data<T>(), out->data<T>());
      return Status::ok();
    });
  }

 private:
  Result<Geometry> geometry(const Tensor& x, const Tensor& cos, const Tensor& sin) const {
    WISP_CHECK_ARG(x.rank() == 3 || x.rank() == 4, "input must be 3-D (batch, seq, hidden) or 4-D (batch, heads, "
                   "seq, head_size), got ", x.describe());
    WISP_CHECK_ARG(cos.rank() == 2 && cos.shape() == sin.shape(), "cos_cache and sin_cache must be 2-D of the same "
                   "shape, got ", cos.describe(), " and ", sin.describe());
    WISP_CHECK_ARG(cos.dtype() == x.dtype() && sin.dtype() == x.dtype(), "cos_cache and sin_cache must have the "
                   "input's type ", dtype_name(x.dtype()));
    Geometry g;
    g.batch = x.dim(0);
    const int64_t half = cos.dim(1);
    if (x.rank() == 4) {
      g.heads = x.dim(1);
      g.seq = x.dim(2);
      g.head_size = x.dim(3);
      WISP_CHECK_ARG(num_heads_ == 0 || num_heads_ == g.heads, "num_heads ", num_heads_, " differs from the input's ",
                     g.heads, " heads ", x.describe());
    } else {
      g.seq = x.dim(1);
      const int64_t hidden = x.dim(2);
      if (num_heads_ > 0) {
        WISP_CHECK_ARG(hidden % num_heads_ == 0, "hidden size ", hidden, " is not a multiple of num_heads ", num_heads_);
        g.heads = num_heads_;
        g.head_size = hidden / num_heads_;
      } else {
        WISP_CHECK_ARG(half > 0 && hidden % (2 * half) == 0, "hidden size ", hidden,
                       " is not a multiple of the head size 2 * ", half, " given by the cos/sin cache");
        g.head_size = 2 * half;
        g.heads = hidden / g.head_size;
      }
    }
    g.rotary = rotary_dim_ > 0 ? rotary_dim_ : g.head_size;
    WISP_CHECK_ARG(g.rotary <= g.head_size && g.rotary % 2 == 0, "rotary_embedding_dim ", g.rotary,
                   " must be even and at most the head size ", g.head_size);
    WISP_CHECK_ARG(half * 2 == g.rotary, "cos_cache/sin_cache must have ", g.rotary / 2,
                   " columns (rotary dimension / 2), got ", cos.describe());
    if (x.rank() == 4) {
      g.seq_stride = g.head_size;
      g.head_stride = g.seq * g.head_size;
      g.batch_stride = g.heads * g.head_stride;
    } else {
      g.head_stride = g.head_size;
      g.seq_stride = g.heads * g.head_size;
      g.batch_stride = g.seq * g.seq_stride;
    }
    return g;
  }

  template <typename T>
  void run_typed(OpContext& ctx, const Geometry& g, const std::vector<int64_t>& positions, const T* x, const T* cos,
                 const T* sin, T* out) const {
    using IO = FloatIO<T>;
    const int64_t half = g.rotary / 2;
    const int64_t vectors = g.batch * g.seq * g.heads;
    const bool interleaved = interleaved_;
    parallel_for(ctx.threads(), vectors, nn::chunk_for(g.head_size * 4), [&](int64_t lo, int64_t hi) {
      // Float copies of one head vector and its cache rows (the compute type for every dtype).
      std::vector<float> buf(static_cast<size_t>(g.rotary * 2 + half * 2));
      float* xv = buf.data();
      float* yv = xv + g.rotary;
      float* cv = yv + g.rotary;
      float* sv = cv + half;
      for (int64_t v = lo; v < hi; ++v) {
        const int64_t n = v % g.heads;
        const int64_t s = (v / g.heads) % g.seq;
        const int64_t b = v / (g.heads * g.seq);
        const int64_t offset = b * g.batch_stride + s * g.seq_stride + n * g.head_stride;
        const T* c = cos + positions[size_t(b * g.seq + s)] * half;
        const T* sn = sin + positions[size_t(b * g.seq + s)] * half;
        for (int64_t i = 0; i < g.rotary; ++i) xv[i] = float(IO::load(x[offset + i]));
        for (int64_t i = 0; i < half; ++i) {
          cv[i] = float(IO::load(c[i]));
          sv[i] = float(IO::load(sn[i]));
        }
        rotate(xv, cv, sv, g.rotary, interleaved, yv);
        T* o = out + offset;
        for (int64_t i = 0; i < g.rotary; ++i) o[i] = IO::store(typename IO::Acc(yv[i]));
        // The values past the rotary dimension pass through unchanged.
        if (g.rotary < g.head_size) std::memcpy(o + g.rotary, x + offset + g.rotary, size_t(g.head_size - g.rotary) * sizeof(T));
      }
    });
  }

  bool interleaved_ = false;
  int64_t rotary_dim_ = 0;
  int64_t num_heads_ = 0;
};

}  // namespace

void register_contrib_rotary_ops(OpRegistry& registry) {
  registry.add<RotaryEmbeddingOp>("RotaryEmbedding", kMicrosoftDomain);
}

}  // namespace wisp::contrib
