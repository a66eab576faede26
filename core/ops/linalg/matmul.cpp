// MatMul (numpy semantics: batch dimensions broadcast, 1-D operands promoted) and Gemm.
// Both accept an activation fused by the optimizer (see fused_activation.h); MatMul also
// takes an optional third input written only by the optimizer: a float32 bias of N values
// added to every row of the product (MatMul + Add fused, see core/optimizer/).
#include <algorithm>
#include <memory>

#include "core/kernels/gemm.h"
#include "core/ops/linalg/fused_activation.h"
#include "core/ops/linalg/linalg_ops.h"
#include "core/ops/linalg/matmul_shape.h"

namespace wisp::linalg {

namespace {

// Reference multiply for the non-float32 types MatMul accepts.
template <typename T>
void matmul_reference(const T* a, const T* b, T* c, int64_t m, int64_t n, int64_t k) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      T sum = T(0);
      for (int64_t p = 0; p < k; ++p) sum += a[i * k + p] * b[p * n + j];
      c[i * n + j] = sum;
    }
  }
}

class MatMulOp : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_RETURN_IF_ERROR(activation_.read(ctx.node));
    // A constant 2-D float B (a weight matrix) is packed once here.
    const Tensor* b = ctx.constant_input(1);
    if (b && b->dtype() == DType::Float32 && b->rank() == 2) {
      packed_b_ = std::make_shared<kernels::PackedB>(kernels::MatrixView{b->data<float>(), b->dim(1), false}, b->dim(0),
                                                     b->dim(1));
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    WISP_CHECK_ARG(a.dtype() == b.dtype(), ctx.node().context(), "operands have different types ",
                   dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
    WISP_ASSIGN_OR_RETURN(MatMulShape shape, matmul_shape(ctx.node(), a.shape(), b.shape()));
    const int64_t m = shape.m, n = shape.n, k = shape.k, batches = shape.batches;
    const Shape &a_batch = shape.a_batch, &b_batch = shape.b_batch;
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, a.dtype(), shape.out_shape));
    const bool fused = activation_.active() || ctx.has_input(2);
    WISP_CHECK_ARG(!fused || a.dtype() == DType::Float32, ctx.node().context(),
                   "a fused bias or activation needs float32, got ", dtype_name(a.dtype()));
    kernels::GemmEpilogue ep;
    if (ctx.has_input(2)) {
      const Tensor& bias = ctx.input(2);
      WISP_CHECK_ARG(bias.dtype() == DType::Float32 && bias.numel() == n && (n == 1 || bias.dim(-1) == n),
                     ctx.node().context(), "bias ", bias.describe(), " must hold ", n, " float32 values");
      ep.col_bias = bias.data<float>();
    }
    activation_.set_epilogue(ep);
    if (a.dtype() == DType::Float32) {
      const bool b_is_shared = b_batch.empty() || numel(b_batch) == 1;
      std::shared_ptr<kernels::PackedB> packed = packed_b_;
      if (!packed && b_is_shared) {
        packed = std::make_shared<kernels::PackedB>(kernels::MatrixView{b.data<float>(), n, false}, k, n);
      }
      if (packed && numel(a_batch) == batches) {
        // B is the same for every batch: one tall product over all rows of A.
        kernels::gemm(batches * m, {a.data<float>(), k, false}, *packed, out->data<float>(), n, ep, ctx.threads());
        return Status::ok();
      }
      // Many small products (attention heads): one product per task; otherwise each product
      // uses every thread.
      const bool per_batch_tasks = batches > 1 && m * n * k < 128 * 128 * 128;
      auto run_batches = [&](int64_t begin, int64_t end, ThreadPool* threads) {
        for (int64_t i = begin; i < end; ++i) {
          const float* ap = a.data<float>() + shape.a_index(i) * m * k;
          const float* bp = b.data<float>() + shape.b_index(i) * k * n;
          float* op = out->data<float>() + i * m * n;
          kernels::gemm(m, n, k, {ap, k, false}, {bp, n, false}, op, n, ep, threads);
        }
      };
      if (per_batch_tasks) {
        parallel_for(ctx.threads(), batches, 1, [&](int64_t begin, int64_t end) { run_batches(begin, end, nullptr); });
      } else {
        run_batches(0, batches, ctx.threads());
      }
      return Status::ok();
    }
    bool supported = false;
    visit_numeric_dtype(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        for (int64_t i = 0; i < batches; ++i) {
          matmul_reference(a.data<T>() + shape.a_index(i) * m * k, b.data<T>() + shape.b_index(i) * k * n,
                           out->data<T>() + i * m * n, m, n, k);
        }
        supported = true;
      }
    });
    if (!supported) return unsupported(ctx.node().context(), "MatMul of ", dtype_name(a.dtype()));
    return Status::ok();
  }

 private:
  std::shared_ptr<kernels::PackedB> packed_b_;
  FusedActivation activation_;
};

class GemmOp : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(trans_a_, ctx.node.attr_int("transA", 0));
    WISP_ASSIGN_OR_RETURN(trans_b_, ctx.node.attr_int("transB", 0));
    WISP_ASSIGN_OR_RETURN(alpha_, ctx.node.attr_float("alpha", 1.0f));
    WISP_ASSIGN_OR_RETURN(beta_, ctx.node.attr_float("beta", 1.0f));
    WISP_RETURN_IF_ERROR(activation_.read(ctx.node));
    const Tensor* b = ctx.constant_input(1);
    if (b && b->dtype() == DType::Float32 && b->rank() == 2) {
      const int64_t k = trans_b_ ? b->dim(1) : b->dim(0), n = trans_b_ ? b->dim(0) : b->dim(1);
      packed_b_ = std::make_shared<kernels::PackedB>(kernels::MatrixView{b->data<float>(), b->dim(1), trans_b_ != 0}, k, n);
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    WISP_CHECK_ARG(a.rank() == 2 && b.rank() == 2, ctx.node().context(), "A and B must be 2-D, got ", a.describe(),
                   " and ", b.describe());
    WISP_CHECK_ARG(a.dtype() == b.dtype(), ctx.node().context(), "A and B have different types");
    const int64_t m = trans_a_ ? a.dim(1) : a.dim(0), k = trans_a_ ? a.dim(0) : a.dim(1);
    const int64_t kb = trans_b_ ? b.dim(1) : b.dim(0), n = trans_b_ ? b.dim(0) : b.dim(1);
    WISP_CHECK_ARG(k == kb, ctx.node().context(), "inner dimensions differ: ", a.describe(), " x ", b.describe());
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, a.dtype(), {m, n}));
    WISP_CHECK_ARG(!activation_.active() || a.dtype() == DType::Float32, ctx.node().context(),
                   "a fused activation needs float32, got ", dtype_name(a.dtype()));
    // C stays written into the output and accumulated with beta rather than passed as an
    // epilogue bias: with the epilogue bias, identical columns (the ONNX "light" model tests
    // use constant weights) came out differing in the last bits, and their huge logits turned
    // that into a visibly non-uniform softmax.
    const bool has_c = ctx.has_input(2) && beta_ != 0.0f;
    if (has_c) {
      // C broadcasts (unidirectionally) to [M, N]: write it first and accumulate with beta.
      const Tensor& c = ctx.input(2);
      WISP_CHECK_ARG(c.dtype() == a.dtype(), ctx.node().context(), "C has type ", dtype_name(c.dtype()));
      auto shape = broadcast_shapes(c.shape(), {m, n});
      WISP_CHECK_ARG(shape && shape.value() == Shape({m, n}), ctx.node().context(), "C ", c.describe(),
                     " does not broadcast to [", m, ", ", n, "]");
      Shape cs = c.shape();
      while (cs.size() < 2) cs.insert(cs.begin(), 1);
      const bool row = cs[0] != 1, col = cs[1] != 1;
      visit_numeric_dtype(a.dtype(), [&](auto tag) {
        using T = decltype(tag);
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j)
            out->data<T>()[i * n + j] = c.data<T>()[(row ? i * cs[1] : 0) + (col ? j : 0)];
      });
    }
    if (a.dtype() == DType::Float32) {
      kernels::GemmEpilogue ep;
      ep.alpha = alpha_;
      ep.beta = has_c ? beta_ : 0.0f;
      activation_.set_epilogue(ep);
      kernels::MatrixView av{a.data<float>(), a.dim(1), trans_a_ != 0};
      if (packed_b_) {
        kernels::gemm(m, av, *packed_b_, out->data<float>(), n, ep, ctx.threads());
      } else {
        kernels::gemm(m, n, k, av, {b.data<float>(), b.dim(1), trans_b_ != 0}, out->data<float>(), n, ep, ctx.threads());
      }
      return Status::ok();
    }
    bool supported = false;
    visit_numeric_dtype(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            T sum = T(0);
            for (int64_t p = 0; p < k; ++p) {
              T av = trans_a_ ? a.data<T>()[p * m + i] : a.data<T>()[i * k + p];
              T bv = trans_b_ ? b.data<T>()[j * k + p] : b.data<T>()[p * n + j];
              sum += av * bv;
            }
            T& o = out->data<T>()[i * n + j];
            o = T(alpha_ * sum + (has_c ? beta_ * o : T(0)));
          }
        }
        supported = true;
      }
    });
    if (!supported) return unsupported(ctx.node().context(), "Gemm of ", dtype_name(a.dtype()));
    return Status::ok();
  }

 private:
  int64_t trans_a_ = 0, trans_b_ = 0;
  float alpha_ = 1, beta_ = 1;
  std::shared_ptr<kernels::PackedB> packed_b_;
  FusedActivation activation_;
};

}  // namespace

void register_matmul_ops(OpRegistry& registry) {
  registry.add<MatMulOp>("MatMul");
  registry.add<GemmOp>("Gemm");
}

}  // namespace wisp::linalg
