#include <catch2/catch.hpp>

#include "core/tensor/tensor.h"

using namespace wisp;

TEST_CASE("tensor allocation, views and errors") {
  auto t = Tensor::zeros(DType::Float32, {2, 3});
  REQUIRE(t.is_ok());
  CHECK(t->numel() == 6);
  CHECK(t->nbytes() == 24);
  CHECK(reinterpret_cast<uintptr_t>(t->raw_data()) % kTensorAlignment == 0);
  auto v = t->reshaped({3, 2});
  REQUIRE(v.is_ok());
  CHECK(v->raw_data() == t->raw_data());
  CHECK_FALSE(t->reshaped({4}).is_ok());
  CHECK_FALSE(Tensor::empty(DType::Float32, {-1}).is_ok());
  auto huge = Tensor::empty(DType::Float32, {int64_t(1) << 40, int64_t(1) << 40});
  REQUIRE_FALSE(huge.is_ok());
  CHECK(huge.status().code() == ErrorCode::ResourceExhausted);
}

TEST_CASE("float16 and bfloat16 conversions round to nearest even") {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f}) {
    CHECK(half_to_float(float_to_half(f)) == f);
  }
  CHECK(float_to_half(1e6f) == 0x7c00);
  CHECK(half_to_float(float_to_half(1.0009765625f)) == 1.0009765625f);
  CHECK(bfloat16_to_float(float_to_bfloat16(1.5f)) == 1.5f);
}

TEST_CASE("broadcast shapes") {
  auto s = broadcast_shapes({2, 1, 4}, {3, 1});
  REQUIRE(s.is_ok());
  CHECK(*s == Shape{2, 3, 4});
  CHECK_FALSE(broadcast_shapes({2, 3}, {4}).is_ok());
}
