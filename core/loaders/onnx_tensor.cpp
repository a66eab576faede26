#include "core/loaders/onnx_tensor.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <protozero/pbf_reader.hpp>

#include "core/loaders/file_bytes.h"
#include "core/loaders/protobuf_guard.h"

namespace wisp {

namespace {

namespace guard = protobuf_guard;

// TensorProto field numbers (onnx.proto).
enum TensorField : uint32_t {
  kDims = 1, kDataType = 2, kSegment = 3, kFloatData = 4, kInt32Data = 5, kStringData = 6, kInt64Data = 7,
  kName = 8, kRawData = 9, kDoubleData = 10, kUInt64Data = 11, kExternalData = 13, kDataLocation = 14,
};
constexpr int kDataLocationExternal = 1;

// Everything a TensorProto can carry, gathered before the tensor is built.
struct TensorFields {
  std::string name;
  int32_t data_type = 0;
  std::vector<int64_t> dims;
  protozero::data_view raw;
  bool has_raw = false;
  std::vector<float> floats;
  std::vector<int64_t> int32s;  // int32_data widened
  std::vector<int64_t> int64s;
  std::vector<uint64_t> uint64s;
  std::vector<double> doubles;
  std::vector<std::string> strings;
  std::vector<std::pair<std::string, std::string>> external;
  int data_location = 0;
};

Status wrong_wire_type(uint32_t field) {
  return invalid_model("malformed TensorProto: field ", field, " has the wrong wire type");
}

// A repeated varint field, packed or not.
template <typename T, typename GetPacked, typename GetOne>
Status read_varints(protozero::pbf_reader& msg, std::vector<T>& out, GetPacked get_packed, GetOne get_one) {
  if (msg.wire_type() == protozero::pbf_wire_type::length_delimited) {
    protozero::data_view view = msg.get_view();
    WISP_RETURN_IF_ERROR(guard::check_packed_varints(view.data(), view.size(), "TensorProto"));
    for (auto v : get_packed(view)) out.push_back(T(v));
    return Status::ok();
  }
  if (msg.wire_type() == protozero::pbf_wire_type::varint) {
    out.push_back(T(get_one(msg)));
    return Status::ok();
  }
  return wrong_wire_type(msg.tag());
}

template <typename T>
Status read_fixed(protozero::pbf_reader& msg, std::vector<T>& out, protozero::pbf_wire_type single) {
  if (msg.wire_type() == protozero::pbf_wire_type::length_delimited) {
    protozero::data_view view = msg.get_view();
    WISP_RETURN_IF_ERROR(guard::check_packed_fixed(view.size(), sizeof(T), "TensorProto"));
    size_t count = view.size() / sizeof(T), old = out.size();
    out.resize(old + count);
    if (count) std::memcpy(out.data() + old, view.data(), count * sizeof(T));  // little-endian on every target
    return Status::ok();
  }
  if (msg.wire_type() == single) {
    T v;
    if constexpr (sizeof(T) == 4) {
      uint32_t bits = msg.get_fixed32();
      std::memcpy(&v, &bits, 4);
    } else {
      uint64_t bits = msg.get_fixed64();
      std::memcpy(&v, &bits, 8);
    }
    out.push_back(v);
    return Status::ok();
  }
  return wrong_wire_type(msg.tag());
}

// Decodes a packed varint range (already checked by the guard) with protozero's decoder.
template <typename T>
std::vector<T> packed_varints(protozero::data_view view, bool zigzag_free_signed) {
  std::vector<T> values;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(view.data());
  const uint8_t* end = p + view.size();
  while (p < end) {
    const char* cp = reinterpret_cast<const char*>(p);
    uint64_t v = protozero::decode_varint(&cp, view.data() + view.size());  // checked by the guard
    p = reinterpret_cast<const uint8_t*>(cp);
    values.push_back(zigzag_free_signed ? T(int64_t(v)) : T(v));
  }
  return values;
}

Status read_fields(const char* data, size_t size, TensorFields& f) {
  WISP_RETURN_IF_ERROR(guard::check_message(data, size, "TensorProto"));
  protozero::pbf_reader msg(data, size);
  using wt = protozero::pbf_wire_type;
  while (msg.next()) {
    const uint32_t field = msg.tag();
    switch (field) {
      case kDims:
        WISP_RETURN_IF_ERROR(read_varints(msg, f.dims, [](protozero::data_view v) { return packed_varints<int64_t>(v, true); },
                                          [](protozero::pbf_reader& m) { return m.get_int64(); }));
        break;
      case kDataType:
        if (msg.wire_type() != wt::varint) return wrong_wire_type(field);
        f.data_type = msg.get_int32();
        break;
      case kSegment:
        return unsupported("segmented TensorProto (field 'segment') is not supported");
      case kFloatData:
        WISP_RETURN_IF_ERROR(read_fixed(msg, f.floats, wt::fixed32));
        break;
      case kInt32Data:
        WISP_RETURN_IF_ERROR(read_varints(msg, f.int32s, [](protozero::data_view v) { return packed_varints<int64_t>(v, true); },
                                          [](protozero::pbf_reader& m) { return int64_t(m.get_int32()); }));
        break;
      case kStringData:
        if (msg.wire_type() != wt::length_delimited) return wrong_wire_type(field);
        f.strings.push_back(msg.get_string());
        break;
      case kInt64Data:
        WISP_RETURN_IF_ERROR(read_varints(msg, f.int64s, [](protozero::data_view v) { return packed_varints<int64_t>(v, true); },
                                          [](protozero::pbf_reader& m) { return m.get_int64(); }));
        break;
      case kName:
        if (msg.wire_type() != wt::length_delimited) return wrong_wire_type(field);
        f.name = msg.get_string();
        break;
      case kRawData:
        if (msg.wire_type() != wt::length_delimited) return wrong_wire_type(field);
        f.raw = msg.get_view();
        f.has_raw = true;
        break;
      case kDoubleData:
        WISP_RETURN_IF_ERROR(read_fixed(msg, f.doubles, wt::fixed64));
        break;
      case kUInt64Data:
        WISP_RETURN_IF_ERROR(read_varints(msg, f.uint64s, [](protozero::data_view v) { return packed_varints<uint64_t>(v, false); },
                                          [](protozero::pbf_reader& m) { return m.get_uint64(); }));
        break;
      case kExternalData: {
        if (msg.wire_type() != wt::length_delimited) return wrong_wire_type(field);
        protozero::data_view entry = msg.get_view();
        WISP_RETURN_IF_ERROR(guard::check_message(entry.data(), entry.size(), "TensorProto.external_data"));
        protozero::pbf_reader kv(entry.data(), entry.size());
        std::pair<std::string, std::string> pair;
        while (kv.next()) {
          // The tag is read first: in `x = kv.get_string()` the right side runs before the left,
          // and protozero may clear the field's state once its value is read.
          const uint32_t tag = kv.tag();
          if ((tag == 1 || tag == 2) && kv.wire_type() == wt::length_delimited) {
            std::string& target = tag == 1 ? pair.first : pair.second;
            target = kv.get_string();
          } else {
            kv.skip();
          }
        }
        f.external.push_back(std::move(pair));
        break;
      }
      case kDataLocation:
        if (msg.wire_type() != wt::varint) return wrong_wire_type(field);
        f.data_location = msg.get_int32();
        break;
      default:
        msg.skip();
    }
  }
  return Status::ok();
}

// A relative path that stays inside its folder: no absolute paths, no "..", no drive letters.
bool is_contained_relative_path(const std::string& location) {
  if (location.empty() || location[0] == '/' || location[0] == '\\') return false;
  if (location.find(':') != std::string::npos || location.find('\0') != std::string::npos) return false;
  size_t start = 0;
  while (start <= location.size()) {
    size_t end = location.find_first_of("/\\", start);
    if (end == std::string::npos) end = location.size();
    if (location.compare(start, end - start, "..") == 0) return false;
    start = end + 1;
  }
  return true;
}

#if WISP_HAS_MMAP
// Natively a symbolic link inside the folder could still point elsewhere, so the resolved
// file must lie under the resolved folder. (WASI confines file access by its preopens.)
bool resolves_inside(const std::string& base_dir, const std::string& path) {
  char* base = realpath(base_dir.c_str(), nullptr);
  char* file = realpath(path.c_str(), nullptr);
  bool inside = false;
  if (base && file) {
    std::string b = base, f = file;
    if (b.empty() || b.back() != '/') b += '/';
    inside = f.compare(0, b.size(), b) == 0;
  } else {
    inside = file == nullptr;  // a missing file is reported by the read that follows
  }
  std::free(base);
  std::free(file);
  return inside;
}
#else
bool resolves_inside(const std::string&, const std::string&) { return true; }
#endif

Result<FileBytes> read_external(const TensorFields& f, size_t nbytes, const TensorDecodeOptions& options) {
  std::string location;
  uint64_t offset = 0, length = nbytes;
  bool has_length = false;
  for (const auto& [key, value] : f.external) {
    if (key == "location") {
      location = value;
    } else if (key == "offset" || key == "length") {
      char* end = nullptr;
      unsigned long long v = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || !std::isdigit(static_cast<unsigned char>(value[0])) ||
          v == ULLONG_MAX) {
        return invalid_model("tensor '", f.name, "': external data ", key, " '", value, "' is not a number");
      }
      (key == "offset" ? offset : length) = v;
      has_length |= key == "length";
    }
  }
  if (location.empty()) return invalid_model("tensor '", f.name, "': external data without a location");
  if (options.base_dir.empty()) {
    return invalid_model("tensor '", f.name, "': external data '", location,
                         "' cannot be used when the model is loaded from memory");
  }
  const std::string path = options.base_dir + "/" + location;
  if (!is_contained_relative_path(location) || !resolves_inside(options.base_dir, path)) {
    return invalid_model("tensor '", f.name, "': external data location '", location,
                         "' is outside the model's folder");
  }
  if (has_length && length != nbytes) {
    return invalid_model("tensor '", f.name, "': external data length ", length, " does not match its ", nbytes,
                         " bytes");
  }
  auto bytes = read_file_range(path, offset, nbytes);
  if (!bytes) return bytes.status().with_context("tensor '" + f.name + "': ");
  if (bytes.value().size != nbytes) {
    return invalid_model("tensor '", f.name, "': external data '", location, "' is too short");
  }
  return bytes;
}

// Copies typed-field values into `out`, converting to the tensor's element type.
template <typename Dst, typename Src>
void convert_values(const std::vector<Src>& values, Tensor& out) {
  Dst* dst = out.data<Dst>();
  for (size_t i = 0; i < values.size(); ++i) dst[i] = Dst(values[i]);
}

// Which repeated field holds the values of `dtype` (onnx.proto's rules), and how many it has.
struct TypedField {
  const char* name;
  size_t count;
};

TypedField typed_field_for(const TensorFields& f, DType dtype) {
  switch (dtype) {
    case DType::Float32: return {"float_data", f.floats.size()};
    case DType::Float64: return {"double_data", f.doubles.size()};
    case DType::Int64: return {"int64_data", f.int64s.size()};
    case DType::UInt32:
    case DType::UInt64: return {"uint64_data", f.uint64s.size()};
    // The small integer types, bool and float16/bfloat16 (as their 16 bits) use int32_data.
    default: return {"int32_data", f.int32s.size()};
  }
}

void fill_from_typed_fields(const TensorFields& f, Tensor& t) {
  switch (t.dtype()) {
    case DType::Float32: convert_values<float>(f.floats, t); break;
    case DType::Float64: convert_values<double>(f.doubles, t); break;
    case DType::Int64: convert_values<int64_t>(f.int64s, t); break;
    case DType::UInt32: convert_values<uint32_t>(f.uint64s, t); break;
    case DType::UInt64: convert_values<uint64_t>(f.uint64s, t); break;
    case DType::Int32: convert_values<int32_t>(f.int32s, t); break;
    case DType::Int16: convert_values<int16_t>(f.int32s, t); break;
    case DType::Int8: convert_values<int8_t>(f.int32s, t); break;
    case DType::UInt16: convert_values<uint16_t>(f.int32s, t); break;
    case DType::UInt8: convert_values<uint8_t>(f.int32s, t); break;
    case DType::Bool: convert_values<bool>(f.int32s, t); break;
    case DType::Float16:
    case DType::BFloat16: convert_values<uint16_t>(f.int32s, t); break;
    default: break;  // String is handled by the caller
  }
}

// A bool byte other than 0 or 1 is undefined behaviour once read as bool.
bool is_canonical_bool_data(const char* raw, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<unsigned char>(raw[i]) > 1) return false;
  }
  return true;
}

}  // namespace

Result<DecodedTensor> decode_tensor_proto(const char* data, size_t size, const TensorDecodeOptions& options) {
  TensorFields f;
  WISP_RETURN_IF_ERROR(read_fields(data, size, f));
  if (!dtype_is_known(f.data_type) || f.data_type == int32_t(DType::Undefined)) {
    return unsupported("tensor '", f.name, "' has unsupported data type ", f.data_type);
  }
  const DType dtype = DType(f.data_type);
  for (int64_t d : f.dims) {
    if (d < 0) return invalid_model("tensor '", f.name, "' has a negative dimension ", d);
  }
  Shape shape(f.dims.begin(), f.dims.end());
  auto numel = checked_numel(shape, options.limits.max_tensor_elements);
  if (!numel) return numel.status().with_context("tensor '" + f.name + "': ");
  const int64_t n = numel.value();

  DecodedTensor out;
  out.name = f.name;
  if (dtype == DType::String) {
    if (f.has_raw || f.data_location == kDataLocationExternal) {
      return invalid_model("string tensor '", f.name, "' must use string_data");
    }
    if (f.strings.size() != size_t(n)) {
      return invalid_model("string tensor '", f.name, "' of shape ", shape_to_string(shape), " has ", f.strings.size(),
                           " strings, expected ", n);
    }
    out.tensor = Tensor::from_strings(std::move(shape), std::move(f.strings));
    return out;
  }

  Result<size_t> byte_size = checked_byte_size(n, dtype_size(dtype));
  if (!byte_size) return byte_size.status().with_context("tensor '" + f.name + "': ");
  const size_t nbytes = byte_size.value();
  const char* raw = nullptr;
  std::shared_ptr<const void> raw_owner;
  if (f.data_location == kDataLocationExternal) {
    WISP_ASSIGN_OR_RETURN(FileBytes external, read_external(f, nbytes, options));
    raw = reinterpret_cast<const char*>(external.data);
    raw_owner = external.owner;
  } else if (f.has_raw) {
    if (f.raw.size() != nbytes) {
      return invalid_model("tensor '", f.name, "' of ", dtype_name(dtype), shape_to_string(shape), " needs ", nbytes,
                           " bytes of raw_data, has ", f.raw.size());
    }
    raw = f.raw.data();
    raw_owner = options.owner;
  }

  if (raw) {
    const size_t align = std::min<size_t>(dtype_size(dtype), 8);
    const bool valid_in_place = dtype != DType::Bool || is_canonical_bool_data(raw, nbytes);
    if (raw_owner && nbytes > 0 && valid_in_place && reinterpret_cast<uintptr_t>(raw) % align == 0) {
      // In place: the file mapping (or external data) outlives the tensor through `raw_owner`.
      out.tensor = Tensor::borrow(dtype, std::move(shape), const_cast<char*>(raw), raw_owner);
    } else {
      WISP_ASSIGN_OR_RETURN(out.tensor, Tensor::empty(dtype, std::move(shape)));
      if (dtype == DType::Bool) {
        bool* dst = out.tensor.data<bool>();
        for (size_t i = 0; i < nbytes; ++i) dst[i] = raw[i] != 0;
      } else if (nbytes) {
        std::memcpy(out.tensor.raw_data(), raw, nbytes);
      }
    }
    return out;
  }
  // Typed fields: count first, so that a huge shape with few values fails before allocating.
  const TypedField field = typed_field_for(f, dtype);
  if (field.count != size_t(n)) {
    return invalid_model("tensor '", f.name, "' of ", dtype_name(dtype), shape_to_string(shape), " has ", field.count,
                         " values in ", field.name, ", expected ", n);
  }
  WISP_ASSIGN_OR_RETURN(out.tensor, Tensor::empty(dtype, std::move(shape)));
  fill_from_typed_fields(f, out.tensor);
  return out;
}

Result<Tensor> parse_tensor_proto(const uint8_t* data, size_t size, const TensorDecodeOptions& options) {
  WISP_ASSIGN_OR_RETURN(DecodedTensor decoded, decode_tensor_proto(reinterpret_cast<const char*>(data), size, options));
  return std::move(decoded.tensor);
}

namespace {

// SequenceProto: elem_type (2) must be TENSOR (1); tensor_values (3) are its elements.
Result<Value> parse_sequence(const char* data, size_t size, DType element_type) {
  WISP_RETURN_IF_ERROR(guard::check_message(data, size, "SequenceProto"));
  protozero::pbf_reader msg(data, size);
  std::vector<Tensor> elements;
  while (msg.next()) {
    if (msg.tag() == 2 && msg.wire_type() == protozero::pbf_wire_type::varint) {
      int64_t elem = msg.get_int64();
      if (elem != 0 && elem != 1) return unsupported("sequences of non-tensor values are not supported");
    } else if (msg.tag() == 3 && msg.wire_type() == protozero::pbf_wire_type::length_delimited) {
      protozero::data_view view = msg.get_view();
      WISP_ASSIGN_OR_RETURN(DecodedTensor t, decode_tensor_proto(view.data(), view.size(), {}));
      elements.push_back(std::move(t.tensor));
    } else if (msg.tag() >= 4 && msg.tag() <= 7) {
      return unsupported("sequences of non-tensor values are not supported");
    } else {
      msg.skip();
    }
  }
  if (!elements.empty()) element_type = elements.front().dtype();
  for (const Tensor& t : elements) {
    if (t.dtype() != element_type) return invalid_argument("a sequence mixes element types");
  }
  return Value::sequence(element_type, std::move(elements));
}

// OptionalProto: tensor_value (3) or sequence_value (5); neither means empty.
Result<Value> parse_optional(const char* data, size_t size, DType element_type) {
  WISP_RETURN_IF_ERROR(guard::check_message(data, size, "OptionalProto"));
  protozero::pbf_reader msg(data, size);
  Value value = Value::none();
  while (msg.next()) {
    const uint32_t tag = msg.tag();  // read before get_view() moves the reader on
    if ((tag == 3 || tag == 5) && msg.wire_type() == protozero::pbf_wire_type::length_delimited) {
      protozero::data_view view = msg.get_view();
      if (tag == 3) {
        WISP_ASSIGN_OR_RETURN(DecodedTensor t, decode_tensor_proto(view.data(), view.size(), {}));
        value = Value(std::move(t.tensor));
      } else {
        WISP_ASSIGN_OR_RETURN(value, parse_sequence(view.data(), view.size(), element_type));
      }
    } else if (tag == 4 || tag == 6 || tag == 7) {
      return unsupported("optionals of sparse tensors, maps or optionals are not supported");
    } else {
      msg.skip();
    }
  }
  return value;
}

}  // namespace

Result<Value> parse_value_proto(const uint8_t* data, size_t size, ValueKind kind, DType element_type) {
  const char* bytes = reinterpret_cast<const char*>(data);
  switch (kind) {
    case ValueKind::Tensor: {
      WISP_ASSIGN_OR_RETURN(Tensor t, parse_tensor_proto(data, size));
      return Value(std::move(t));
    }
    case ValueKind::Sequence: return parse_sequence(bytes, size, element_type);
    case ValueKind::OptionalTensor:
    case ValueKind::OptionalSequence: return parse_optional(bytes, size, element_type);
  }
  return invalid_argument("unknown value kind");
}

}  // namespace wisp
