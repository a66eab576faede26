// MatMulInteger and QLinearMatMul: 8-bit matrix products with int32 accumulation, as a
// plain reference loop (quantized models are rare in Wisp's targets; correctness first).
#include <algorithm>
#include <cmath>

#include "core/ops/linalg/linalg_ops.h"
#include "core/ops/linalg/matmul_shape.h"

namespace wisp::linalg {

namespace {

bool is_8bit(DType t) { return t == DType::UInt8 || t == DType::Int8; }

// A zero point: absent (0), a scalar, or one value per row of A / column of B (`count`).
struct ZeroPoint {
  std::vector<int32_t> values{0};
  int32_t at(int64_t i) const { return values.size() == 1 ? values[0] : values[size_t(i)]; }
};

Result<ZeroPoint> read_zero_point(const OpContext& ctx, size_t input, DType expected, int64_t count, const char* what) {
  ZeroPoint zp;
  if (!ctx.has_input(input)) return zp;
  const Tensor& t = ctx.input(input);
  WISP_CHECK_ARG(t.dtype() == expected, ctx.node().context(), what, " zero point has type ", dtype_name(t.dtype()),
                 ", expected ", dtype_name(expected));
  WISP_CHECK_ARG(t.numel() == 1 || (t.rank() == 1 && t.numel() == count), ctx.node().context(), what,
                 " zero point ", t.describe(), " must be a scalar or have ", count, " values");
  zp.values.resize(size_t(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) zp.values[size_t(i)] = int32_t(t.get_as_int64(i));
  return zp;
}

// acc[b, i, j] = sum_p (A[i, p] - za(i)) * (B[p, j] - zb(j)) over the broadcast batches.
Status integer_matmul(const OpContext& ctx, const Tensor& a, const ZeroPoint& za, const Tensor& b, const ZeroPoint& zb,
                      const MatMulShape& s, int32_t* acc) {
  auto load = [](const Tensor& t, int64_t i) {
    return t.dtype() == DType::UInt8 ? int32_t(t.data<uint8_t>()[i]) : int32_t(t.data<int8_t>()[i]);
  };
  for (int64_t bi = 0; bi < s.batches; ++bi) {
    const int64_t a0 = s.a_index(bi) * s.m * s.k, b0 = s.b_index(bi) * s.k * s.n;
    for (int64_t i = 0; i < s.m; ++i) {
      for (int64_t j = 0; j < s.n; ++j) {
        int32_t sum = 0;
        for (int64_t p = 0; p < s.k; ++p) {
          sum += (load(a, a0 + i * s.k + p) - za.at(i)) * (load(b, b0 + p * s.n + j) - zb.at(j));
        }
        acc[(bi * s.m + i) * s.n + j] = sum;
      }
    }
  }
  return Status::ok();
}

class MatMulIntegerOp : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    WISP_CHECK_ARG(is_8bit(a.dtype()) && is_8bit(b.dtype()), ctx.node().context(), "A and B must be uint8 or int8, got ",
                   dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
    WISP_ASSIGN_OR_RETURN(MatMulShape s, matmul_shape(ctx.node(), a.shape(), b.shape()));
    // Per-row / per-column zero points only make sense for 2-D operands' last two dims.
    WISP_ASSIGN_OR_RETURN(ZeroPoint za, read_zero_point(ctx, 2, a.dtype(), s.m, "A"));
    WISP_ASSIGN_OR_RETURN(ZeroPoint zb, read_zero_point(ctx, 3, b.dtype(), s.n, "B"));
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DType::Int32, s.out_shape));
    return integer_matmul(ctx, a, za, b, zb, s, out->data<int32_t>());
  }
};

// Reads a float scale input: a scalar, or `count` values when per-axis scales are allowed.
Result<std::vector<float>> read_scale(const OpContext& ctx, size_t input, int64_t count, const char* what) {
  const Tensor& t = ctx.input(input);
  WISP_CHECK_ARG(t.dtype() == DType::Float32, ctx.node().context(), what, " scale must be float32, got ",
                 dtype_name(t.dtype()));
  WISP_CHECK_ARG(t.numel() == 1 || (t.rank() == 1 && t.numel() == count), ctx.node().context(), what, " scale ",
                 t.describe(), " must be a scalar or have ", count, " values");
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

class QLinearMatMulOp : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    const Node& node = ctx.node();
    WISP_CHECK_ARG(ctx.num_inputs() >= 8 && ctx.has_input(0) && ctx.has_input(1) && ctx.has_input(2) &&
                       ctx.has_input(3) && ctx.has_input(4) && ctx.has_input(5) && ctx.has_input(6) && ctx.has_input(7),
                   node.context(), "QLinearMatMul needs all 8 inputs");
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(3);
    WISP_CHECK_ARG(is_8bit(a.dtype()) && is_8bit(b.dtype()), node.context(), "a and b must be uint8 or int8, got ",
                   dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
    WISP_ASSIGN_OR_RETURN(MatMulShape s, matmul_shape(node, a.shape(), b.shape()));
    WISP_ASSIGN_OR_RETURN(auto a_scale, read_scale(ctx, 1, s.m, "a"));
    WISP_ASSIGN_OR_RETURN(ZeroPoint za, read_zero_point(ctx, 2, a.dtype(), s.m, "a"));
    WISP_ASSIGN_OR_RETURN(auto b_scale, read_scale(ctx, 4, s.n, "b"));
    WISP_ASSIGN_OR_RETURN(ZeroPoint zb, read_zero_point(ctx, 5, b.dtype(), s.n, "b"));
    WISP_ASSIGN_OR_RETURN(auto y_scale, read_scale(ctx, 6, 1, "y"));
    const DType y_type = ctx.input(7).dtype();
    WISP_CHECK_ARG(is_8bit(y_type), node.context(), "y zero point must be uint8 or int8, got ", dtype_name(y_type));
    WISP_ASSIGN_OR_RETURN(ZeroPoint zy, read_zero_point(ctx, 7, y_type, 1, "y"));
    WISP_CHECK_ARG(y_scale[0] != 0.0f, node.context(), "y scale is zero");

    std::vector<int32_t> acc(size_t(s.batches * s.m * s.n));
    WISP_RETURN_IF_ERROR(integer_matmul(ctx, a, za, b, zb, s, acc.data()));
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, y_type, s.out_shape));
    const float lo = y_type == DType::UInt8 ? 0.0f : -128.0f, hi = y_type == DType::UInt8 ? 255.0f : 127.0f;
    for (int64_t idx = 0; idx < int64_t(acc.size()); ++idx) {
      const int64_t j = idx % s.n, i = (idx / s.n) % s.m;
      const float scale = a_scale[a_scale.size() == 1 ? 0 : size_t(i)] * b_scale[b_scale.size() == 1 ? 0 : size_t(j)] /
                          y_scale[0];
      // Round half to even, as ONNX's reference and ORT do.
      const float q = std::clamp(std::nearbyint(float(acc[size_t(idx)]) * scale) + float(zy.at(0)), lo, hi);
      if (y_type == DType::UInt8) {
        out->data<uint8_t>()[idx] = uint8_t(q);
      } else {
        out->data<int8_t>()[idx] = int8_t(q);
      }
    }
    return Status::ok();
  }
};

}  // namespace

void register_quantized_matmul_ops(OpRegistry& registry) {
  registry.add<MatMulIntegerOp>("MatMulInteger");
  registry.add<QLinearMatMulOp>("QLinearMatMul");
}

}  // namespace wisp::linalg
