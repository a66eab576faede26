// TensorProto decoding: every dtype, raw and typed fields, packed and unpacked encodings, and
// the checks that stop a hostile tensor before anything large is allocated.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/loaders/file_bytes.h"
#include "core/loaders/onnx_tensor.h"
#include "tests/unit/onnx_proto_builder.h"

using namespace wisp;
namespace proto = wisp::test_proto;

namespace {

Result<Tensor> parse(const std::string& bytes, const TensorDecodeOptions& options = {}) {
  return parse_tensor_proto(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), options);
}

std::string parse_error(const std::string& bytes, const TensorDecodeOptions& options = {}) {
  auto t = parse(bytes, options);
  return t.is_ok() ? "" : t.status().message();
}

std::vector<double> values(const Tensor& t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.numel(); ++i) out.push_back(t.get_as_double(i));
  return out;
}

// ONNX TensorProto.DataType codes.
enum : int32_t { kFloat = 1, kUInt8 = 2, kInt8 = 3, kUInt16 = 4, kInt16 = 5, kInt32 = 6, kInt64 = 7, kString = 8,
                 kBool = 9, kFloat16 = 10, kDouble = 11, kUInt32 = 12, kUInt64 = 13, kBFloat16 = 16 };

}  // namespace

TEST_CASE("float_data packed and unpacked decode alike", "[onnx]") {
  const std::vector<float> v = {1.5f, -2.0f, 3.25f, 0.0f};
  auto packed = proto::with(proto::tensor_header(kFloat, {2, 2}),
                            [&](protozero::pbf_writer& w) { w.add_packed_float(4, v.begin(), v.end()); });
  auto unpacked = proto::with(proto::tensor_header(kFloat, {2, 2}), [&](protozero::pbf_writer& w) {
    for (float x : v) w.add_float(4, x);
  });
  for (const std::string& bytes : {packed, unpacked}) {
    auto t = parse(bytes);
    REQUIRE(t.is_ok());
    CHECK(t.value().dtype() == DType::Float32);
    CHECK(t.value().shape() == Shape{2, 2});
    CHECK(values(t.value()) == std::vector<double>{1.5, -2.0, 3.25, 0.0});
  }
}

TEST_CASE("int32_data carries the small integer types, bool and 16-bit floats", "[onnx]") {
  const std::vector<int32_t> v = {-3, 0, 7};
  struct Case { int32_t type; DType dtype; std::vector<double> expected; };
  for (const Case& c : {Case{kInt8, DType::Int8, {-3, 0, 7}}, Case{kInt16, DType::Int16, {-3, 0, 7}},
                        Case{kInt32, DType::Int32, {-3, 0, 7}}, Case{kUInt8, DType::UInt8, {253, 0, 7}},
                        Case{kUInt16, DType::UInt16, {65533, 0, 7}}, Case{kBool, DType::Bool, {1, 0, 1}}}) {
    INFO(dtype_name(c.dtype));
    auto packed = proto::with(proto::tensor_header(c.type, {3}),
                              [&](protozero::pbf_writer& w) { w.add_packed_int32(5, v.begin(), v.end()); });
    auto unpacked = proto::with(proto::tensor_header(c.type, {3}), [&](protozero::pbf_writer& w) {
      for (int32_t x : v) w.add_int32(5, x);
    });
    for (const std::string& bytes : {packed, unpacked}) {
      auto t = parse(bytes);
      REQUIRE(t.is_ok());
      CHECK(t.value().dtype() == c.dtype);
      CHECK(values(t.value()) == c.expected);
    }
  }
  // float16 and bfloat16 travel as their bit patterns.
  const std::vector<int32_t> bits = {0x3c00, 0xc000};  // 1.0 and -2.0 in half
  auto half = proto::with(proto::tensor_header(kFloat16, {2}),
                          [&](protozero::pbf_writer& w) { w.add_packed_int32(5, bits.begin(), bits.end()); });
  auto t = parse(half);
  REQUIRE(t.is_ok());
  CHECK(values(t.value()) == std::vector<double>{1.0, -2.0});
  const std::vector<int32_t> bf_bits = {0x3f80, 0x4040};  // 1.0 and 3.0 in bfloat16
  auto bf = proto::with(proto::tensor_header(kBFloat16, {2}), [&](protozero::pbf_writer& w) {
    for (int32_t x : bf_bits) w.add_int32(5, x);
  });
  t = parse(bf);
  REQUIRE(t.is_ok());
  CHECK(t.value().dtype() == DType::BFloat16);
  CHECK(values(t.value()) == std::vector<double>{1.0, 3.0});
}

TEST_CASE("int64, uint64, uint32, double and string fields", "[onnx]") {
  const std::vector<int64_t> i64 = {-(int64_t(1) << 40), 5};
  auto a = parse(proto::with(proto::tensor_header(kInt64, {2}),
                             [&](protozero::pbf_writer& w) { w.add_packed_int64(7, i64.begin(), i64.end()); }));
  REQUIRE(a.is_ok());
  CHECK(a.value().data<int64_t>()[0] == -(int64_t(1) << 40));
  auto b = parse(proto::with(proto::tensor_header(kInt64, {2}), [&](protozero::pbf_writer& w) {
    for (int64_t x : i64) w.add_int64(7, x);
  }));
  REQUIRE(b.is_ok());
  CHECK(b.value().data<int64_t>()[1] == 5);

  const std::vector<uint64_t> u64 = {uint64_t(1) << 63, 9};
  auto c = parse(proto::with(proto::tensor_header(kUInt64, {2}),
                             [&](protozero::pbf_writer& w) { w.add_packed_uint64(11, u64.begin(), u64.end()); }));
  REQUIRE(c.is_ok());
  CHECK(c.value().data<uint64_t>()[0] == uint64_t(1) << 63);
  auto d = parse(proto::with(proto::tensor_header(kUInt32, {1}), [](protozero::pbf_writer& w) { w.add_uint64(11, 4000000000u); }));
  REQUIRE(d.is_ok());
  CHECK(d.value().data<uint32_t>()[0] == 4000000000u);

  const std::vector<double> f64 = {0.1, -1e300};
  auto e = parse(proto::with(proto::tensor_header(kDouble, {2}),
                             [&](protozero::pbf_writer& w) { w.add_packed_double(10, f64.begin(), f64.end()); }));
  REQUIRE(e.is_ok());
  CHECK(e.value().data<double>()[1] == -1e300);
  auto f = parse(proto::with(proto::tensor_header(kDouble, {2}), [&](protozero::pbf_writer& w) {
    for (double x : f64) w.add_double(10, x);
  }));
  REQUIRE(f.is_ok());
  CHECK(f.value().data<double>()[0] == 0.1);

  auto s = parse(proto::with(proto::tensor_header(kString, {2}), [](protozero::pbf_writer& w) {
    w.add_string(6, "hello");
    w.add_string(6, std::string("a\0b", 3));
  }));
  REQUIRE(s.is_ok());
  CHECK(s.value().strings()[0] == "hello");
  CHECK(s.value().strings()[1] == std::string("a\0b", 3));
}

TEST_CASE("raw_data of every numeric dtype", "[onnx]") {
  for (int32_t code : {kFloat, kUInt8, kInt8, kUInt16, kInt16, kInt32, kInt64, kBool, kFloat16, kDouble, kUInt32,
                       kUInt64, kBFloat16}) {
    const DType dtype = DType(code);
    INFO(dtype_name(dtype));
    std::string raw(3 * dtype_size(dtype), '\0');
    raw[0] = 1;  // element 0 is 1 (or a tiny float), the others 0
    auto t = parse(proto::with(proto::tensor_header(code, {3}), [&](protozero::pbf_writer& w) { w.add_bytes(9, raw.data(), raw.size()); }));
    REQUIRE(t.is_ok());
    CHECK(t.value().dtype() == dtype);
    CHECK(t.value().numel() == 3);
    CHECK(std::memcmp(t.value().raw_data(), raw.data(), raw.size()) == 0);
  }
  // Scalars (no dims) and empty tensors.
  float one = 1.0f;
  auto scalar = parse(proto::with(proto::tensor_header(kFloat, {}), [&](protozero::pbf_writer& w) { w.add_bytes(9, reinterpret_cast<const char*>(&one), 4); }));
  REQUIRE(scalar.is_ok());
  CHECK(scalar.value().shape().empty());
  CHECK(scalar.value().data<float>()[0] == 1.0f);
  auto empty = parse(proto::tensor_header(kFloat, {0, 3}));
  REQUIRE(empty.is_ok());
  CHECK(empty.value().numel() == 0);
}

TEST_CASE("bool raw bytes other than 0 and 1 are normalised", "[onnx]") {
  const char raw[] = {0, 1, 2, char(0xff)};
  auto t = parse(proto::with(proto::tensor_header(kBool, {4}), [&](protozero::pbf_writer& w) { w.add_bytes(9, raw, 4); }));
  REQUIRE(t.is_ok());
  const uint8_t* bytes = static_cast<const uint8_t*>(t.value().raw_data());
  CHECK(std::vector<int>(bytes, bytes + 4) == std::vector<int>{0, 1, 1, 1});
}

TEST_CASE("inconsistent or hostile tensors are named errors", "[onnx]") {
  // A huge shape without data fails on the count, before anything is allocated.
  CHECK_THAT(parse_error(proto::tensor_header(kFloat, {int64_t(1) << 16, int64_t(1) << 15}, "big")),
             Catch::Contains("'big'") && Catch::Contains("0 values in float_data"));
  CHECK_THAT(parse_error(proto::tensor_header(kFloat, {int64_t(1) << 40, 1 << 20}, "huge")),
             Catch::Contains("huge"));
  CHECK_THAT(parse_error(proto::tensor_header(kFloat, {2, -1}, "neg")),
             Catch::Contains("'neg'") && Catch::Contains("negative"));
  CHECK_THAT(parse_error(proto::tensor_header(99, {1}, "odd")), Catch::Contains("'odd'") && Catch::Contains("99"));
  CHECK_THAT(parse_error(proto::with(proto::tensor_header(kInt32, {4}, "short"), [](protozero::pbf_writer& w) { w.add_bytes(9, "abc", 3); })),
             Catch::Contains("'short'") && Catch::Contains("raw_data"));
  CHECK_THAT(parse_error(proto::with(proto::tensor_header(kFloat, {3}, "few"), [](protozero::pbf_writer& w) { w.add_float(4, 1.0f); })),
             Catch::Contains("'few'") && Catch::Contains("1 values in float_data, expected 3"));
  CHECK_THAT(parse_error(proto::with(proto::tensor_header(kString, {2}, "strs"), [](protozero::pbf_writer& w) { w.add_string(6, "x"); })),
             Catch::Contains("'strs'"));
  // A limit below the tensor's size.
  TensorDecodeOptions small;
  small.limits.max_tensor_elements = 10;
  CHECK_THAT(parse_error(proto::tensor_header(kFloat, {4, 4}, "limited"), small), Catch::Contains("limited"));
  // External data with no model folder.
  auto external = proto::with(proto::tensor_header(kFloat, {1}, "ext"), [](protozero::pbf_writer& w) {
    std::string kv;
    protozero::pbf_writer e(kv);
    e.add_string(1, "location");
    e.add_string(2, "weights.bin");
    w.add_message(13, kv);
    w.add_int32(14, 1);
  });
  CHECK_THAT(parse_error(external), Catch::Contains("'ext'") && Catch::Contains("loaded from memory"));
  // Truncations of a valid tensor never crash.
  const std::vector<float> v = {1, 2, 3, 4, 5, 6};
  std::string good = proto::with(proto::tensor_header(kFloat, {2, 3}), [&](protozero::pbf_writer& w) { w.add_packed_float(4, v.begin(), v.end()); });
  for (size_t cut = 0; cut < good.size(); ++cut) CHECK(!parse(good.substr(0, cut)).is_ok());
}

TEST_CASE("every backend test tensor file decodes or fails cleanly", "[onnx]") {
  const std::filesystem::path root = std::string(WISP_SOURCE_DIR) + "/tests/data/onnx-backend-tests";
  REQUIRE(std::filesystem::is_directory(root));  // .ci/setup unpacks the backend tests
  int decoded = 0, refused = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".pb") continue;
    auto bytes = read_file_bytes(entry.path().string());
    REQUIRE(bytes.is_ok());
    auto t = parse_tensor_proto(bytes.value().data, bytes.value().size);
    if (t.is_ok()) ++decoded;
    else {
      ++refused;  // SequenceProto / OptionalProto files
      CHECK(!t.status().message().empty());
    }
  }
  CHECK(decoded > 2000);
  CHECK(refused < 100);
}
