// Unit tests of QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear and Det beyond the ONNX
// backend cases: rounding ties to even, saturation, per-axis parameters, shape errors, the
// all-zero DynamicQuantizeLinear input, and singular / batched determinants.
#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/unit/op_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

// A one-node test of `op_type` (OpTest{"X"} would warn under -Wextra: missing initialisers).
OpTest node(const std::string& op_type) {
  OpTest t;
  t.op_type = op_type;
  return t;
}

OpTest quantize(const Tensor& x, const Tensor& scale, const Tensor& zero_point = Tensor()) {
  OpTest t = node("QuantizeLinear");
  t.inputs = {x, scale};
  if (zero_point.defined()) t.inputs.push_back(zero_point);
  return t;
}

OpTest dequantize(const Tensor& x, const Tensor& scale, const Tensor& zero_point = Tensor()) {
  OpTest t = node("DequantizeLinear");
  t.inputs = {x, scale};
  if (zero_point.defined()) t.inputs.push_back(zero_point);
  return t;
}

Tensor f32(Shape shape, std::vector<float> v) { return Tensor::from_vector<float>(std::move(shape), v); }
Tensor i8(Shape shape, std::vector<int8_t> v) { return Tensor::from_vector<int8_t>(std::move(shape), v); }
Tensor u8(Shape shape, std::vector<uint8_t> v) { return Tensor::from_vector<uint8_t>(std::move(shape), v); }

}  // namespace

TEST_CASE("QuantizeLinear rounds halves to even", "[quantize]") {
  // scale 1: the quotient is the value itself.
  const Tensor x = f32({10}, {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, -0.5f, -1.5f, -2.5f, -3.5f, 2.5001f});
  check_tensor(run_ok(quantize(x, Tensor::scalar_of(1.0f), i8({}, {0})))[0],
               i8({10}, {0, 2, 2, 4, 4, 0, -2, -2, -4, 3}));
  // scale 2: 5 / 2 = 2.5 -> 2 and 7 / 2 = 3.5 -> 4 (round half up would give 3 and 4, half away
  // from zero 3 and 4, truncation 2 and 3).
  check_tensor(run_ok(quantize(f32({4}, {5, 7, -5, -7}), Tensor::scalar_of(2.0f), i8({}, {0})))[0],
               i8({4}, {2, 4, -2, -4}));
  // The zero point is added after rounding: round(2.5) + 1 = 3, not round(2.5 + 1) = 4;
  // round(3.5) + 1 = 5, not round(4.5) = 4.
  check_tensor(run_ok(quantize(f32({2}, {2.5f, 3.5f}), Tensor::scalar_of(1.0f), u8({}, {1})))[0],
               u8({2}, {3, 5}));
}

TEST_CASE("QuantizeLinear saturates at the bounds of the output type", "[quantize]") {
  SECTION("int8") {
    const Tensor x = f32({7}, {-1000, 1000, -128.4f, -128.6f, 127.4f, 127.5f, -129});
    check_tensor(run_ok(quantize(x, Tensor::scalar_of(1.0f), i8({}, {0})))[0],
                 i8({7}, {-128, 127, -128, -128, 127, 127, -128}));
    // With a zero point the bound applies after adding it: -120 + (-10) = -130 -> -128.
    check_tensor(run_ok(quantize(f32({3}, {-120, 120, 137}), Tensor::scalar_of(1.0f), i8({}, {-10})))[0],
                 i8({3}, {-128, 110, 127}));
    // Infinities saturate too; NaN has no value and maps to the zero point.
    const float inf = std::numeric_limits<float>::infinity();
    check_tensor(run_ok(quantize(f32({3}, {inf, -inf, std::nanf("")}), Tensor::scalar_of(1.0f), i8({}, {3})))[0],
                 i8({3}, {127, -128, 3}));
  }
  SECTION("uint8, the default output type") {
    const Tensor x = f32({6}, {-5, 300, 255.5f, 254.5f, -0.5f, 1e9f});
    // No zero point: uint8 with zero point 0.
    Tensor y = run_ok(quantize(x, Tensor::scalar_of(1.0f)))[0];
    check_tensor(y, u8({6}, {0, 255, 255, 254, 0, 255}));
    check_tensor(run_ok(quantize(f32({3}, {-200, 100, 127.5f}), Tensor::scalar_of(1.0f), u8({}, {128})))[0],
                 u8({3}, {0, 228, 255}));
  }
}

TEST_CASE("QuantizeLinear / DequantizeLinear round trip", "[quantize]") {
  const float scale = 0.05f;
  SECTION("multiples of the scale come back unchanged up to float rounding") {
    std::vector<float> xs;
    for (int q = -128; q <= 127; ++q) xs.push_back(float(q) * scale);
    const Tensor x = f32({256}, xs);
    Tensor q = run_ok(quantize(x, Tensor::scalar_of(scale), i8({}, {0})))[0];
    REQUIRE(q.dtype() == DType::Int8);
    for (int64_t i = 0; i < 256; ++i) CHECK(q.get_as_int64(i) == i - 128);
    Tensor back = run_ok(dequantize(q, Tensor::scalar_of(scale), i8({}, {0})))[0];
    check_tensor(back, x, 1e-6, 1e-7);
  }
  SECTION("other values move by at most half a step, out-of-range ones saturate") {
    std::vector<float> xs;
    for (int i = 0; i < 400; ++i) xs.push_back(-10.0f + 0.05137f * float(i));  // [-10, 10.5)
    const Tensor x = f32({400}, xs);
    const uint8_t zp = 100;
    Tensor q = run_ok(quantize(x, Tensor::scalar_of(scale), u8({}, {zp})))[0];
    Tensor back = run_ok(dequantize(q, Tensor::scalar_of(scale), u8({}, {zp})))[0];
    REQUIRE(back.dtype() == DType::Float32);
    const float lowest = (0.0f - zp) * scale, highest = (255.0f - zp) * scale;  // -5, 7.75
    for (int64_t i = 0; i < 400; ++i) {
      INFO("x = " << xs[size_t(i)]);
      const double expected = std::clamp(double(xs[size_t(i)]), double(lowest), double(highest));
      CHECK(std::abs(back.get_as_double(i) - expected) <= scale / 2 + 1e-5);
    }
  }
  SECTION("DequantizeLinear: (x - zero_point) * scale for each input type") {
    check_tensor(run_ok(dequantize(i8({4}, {-128, -1, 0, 127}), Tensor::scalar_of(0.5f), i8({}, {-1})))[0],
                 f32({4}, {-63.5f, 0, 0.5f, 64}));
    check_tensor(run_ok(dequantize(u8({3}, {0, 128, 255}), Tensor::scalar_of(2.0f), u8({}, {128})))[0],
                 f32({3}, {-256, 0, 254}));
    // int32 (no zero point: 0); large values keep their precision up to float rounding.
    check_tensor(run_ok(dequantize(Tensor::from_vector<int32_t>({3}, {-2147483647 - 1, 7, 1 << 20}),
                                   Tensor::scalar_of(0.25f)))[0],
                 f32({3}, {-536870912.0f, 1.75f, 262144.0f}));
  }
}

TEST_CASE("QuantizeLinear / DequantizeLinear with per-axis scales and zero points", "[quantize]") {
  // x is [2, 3, 2], quantized along axis 1 with scales {1, 2, 4} and zero points {0, 1, -1}.
  const Tensor x = f32({2, 3, 2}, {1, 2, 3, 4, 5, 6, -1, -2, -3, -5, 10, 600});
  const Tensor scale = f32({3}, {1, 2, 4});
  const Tensor zp = i8({3}, {0, 1, -1});
  // By hand, y = saturate(round_half_even(x / scale[k]) + zp[k]) with k the index along axis 1:
  //   k=0: 1, 2 | -1, -2
  //   k=1: 3/2=1.5->2, 4/2=2 -> +1 = 3, 3 | -3/2=-1.5->-2, -5/2=-2.5->-2 -> +1 = -1, -1
  //   k=2: 5/4=1.25->1, 6/4=1.5->2 -> -1 = 0, 1 | 10/4=2.5->2 -> 1, 600/4=150 -> 149 -> 127
  const Tensor q_expected = i8({2, 3, 2}, {1, 2, 3, 3, 0, 1, -1, -2, -1, -1, 1, 127});
  for (int64_t axis : {int64_t(1), int64_t(-2)}) {
    INFO("axis " << axis);
    OpTest q = quantize(x, scale, zp);
    q.attr("axis", axis);
    Tensor y = run_ok(q)[0];
    check_tensor(y, q_expected);
    // Back: (y - zp[k]) * scale[k]:
    //   k=0: 1, 2 | -1, -2;  k=1: (3-1)*2 = 4, 4 | (-1-1)*2 = -4, -4
    //   k=2: (0+1)*4 = 4, (1+1)*4 = 8 | (1+1)*4 = 8, (127+1)*4 = 512
    OpTest d = dequantize(y, scale, zp);
    d.attr("axis", axis);
    check_tensor(run_ok(d)[0], f32({2, 3, 2}, {1, 2, 4, 4, 4, 8, -1, -2, -4, -4, 8, 512}));
  }
  // Axis 0 of a [2, 3] matrix (rows) and the default axis 1 (columns) of the same matrix.
  const Tensor m = f32({2, 3}, {10, 20, 30, 10, 20, 30});
  OpTest rows = quantize(m, f32({2}, {10, 5}), u8({2}, {0, 50}));
  rows.attr("axis", int64_t(0));
  check_tensor(run_ok(rows)[0], u8({2, 3}, {1, 2, 3, 52, 54, 56}));
  check_tensor(run_ok(quantize(m, f32({3}, {10, 5, 1}), u8({3}, {0, 50, 200})))[0],
               u8({2, 3}, {1, 54, 230, 1, 54, 230}));
}

TEST_CASE("QuantizeLinear / DequantizeLinear opset 21: blocked scales and output_dtype", "[quantize]") {
  // x [2, 5] in blocks of 2 along axis 1: 3 blocks per row (the last one holds 1 element), so
  // the scale is [2, 3]. By hand, round_half_even(x / scale of the element's block):
  //   row 0, scales 1, 2, 4: 1/1, 2/1 | 3/2=1.5->2, 4/2 | 5/4=1.25->1
  //   row 1, scales 8, 1, 3: 8/8, 12/8=1.5->2 | -3/1, 100/1 | 9/3
  const Tensor x = f32({2, 5}, {1, 2, 3, 4, 5, 8, 12, -3, 100, 9});
  const Tensor scale = f32({2, 3}, {1, 2, 4, 8, 1, 3});
  const Tensor zp = i8({2, 3}, {0, 0, 0, 0, 0, 10});  // the last block of row 1 adds 10
  OpTest q = quantize(x, scale, zp);
  q.opset = 21;
  q.attr("axis", int64_t(1)).attr("block_size", int64_t(2));
  Tensor y = run_ok(q)[0];
  check_tensor(y, i8({2, 5}, {1, 2, 2, 2, 1, 1, 2, -3, 100, 13}));
  // Back: (y - zp) * scale of the block.
  OpTest d = dequantize(y, scale, zp);
  d.opset = 21;
  d.attr("axis", int64_t(1)).attr("block_size", int64_t(2));
  check_tensor(run_ok(d)[0], f32({2, 5}, {1, 2, 4, 4, 4, 8, 16, -3, 100, 9}));
  // A scale with the wrong number of blocks (2 instead of 3).
  OpTest bad = quantize(x, f32({2, 2}, {1, 1, 1, 1}), i8({2, 2}, {0, 0, 0, 0}));
  bad.opset = 21;
  bad.attr("axis", int64_t(1)).attr("block_size", int64_t(2));
  CHECK_THAT(run_err(bad).message(), Catch::Contains("block"));

  // output_dtype picks the type when there is no zero point; int8 saturates at -128 / 127.
  OpTest o = quantize(f32({3}, {-300, 2.5f, 300}), Tensor::scalar_of(1.0f));
  o.opset = 21;
  o.attr("output_dtype", int64_t(DType::Int8));
  check_tensor(run_ok(o)[0], i8({3}, {-128, 2, 127}));
  // ... and must agree with the zero point's type when both are given.
  o.inputs.push_back(u8({}, {0}));
  CHECK_THAT(run_err(o).message(), Catch::Contains("output_dtype"));
}

TEST_CASE("QuantizeLinear / DequantizeLinear reject mismatched scale and zero point shapes", "[quantize]") {
  const Tensor x = f32({2, 3, 2}, std::vector<float>(12, 1.0f));
  const Tensor xq = i8({2, 3, 2}, std::vector<int8_t>(12, 1));
  auto both = [&](const Tensor& scale, const Tensor& zp, int64_t axis, const char* needle) {
    OpTest q = quantize(x, scale, zp);
    q.attr("axis", axis);
    CHECK_THAT(run_err(q).message(), Catch::Contains(needle));
    OpTest d = dequantize(xq, scale, zp);
    d.attr("axis", axis);
    CHECK_THAT(run_err(d).message(), Catch::Contains(needle));
  };
  // Per-axis scale of the wrong length for axis 1 (size 3) and for axis 0 (size 2).
  both(f32({2}, {1, 1}), i8({2}, {0, 0}), 1, "scale");
  both(f32({3}, {1, 1, 1}), i8({3}, {0, 0, 0}), 0, "scale");
  // A 2-D scale is not a per-axis scale (and no block_size is given).
  both(f32({1, 3}, {1, 1, 1}), i8({1, 3}, {0, 0, 0}), 1, "scale");
  // The zero point must have the scale's shape.
  both(f32({3}, {1, 1, 1}), i8({2}, {0, 0}), 1, "zero point");
  both(f32({3}, {1, 1, 1}), i8({}, {0}), 1, "zero point");
  // Axis out of range.
  both(f32({3}, {1, 1, 1}), i8({3}, {0, 0, 0}), 3, "axis");
  // Opset 10 has only per-tensor scales.
  OpTest old = quantize(x, f32({3}, {1, 1, 1}));
  old.opset = 10;
  CHECK_THAT(run_err(old).message(), Catch::Contains("scalar"));
  // DequantizeLinear's zero point must have x's type.
  CHECK_THAT(run_err(dequantize(xq, Tensor::scalar_of(1.0f), u8({}, {0}))).message(),
             Catch::Contains("x_zero_point"));
  // Float zero points / int64 outputs are not quantized types.
  CHECK_FALSE(quantize(x, Tensor::scalar_of(1.0f), Tensor::from_vector<int64_t>({}, {0})).run().is_ok());
}

TEST_CASE("DynamicQuantizeLinear", "[quantize]") {
  auto run3 = [](const Tensor& x) {
    OpTest t = node("DynamicQuantizeLinear");
    t.inputs = {x};
    t.num_outputs = 3;
    return run_ok(t);
  };
  SECTION("an all-zero input: scale 0, zero point 0, every value 0 (no division by zero)") {
    auto out = run3(f32({2, 3}, std::vector<float>(6, 0.0f)));
    check_tensor(out[0], u8({2, 3}, {0, 0, 0, 0, 0, 0}));
    check_tensor(out[1], Tensor::scalar_of(0.0f));
    check_tensor(out[2], u8({}, {0}));
    // Empty input: the range is [0, 0] as well.
    auto empty = run3(f32({0, 4}, {}));
    CHECK(empty[0].shape() == Shape{0, 4});
    check_tensor(empty[1], Tensor::scalar_of(0.0f));
    check_tensor(empty[2], u8({}, {0}));
  }
  SECTION("the range is widened to include 0") {
    // All positive: range [0, 3], scale 3/255, zero point 0; 1, 2, 3 -> 85, 170, 255.
    auto pos = run3(f32({3}, {1, 2, 3}));
    check_tensor(pos[0], u8({3}, {85, 170, 255}));
    check_tensor(pos[1], Tensor::scalar_of(3.0f / 255.0f));
    check_tensor(pos[2], u8({}, {0}));
    // All negative: range [-2, 0], scale 2/255, zero point 255; -1.2 / (2/255) = -153 -> 102.
    auto neg = run3(f32({3}, {-2, -1.2f, 0}));
    check_tensor(neg[0], u8({3}, {0, 102, 255}));
    check_tensor(neg[1], Tensor::scalar_of(2.0f / 255.0f));
    check_tensor(neg[2], u8({}, {255}));
  }
  SECTION("non-float32 input is an error") {
    OpTest t = node("DynamicQuantizeLinear");
    t.inputs = {Tensor::from_vector<double>({1}, {1.0})};
    t.num_outputs = 3;
    CHECK_THAT(run_err(t).message(), Catch::Contains("float32"));
  }
}

TEST_CASE("Det: singular matrices give 0, batches give one determinant each", "[quantize]") {
  auto det = [](const Tensor& x) {
    OpTest t = node("Det");
    t.inputs = {x};
    return run_ok(t)[0];
  };
  SECTION("singular matrices") {
    // Proportional rows: LU with pivoting eliminates the second row to exactly 0.
    check_tensor(det(f32({2, 2}, {1, 2, 2, 4})), f32({}, {0}), 0, 0);
    // A zero column and a zero row.
    check_tensor(det(f32({3, 3}, {0, 1, 2, 0, 3, 4, 0, 5, 6})), f32({}, {0}), 0, 0);
    check_tensor(det(f32({3, 3}, {1, 2, 3, 0, 0, 0, 4, 5, 6})), f32({}, {0}), 0, 0);
    // Rank 2 (row 3 = 2 * row 2 - row 1): 0 up to rounding.
    check_tensor(det(f32({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})), f32({}, {0}), 0, 1e-5);
    check_tensor(det(Tensor::from_vector<double>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})),
                 Tensor::from_vector<double>({}, {0}), 0, 1e-12);
  }
  SECTION("a batch of 2x2 matrices [2, 2, 2, 2] -> [2, 2]") {
    const Tensor x = f32({2, 2, 2, 2}, {
                                           1, 2, 3, 4,  // 1*4 - 2*3 = -2
                                           2, 0, 0, 3,  // 6
                                           0, 1, 1, 0,  // a swap: -1
                                           1, 2, 2, 4,  // singular: 0
                                       });
    check_tensor(det(x), f32({2, 2}, {-2, 6, -1, 0}), 1e-6, 1e-6);
  }
  SECTION("a batch of 3x3 matrices, and 1x1 and 0x0 matrices") {
    const Tensor x = f32({3, 3, 3}, {
                                        2, 0, 0, 0, 3, 0, 0, 0, 4,  // diagonal: 24
                                        0, 1, 0, 0, 0, 1, 1, 0, 0,  // cyclic permutation (even): +1
                                        1, 2, 3, 0, 1, 4, 5, 6, 0,  // 1*(0-24) - 2*(0-20) + 3*(0-5) = 1
                                    });
    check_tensor(det(x), f32({3}, {24, 1, 1}), 1e-5, 1e-5);
    check_tensor(det(f32({2, 1, 1}, {-3, 0.5f})), f32({2}, {-3, 0.5f}));
    // The determinant of an empty matrix is 1 (the empty product), as in numpy.
    check_tensor(det(f32({2, 0, 0}, {})), f32({2}, {1, 1}));
  }
  SECTION("bad shapes") {
    OpTest t = node("Det");
    t.inputs = {f32({2, 3}, {1, 2, 3, 4, 5, 6})};
    CHECK_THAT(run_err(t).message(), Catch::Contains("square"));
    t.inputs = {f32({3}, {1, 2, 3})};
    CHECK_THAT(run_err(t).message(), Catch::Contains("2 dims"));
  }
}
