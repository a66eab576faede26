#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "core/io/npy.h"

using namespace wisp;

namespace {

// Builds a version-1 .npy image from a header dictionary and raw data bytes.
std::vector<uint8_t> make_npy(const std::string& dict, const std::vector<uint8_t>& data, int major = 1) {
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
  std::string header = dict + "\n";
  uint32_t len = uint32_t(header.size());
  int len_bytes = major == 1 ? 2 : 4;
  for (int i = 0; i < len_bytes; ++i) out.push_back(uint8_t(len >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> float_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> out(v.size() * 4);
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

Result<Tensor> parse(const std::vector<uint8_t>& bytes, const Limits& limits = {}) {
  return parse_npy(bytes.data(), bytes.size(), limits);
}

}  // namespace

TEST_CASE("npy reads v1, v2 and v3 headers", "[npy]") {
  for (int major : {1, 2, 3}) {
    auto bytes = make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                          float_bytes({1, 2, 3, 4, 5, 6}), major);
    auto t = parse(bytes);
    REQUIRE(t.is_ok());
    CHECK(t->dtype() == DType::Float32);
    CHECK(t->shape() == Shape{2, 3});
    CHECK(t->data<float>()[5] == 6.0f);
  }
}

TEST_CASE("npy accepts scalars, 1-tuples, empty arrays and double quotes", "[npy]") {
  auto scalar = parse(make_npy("{\"descr\": \"<i8\", \"fortran_order\": False, \"shape\": ()}",
                               {42, 0, 0, 0, 0, 0, 0, 0}));
  REQUIRE(scalar.is_ok());
  CHECK(scalar->shape().empty());
  CHECK(scalar->data<int64_t>()[0] == 42);

  auto vec = parse(make_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", {1, 2, 3}));
  REQUIRE(vec.is_ok());
  CHECK(vec->shape() == Shape{3});

  auto empty = parse(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", {}));
  REQUIRE(empty.is_ok());
  CHECK(empty->numel() == 0);

  auto flags = parse(make_npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", {0, 1, 7}));
  REQUIRE(flags.is_ok());
  CHECK(flags->dtype() == DType::Bool);
  CHECK(flags->data<bool>()[2] == true);
}

TEST_CASE("npy round-trips every supported dtype", "[npy]") {
  for (DType dt : {DType::Float32, DType::Float64, DType::Float16, DType::Int8, DType::Int16, DType::Int32,
                   DType::Int64, DType::UInt8, DType::UInt16, DType::UInt32, DType::UInt64, DType::Bool}) {
    auto t = Tensor::zeros(dt, {2, 1, 3});
    REQUIRE(t.is_ok());
    if (dt == DType::Bool) {
      t->data<bool>()[4] = true;
    } else {
      static_cast<uint8_t*>(t->raw_data())[dtype_size(dt) * 4] = 1;
    }
    auto bytes = encode_npy(*t);
    REQUIRE(bytes.is_ok());
    CHECK(bytes->size() % 64 == t->nbytes() % 64);  // the data starts 64-byte aligned
    auto back = parse(*bytes);
    REQUIRE(back.is_ok());
    CHECK(back->dtype() == dt);
    CHECK(back->shape() == t->shape());
    CHECK(std::memcmp(back->raw_data(), t->raw_data(), t->nbytes()) == 0);
  }
  auto one = encode_npy(Tensor::from_vector<float>({4}, {1, 2, 3, 4}));
  REQUIRE(one.is_ok());
  std::string text(one->begin(), one->end());
  CHECK(text.find("'shape': (4,)") != std::string::npos);
  CHECK(npy_descr(DType::Int64) == "<i8");
  CHECK(npy_descr(DType::BFloat16).empty());
  CHECK_FALSE(encode_npy(Tensor::from_strings({1}, {"a"})).is_ok());
}

TEST_CASE("npy rejects malformed and unsupported files", "[npy]") {
  auto bad = [](const std::vector<uint8_t>& bytes) {
    auto t = parse(bytes);
    REQUIRE_FALSE(t.is_ok());
    return t.status().message();
  };
  CHECK(bad({}).find("not a .npy") != std::string::npos);
  CHECK(bad({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0}).find("not a .npy") != std::string::npos);
  CHECK(bad(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", float_bytes({1, 2}), 9))
            .find("version") != std::string::npos);
  CHECK(bad(make_npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", float_bytes({1, 2})))
            .find("big-endian") != std::string::npos);
  CHECK(bad(make_npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", float_bytes({1, 2})))
            .find("unsupported .npy dtype") != std::string::npos);
  CHECK(bad(make_npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", float_bytes({1, 2})))
            .find("Fortran") != std::string::npos);
  CHECK(bad(make_npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", float_bytes({1})))
            .find("structured") != std::string::npos);
  // Data shorter or longer than the shape says.
  CHECK(bad(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", float_bytes({1, 2})))
            .find("does not match") != std::string::npos);
  CHECK(bad(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", float_bytes({1, 2})))
            .find("does not match") != std::string::npos);
  // Header syntax.
  CHECK(bad(make_npy("{'descr': '<f4', 'shape': (1,), }", float_bytes({1}))).find("keys") != std::string::npos);
  CHECK(bad(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", {}))
            .find("bad .npy header") != std::string::npos);
  CHECK(bad(make_npy("{'descr': '<f4', 'fortran_order': Nope, 'shape': (1,), }", float_bytes({1})))
            .find("bad .npy header") != std::string::npos);
  CHECK(bad(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", float_bytes({1})))
            .find("unexpected key") != std::string::npos);
  CHECK(bad(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) } junk", float_bytes({1})))
            .find("after the dictionary") != std::string::npos);
  CHECK(bad(make_npy("{'descr': '<f4", {})).find("unterminated") != std::string::npos);
  // A header length beyond the end of the file.
  std::vector<uint8_t> truncated = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xff, 0xff, 0xff, 0x7f, '{'};
  CHECK(bad(truncated).find("truncated") != std::string::npos);
  // Hostile shapes: overflowing products and shapes above the configured limit.
  CHECK_FALSE(parse(make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }",
                             {})).is_ok());
  CHECK(bad(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", {}))
            .find("too large") != std::string::npos);
  Limits small;
  small.max_tensor_elements = 4;
  CHECK_FALSE(parse(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }",
                             float_bytes({1, 2, 3, 4, 5})), small).is_ok());
}

TEST_CASE("npy files can be written and read back", "[npy]") {
  std::string path = "npy_test_tmp.npy";
  auto t = Tensor::from_vector<int32_t>({2, 2}, {1, -2, 3, -4});
  REQUIRE(write_npy(path, t).is_ok());
  auto back = read_npy(path);
  REQUIRE(back.is_ok());
  CHECK(back->data<int32_t>()[3] == -4);
  std::remove(path.c_str());
  auto missing = read_npy("definitely/not/here.npy");
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().message().find("here.npy") != std::string::npos);
}
