// Cast and CastLike between every numeric dtype, bool and string.
#include "core/base/bit_cast.h"

#include <cstdio>
#include <cstdlib>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/ops/elementwise/drivers.h"
#include "core/ops/elementwise/families.h"

namespace wisp::elementwise {
namespace {

bool iequals(const std::string& a, const char* b) {
  size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (size_t i = 0; i < n; ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

// Parses a float literal; "NaN", "INF", "+INF" and "-INF" in any case are special values.
// Anything unparsable gives 0 (the spec leaves it undefined).
double parse_double(const std::string& s) {
  if (iequals(s, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (iequals(s, "inf") || iequals(s, "+inf")) return std::numeric_limits<double>::infinity();
  if (iequals(s, "-inf")) return -std::numeric_limits<double>::infinity();
  return std::strtod(s.c_str(), nullptr);
}

template <typename TO>
TO parse_string(const std::string& s) {
  if constexpr (is_int_v<TO>) {
    // Exact for integer literals (int64 does not fit a double); "100.5" falls back to 100.
    const char* begin = s.c_str();
    char* end = nullptr;
    if constexpr (std::is_signed_v<TO>) {
      long long v = std::strtoll(begin, &end, 10);
      if (end != begin && *end == '\0') return TO(v);
    } else {
      unsigned long long v = std::strtoull(begin, &end, 10);
      if (end != begin && *end == '\0' && s.find('-') == std::string::npos) return TO(v);
    }
    return saturate_cast<TO>(parse_double(s));
  } else if constexpr (is_bool_v<TO>) {
    return parse_double(s) != 0;
  } else {
    return store_as<TO>(parse_double(s));
  }
}

// The fewest significant digits that read back as the same value. (std::to_chars for floats
// would do this, but Emscripten 3.1.6's libc++ lacks it.)
template <typename F>
std::string shortest_round_trip(F x) {
  char buf[64];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, double(x));
    if (F(std::strtod(buf, nullptr)) == x) break;
  }
  return buf;
}

// Floats use the shortest representation that round-trips ("0.1", "1e-05"), like numpy.
template <typename TI>
std::string format_value(const TI& v) {
  if constexpr (is_bool_v<TI>) {
    return v ? "1" : "0";
  } else if constexpr (is_int_v<TI>) {
    return std::to_string(v);
  } else {
    const auto x = Arith<TI>::load(v);
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "INF" : "-INF";
    return shortest_round_trip(x);
  }
}

template <typename TO, typename TI>
TO convert(const TI& v) {
  if constexpr (std::is_same_v<TO, TI>) {
    return v;
  } else if constexpr (is_string_v<TI>) {
    return parse_string<TO>(v);
  } else if constexpr (is_string_v<TO>) {
    return format_value(v);
  } else {
    const auto a = Arith<TI>::load(v);
    if constexpr (is_bool_v<TO>) {
      return a != 0;  // NaN is true
    } else if constexpr (is_int_v<TO> && is_float_v<TI>) {
      return saturate_cast<TO>(a);
    } else if constexpr (std::is_same_v<TO, BFloat16> && is_float_v<TI>) {
      // Truncates to the upper 16 bits, which is what the ONNX backend test data for
      // Cast(float -> bfloat16) expects (arithmetic results elsewhere round to nearest even).
      const float f = float(a);
      if (f != f) return BFloat16{0x7fc0};
      return BFloat16{uint16_t(wisp::bit_cast<uint32_t>(f) >> 16)};
    } else {
      // Integer to integer wraps (two's complement, as the spec asks); to float rounds.
      return store_as<TO>(a);
    }
  }
}

// Converts `in` into a new tensor of dtype `to`.
Status cast_into(OpContext& ctx, const Tensor& in, DType to) {
  if (to == in.dtype()) {  // no conversion: share the input
    ctx.set_output(0, in);
    return Status::ok();
  }
  Status status = unsupported("cast from ", dtype_name(in.dtype()), " to ", dtype_name(to), " is not supported");
  visit_any_dtype(in.dtype(), [&](auto in_tag) {
    using TI = decltype(in_tag);
    visit_any_dtype(to, [&](auto out_tag) {
      using TO = decltype(out_tag);
      Result<Tensor> out = ctx.allocate(to, in.shape());
      if (!out.is_ok()) { status = out.status(); return; }
      const TI* src = elems<TI>(in);
      TO* dst = elems<TO>(*out);
      // Strings are slow to convert: use smaller chunks for them.
      const int64_t grain = (is_string_v<TI> || is_string_v<TO>) ? 256 : kCheapGrain;
      parallel_for(ctx.threads(), in.numel(), grain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) dst[i] = convert<TO>(src[i]);
      });
      ctx.set_output(0, std::move(*out));
      status = Status::ok();
    });
  });
  return status;
}

class CastKernel final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_CHECK_MODEL(ctx.node.has_attr("to"), "attribute 'to' is required");
    WISP_ASSIGN_OR_RETURN(int64_t to, ctx.node.attr_int("to", 0));
    WISP_CHECK_MODEL(to >= 0 && to <= INT32_MAX && dtype_is_known(int32_t(to)),
                     "attribute 'to' names an unsupported data type ", to);
    to_ = DType(to);
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    WISP_RETURN_IF_ERROR(require_inputs(ctx, 1));
    return cast_into(ctx, ctx.input(0), to_);
  }

 private:
  DType to_ = DType::Undefined;
};

// CastLike: casts input 0 to the dtype of input 1.
class CastLikeKernel final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    WISP_RETURN_IF_ERROR(require_inputs(ctx, 2));
    return cast_into(ctx, ctx.input(0), ctx.input(1).dtype());
  }
};

}  // namespace

void register_cast_ops(OpRegistry& registry) {
  registry.add<CastKernel>("Cast");
  registry.add<CastLikeKernel>("CastLike");
}

}  // namespace wisp::elementwise
