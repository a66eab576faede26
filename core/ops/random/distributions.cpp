// RandomUniform, RandomNormal and their *Like forms: tensors of random floats. The plain forms
// take the output shape from the `shape` attribute and the type from `dtype` (default float32);
// the Like forms take the shape of their input and, unless `dtype` is given, its type.
#include <cmath>
#include <limits>
#include <type_traits>
#include <optional>

#include "core/ops/nn/float_io.h"
#include "core/ops/random/random_ops.h"

namespace wisp::random_ops {
namespace {

enum class Dist { Uniform, Normal };

bool is_float_output(DType t) {
  return t == DType::Float32 || t == DType::Float64 || t == DType::Float16 || t == DType::BFloat16;
}

// The next representable T below `t` (t is not NaN).
template <typename T>
T step_down(T t) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    // Both are sign-magnitude 16-bit patterns: moving towards -inf shrinks a positive
    // magnitude and grows a negative one; below +0 comes the smallest negative subnormal.
    if (t.bits == 0) return T{0x8001};
    return T{uint16_t((t.bits & 0x8000) ? t.bits + 1 : t.bits - 1)};
  } else {
    return std::nextafter(t, -std::numeric_limits<T>::infinity());
  }
}

// The largest T below `high` and not below `low` (or `low` itself when T has nothing between):
// uniform draws that rounding to T pushed onto `high` use it, keeping the range half-open.
template <typename T>
T largest_below(float low, float high) {
  using IO = nn::FloatIO<T>;
  using Acc = typename IO::Acc;
  T t = IO::store(Acc(high));
  while (double(IO::load(t)) >= double(high)) t = step_down(t);  // one or two steps
  return double(IO::load(t)) < double(low) ? IO::store(Acc(low)) : t;
}

template <Dist D, bool Like>
class RandomOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    const Node& node = ctx.node;
    if (node.has_attr("dtype") || !Like) {
      WISP_ASSIGN_OR_RETURN(int64_t code, node.attr_int("dtype", int64_t(DType::Float32)));
      WISP_CHECK_ARG(dtype_is_known(int32_t(code)) && is_float_output(DType(code)), "dtype ", code,
                     " is not a float type (float16, float32, float64, bfloat16)");
      dtype_ = DType(code);
    }
    if constexpr (D == Dist::Uniform) {
      WISP_ASSIGN_OR_RETURN(a_, node.attr_float("low", 0.0f));
      WISP_ASSIGN_OR_RETURN(b_, node.attr_float("high", 1.0f));
      WISP_CHECK_ARG(a_ <= b_, "low ", a_, " must not exceed high ", b_);
    } else {
      WISP_ASSIGN_OR_RETURN(a_, node.attr_float("mean", 0.0f));
      WISP_ASSIGN_OR_RETURN(b_, node.attr_float("scale", 1.0f));
    }
    WISP_CHECK_ARG(std::isfinite(a_) && std::isfinite(b_), "the distribution's parameters must be finite");
    WISP_ASSIGN_OR_RETURN(seed_, read_seed(node));
    if constexpr (!Like) {
      WISP_CHECK_ARG(node.has_attr("shape"), "the shape attribute is required");
      WISP_ASSIGN_OR_RETURN(shape_, node.attr_ints("shape"));
      for (int64_t d : shape_) WISP_CHECK_ARG(d >= 0, "shape ", shape_to_string(shape_), " has a negative dim");
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    Shape shape = shape_;
    DType dtype = dtype_;
    if constexpr (Like) {
      WISP_CHECK_ARG(ctx.has_input(0), "input is missing");
      shape = ctx.input(0).shape();
      if (dtype == DType::Undefined) dtype = ctx.input(0).dtype();
    }
    return nn::visit_float(dtype, "the output (dtype, or the input's type)", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = nn::FloatIO<T>;
      using Acc = typename IO::Acc;
      WISP_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, dtype, shape));
      T* dst = y->data<T>();
      RandomSource rng(seed_);
      if constexpr (D == Dist::Uniform) {
        const T top = a_ < b_ ? largest_below<T>(a_, b_) : IO::store(Acc(a_));
        for (int64_t i = 0; i < y->numel(); ++i) {
          const T t = IO::store(Acc(double(a_) + rng.uniform() * (double(b_) - double(a_))));
          // Rounding to T may land on `high`, which the half-open range [low, high) excludes.
          dst[i] = double(IO::load(t)) >= double(b_) ? top : t;
        }
      } else {
        for (int64_t i = 0; i < y->numel(); ++i) dst[i] = IO::store(Acc(double(a_) + double(b_) * rng.normal()));
      }
      return Status::ok();
    });
  }

 private:
  DType dtype_ = DType::Undefined;  // Undefined: the input's type (Like forms)
  float a_ = 0, b_ = 1;             // low and high, or mean and scale
  std::optional<float> seed_;
  Shape shape_;
};

}  // namespace

void register_distribution_ops(OpRegistry& registry) {
  registry.add<RandomOp<Dist::Uniform, false>>("RandomUniform");
  registry.add<RandomOp<Dist::Uniform, true>>("RandomUniformLike");
  registry.add<RandomOp<Dist::Normal, false>>("RandomNormal");
  registry.add<RandomOp<Dist::Normal, true>>("RandomNormalLike");
}

}  // namespace wisp::random_ops
