#include "core/io/npy.h"

#include <cstdio>
#include <cstring>

#include "core/loaders/file_bytes.h"

namespace wisp {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

struct DescrEntry {
  const char* code;  // type code without the byte-order character
  DType dtype;
};
// Numpy's type codes for the dtypes Wisp has.
constexpr DescrEntry kDescrs[] = {
    {"f4", DType::Float32}, {"f8", DType::Float64}, {"f2", DType::Float16}, {"i1", DType::Int8},
    {"i2", DType::Int16},   {"i4", DType::Int32},   {"i8", DType::Int64},   {"u1", DType::UInt8},
    {"u2", DType::UInt16},  {"u4", DType::UInt32},  {"u8", DType::UInt64},  {"b1", DType::Bool},
};

// The parsed header dictionary: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
struct Header {
  std::string descr;
  bool fortran_order = false;
  Shape shape;
  bool has_descr = false, has_order = false, has_shape = false;
};

// A strict parser for the small subset of Python literal syntax that numpy writes.
class HeaderParser {
 public:
  explicit HeaderParser(const std::string& text) : s_(text) {}

  Result<Header> parse() {
    Header h;
    skip_space();
    if (!eat('{')) return fail("expected '{'");
    skip_space();
    while (!eat('}')) {
      WISP_ASSIGN_OR_RETURN(std::string key, parse_string());
      skip_space();
      if (!eat(':')) return fail("expected ':' after '" + key + "'");
      skip_space();
      if (key == "descr") {
        if (peek() == '[') return invalid_argument("structured numpy dtypes are not supported");
        WISP_ASSIGN_OR_RETURN(h.descr, parse_string());
        h.has_descr = true;
      } else if (key == "fortran_order") {
        WISP_ASSIGN_OR_RETURN(h.fortran_order, parse_bool());
        h.has_order = true;
      } else if (key == "shape") {
        WISP_ASSIGN_OR_RETURN(h.shape, parse_shape());
        h.has_shape = true;
      } else {
        return fail("unexpected key '" + key + "'");
      }
      skip_space();
      if (eat(',')) {
        skip_space();
      } else if (peek() != '}') {
        return fail("expected ',' or '}'");
      }
    }
    // numpy pads the header with spaces and ends it with '\n'; nothing else may follow.
    skip_space();
    if (pos_ != s_.size()) return fail("unexpected text after the dictionary");
    if (!h.has_descr || !h.has_order || !h.has_shape) {
      return fail("the header needs the keys 'descr', 'fortran_order' and 'shape'");
    }
    return h;
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  Status fail(const std::string& what) const {
    return invalid_argument("bad .npy header (", what, " at character ", pos_, ")");
  }

  Result<std::string> parse_string() {
    char quote = peek();
    if (quote != '\'' && quote != '"') return fail("expected a string");
    ++pos_;
    size_t end = s_.find(quote, pos_);
    if (end == std::string::npos) return fail("unterminated string");
    std::string out = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
  }

  Result<bool> parse_bool() {
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    return fail("expected True or False");
  }

  Result<Shape> parse_shape() {
    Shape shape;
    if (!eat('(')) return fail("expected '(' for the shape");
    skip_space();
    while (!eat(')')) {
      if (peek() < '0' || peek() > '9') return fail("expected a non-negative integer in the shape");
      int64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (v > (INT64_MAX - 9) / 10) return fail("shape extent too large");
        v = v * 10 + (s_[pos_++] - '0');
      }
      eat('L');  // Python 2 long suffix, found in old files
      shape.push_back(v);
      skip_space();
      if (eat(',')) {
        skip_space();
      } else if (peek() != ')') {
        return fail("expected ',' or ')' in the shape");
      }
    }
    return shape;
  }

  const std::string& s_;
  size_t pos_ = 0;
};

Result<DType> dtype_from_descr(const std::string& descr) {
  if (descr.size() == 3) {
    char order = descr[0];
    for (const DescrEntry& e : kDescrs) {
      if (descr.compare(1, 2, e.code) != 0) continue;
      bool single_byte = dtype_size(e.dtype) == 1;
      // '|' means "byte order irrelevant" and '=' native (little-endian on every Wisp target).
      if (order == '<' || order == '=' || (single_byte && (order == '|' || order == '>'))) return e.dtype;
      if (order == '>') {
        return invalid_argument("big-endian .npy data ('", descr, "') is not supported; convert with "
                                "arr.astype(arr.dtype.newbyteorder('<'))");
      }
      break;
    }
  }
  return invalid_argument("unsupported .npy dtype '", descr,
                          "' (supported: <f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1)");
}

uint32_t read_le(const uint8_t* p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::string npy_descr(DType dtype) {
  for (const DescrEntry& e : kDescrs) {
    if (e.dtype == dtype) return std::string(dtype_size(dtype) == 1 ? "|" : "<") + e.code;
  }
  return "";
}

Result<Tensor> parse_npy(const uint8_t* data, size_t size, const Limits& limits) {
  if (size < kMagicSize + 4 || std::memcmp(data, kMagic, kMagicSize) != 0) {
    return invalid_argument("not a .npy file (missing the \\x93NUMPY magic)");
  }
  uint8_t major = data[6];
  if (major < 1 || major > 3) return invalid_argument("unsupported .npy format version ", int(major), ".", int(data[7]));
  // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4.
  size_t len_bytes = major == 1 ? 2 : 4;
  size_t preamble = kMagicSize + 2 + len_bytes;
  if (size < preamble) return invalid_argument("truncated .npy header");
  size_t header_len = read_le(data + kMagicSize + 2, int(len_bytes));
  if (header_len > size - preamble) {
    return invalid_argument("truncated .npy file: the header claims ", header_len, " bytes, the file has ",
                            size - preamble);
  }
  std::string text(reinterpret_cast<const char*>(data + preamble), header_len);
  WISP_ASSIGN_OR_RETURN(Header header, HeaderParser(text).parse());
  WISP_ASSIGN_OR_RETURN(DType dtype, dtype_from_descr(header.descr));
  if (header.fortran_order && header.shape.size() > 1) {
    return invalid_argument("Fortran-order .npy arrays are not supported; save with np.ascontiguousarray(arr)");
  }
  Result<int64_t> count = checked_numel(header.shape, limits.max_tensor_elements);
  if (!count.is_ok()) return count.status().with_context(".npy shape " + shape_to_string(header.shape) + ": ");
  size_t offset = preamble + header_len;
  // numel <= max_tensor_elements (at most 2^62 or so), times at most 8 bytes: no overflow in practice,
  // but divide instead of multiplying to stay safe for any configured limit.
  size_t elem = dtype_size(dtype);
  size_t available = size - offset;
  if (uint64_t(*count) > available / elem || uint64_t(*count) * elem != available) {
    return invalid_argument("the .npy data size does not match its header: shape ", shape_to_string(header.shape),
                            " of ", dtype_name(dtype), " needs ", *count, " elements of ", elem, " bytes, the file has ",
                            available);
  }
  WISP_ASSIGN_OR_RETURN(Tensor tensor,
                        Tensor::empty(dtype, header.shape, heap_allocator(), limits.max_tensor_elements));
  if (dtype == DType::Bool) {
    // Any non-zero byte is true; normalise so that the bool objects hold only 0 or 1.
    bool* out = tensor.data<bool>();
    for (int64_t i = 0; i < *count; ++i) out[i] = data[offset + size_t(i)] != 0;
  } else if (available > 0) {
    std::memcpy(tensor.raw_data(), data + offset, available);
  }
  return tensor;
}

Result<Tensor> read_npy(const std::string& path, const Limits& limits) {
  WISP_ASSIGN_OR_RETURN(FileBytes bytes, read_file_bytes(path));
  Result<Tensor> tensor = parse_npy(bytes.data, bytes.size, limits);
  if (!tensor.is_ok()) return tensor.status().with_context("'" + path + "': ");
  return tensor;
}

Result<std::vector<uint8_t>> encode_npy(const Tensor& tensor) {
  std::string descr = npy_descr(tensor.dtype());
  if (descr.empty()) {
    return invalid_argument("cannot save a ", dtype_name(tensor.dtype()), " tensor as .npy (no numpy dtype)");
  }
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape().size(); ++i) {
    header += std::to_string(tensor.shape()[i]);
    if (tensor.shape().size() == 1 || i + 1 < tensor.shape().size()) header += ", ";
  }
  if (tensor.shape().size() == 1) header.pop_back();  // "(3,)" is how Python writes a 1-tuple
  header += "), }";
  // numpy pads so that the data starts at a multiple of 64 bytes, ending the header with '\n'.
  bool v2 = header.size() + 1 + kMagicSize + 4 > 65535;
  size_t preamble = kMagicSize + 2 + (v2 ? 4 : 2);
  size_t total = preamble + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::vector<uint8_t> out(kMagic, kMagic + kMagicSize);
  out.push_back(v2 ? 2 : 1);
  out.push_back(0);
  uint32_t len = uint32_t(header.size());
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i) out.push_back(uint8_t(len >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  const uint8_t* raw = static_cast<const uint8_t*>(tensor.raw_data());
  if (tensor.dtype() == DType::Bool) {
    for (int64_t i = 0; i < tensor.numel(); ++i) out.push_back(tensor.data<bool>()[i] ? 1 : 0);
  } else if (tensor.nbytes() > 0) {
    out.insert(out.end(), raw, raw + tensor.nbytes());
  }
  return out;
}

Status write_npy(const std::string& path, const Tensor& tensor) {
  WISP_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, encode_npy(tensor));
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return make_error(ErrorCode::NotFound, "cannot create '", path, "'");
  size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  bool ok = written == bytes.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) return make_error(ErrorCode::Internal, "error writing '", path, "'");
  return Status::ok();
}

}  // namespace wisp
