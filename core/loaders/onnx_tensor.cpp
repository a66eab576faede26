#include "core/loaders/onnx_tensor.h"

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
    std::memcpy(out.data() + old, view.data(), count * sizeof(T));  // little-endian on every target
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
          if ((kv.tag() == 1 || kv.tag() == 2) && kv.wire_type() == wt::length_delimited) {
            (kv.tag() == 1 ? pair.first : pair.second) = kv.get_string();
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
  if (location.find(':') != std::string::npos) return false;
  size_t start = 0;
  while (start <= location.size()) {
    size_t end = location.find_first_of("/\\", start);
    if (end == std::string::npos) end = location.size();
    if (location.compare(start, end - start, "..") == 0) return false;
    start = end + 1;
  }
  return true;
}

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
      if (value.empty() || *end != '\0' || value[0] == '-') {
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
  if (!is_contained_relative_path(location)) {
    return invalid_model("tensor '", f.name, "': external data location '", location,
                         "' is outside the model's folder");
  }
  if (has_length && length != nbytes) {
    return invalid_model("tensor '", f.name, "': external data length ", length, " does not match its ", nbytes,
                         " bytes");
  }
  auto bytes = read_file_range(options.base_dir + "/" + location, offset, nbytes);
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

Status fill_from_typed_fields(const TensorFields& f, Tensor& t) {
  const size_t n = size_t(t.numel());
  auto expect = [&](size_t have, const char* field) -> Status {
    if (have != n) {
      return invalid_model("tensor '", f.name, "' of shape ", shape_to_string(t.shape()), " has ", have,
                           " values in ", field, ", expected ", n);
    }
    return Status::ok();
  };
  switch (t.dtype()) {
    case DType::Float32:
      WISP_RETURN_IF_ERROR(expect(f.floats.size(), "float_data"));
      convert_values<float>(f.floats, t);
      return Status::ok();
    case DType::Float64:
      WISP_RETURN_IF_ERROR(expect(f.doubles.size(), "double_data"));
      convert_values<double>(f.doubles, t);
      return Status::ok();
    case DType::Int64:
      WISP_RETURN_IF_ERROR(expect(f.int64s.size(), "int64_data"));
      convert_values<int64_t>(f.int64s, t);
      return Status::ok();
    case DType::UInt32:
      WISP_RETURN_IF_ERROR(expect(f.uint64s.size(), "uint64_data"));
      convert_values<uint32_t>(f.uint64s, t);
      return Status::ok();
    case DType::UInt64:
      WISP_RETURN_IF_ERROR(expect(f.uint64s.size(), "uint64_data"));
      convert_values<uint64_t>(f.uint64s, t);
      return Status::ok();
    case DType::Int32: WISP_RETURN_IF_ERROR(expect(f.int32s.size(), "int32_data")); convert_values<int32_t>(f.int32s, t); return Status::ok();
    case DType::Int16: WISP_RETURN_IF_ERROR(expect(f.int32s.size(), "int32_data")); convert_values<int16_t>(f.int32s, t); return Status::ok();
    case DType::Int8: WISP_RETURN_IF_ERROR(expect(f.int32s.size(), "int32_data")); convert_values<int8_t>(f.int32s, t); return Status::ok();
    case DType::UInt16: WISP_RETURN_IF_ERROR(expect(f.int32s.size(), "int32_data")); convert_values<uint16_t>(f.int32s, t); return Status::ok();
    case DType::UInt8: WISP_RETURN_IF_ERROR(expect(f.int32s.size(), "int32_data")); convert_values<uint8_t>(f.int32s, t); return Status::ok();
    case DType::Bool: WISP_RETURN_IF_ERROR(expect(f.int32s.size(), "int32_data")); convert_values<bool>(f.int32s, t); return Status::ok();
    // float16 / bfloat16 values travel as their 16 bits in int32_data.
    case DType::Float16:
    case DType::BFloat16: WISP_RETURN_IF_ERROR(expect(f.int32s.size(), "int32_data")); convert_values<uint16_t>(f.int32s, t); return Status::ok();
    default:
      return unsupported("tensor '", f.name, "': dtype ", dtype_name(t.dtype()), " in typed fields");
  }
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

  DecodedTensor out;
  out.name = f.name;
  if (dtype == DType::String) {
    if (f.has_raw || f.data_location == kDataLocationExternal) {
      return invalid_model("string tensor '", f.name, "' must use string_data");
    }
    if (f.strings.size() != size_t(numel.value())) {
      return invalid_model("string tensor '", f.name, "' has ", f.strings.size(), " strings, expected ", numel.value());
    }
    out.tensor = Tensor::from_strings(std::move(shape), std::move(f.strings));
    return out;
  }

  const size_t nbytes = size_t(numel.value()) * dtype_size(dtype);
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
    if (raw_owner && reinterpret_cast<uintptr_t>(raw) % align == 0 && nbytes > 0) {
      // In place: the file mapping (or external data) outlives the tensor through `raw_owner`.
      out.tensor = Tensor::borrow(dtype, std::move(shape), const_cast<char*>(raw), raw_owner);
    } else {
      WISP_ASSIGN_OR_RETURN(out.tensor, Tensor::empty(dtype, std::move(shape)));
      if (nbytes) std::memcpy(out.tensor.raw_data(), raw, nbytes);
    }
    return out;
  }
  WISP_ASSIGN_OR_RETURN(out.tensor, Tensor::empty(dtype, std::move(shape)));
  WISP_RETURN_IF_ERROR(fill_from_typed_fields(f, out.tensor));
  return out;
}

}  // namespace wisp
