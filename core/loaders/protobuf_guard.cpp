#include "core/loaders/protobuf_guard.h"

namespace wisp::protobuf_guard {

namespace {

// Advances past one varint; false if it runs off the end or exceeds 10 bytes.
bool skip_varint(const uint8_t*& p, const uint8_t* end, uint64_t* value) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (p == end) return false;
    uint8_t byte = *p++;
    v |= uint64_t(byte & 0x7f) << (shift < 64 ? shift : 63);
    if (!(byte & 0x80)) {
      if (value) *value = v;
      return true;
    }
  }
  return false;
}

}  // namespace

Status check_message(const char* data, size_t size, const char* what) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data);
  const uint8_t* end = p + size;
  while (p != end) {
    uint64_t key = 0;
    if (!skip_varint(p, end, &key)) return invalid_model("malformed protobuf in ", what, ": truncated field key");
    uint64_t tag = key >> 3;
    // protozero's accepted range: 1 .. 2^29-1 without the reserved 19000..19999.
    if (tag == 0 || tag > ((uint64_t(1) << 29) - 1) || (tag >= 19000 && tag <= 19999)) {
      return invalid_model("malformed protobuf in ", what, ": invalid field number ", tag);
    }
    switch (key & 7) {
      case 0:
        if (!skip_varint(p, end, nullptr)) return invalid_model("malformed protobuf in ", what, ": truncated varint");
        break;
      case 1:
        if (end - p < 8) return invalid_model("malformed protobuf in ", what, ": truncated 64-bit field");
        p += 8;
        break;
      case 2: {
        uint64_t length = 0;
        if (!skip_varint(p, end, &length)) return invalid_model("malformed protobuf in ", what, ": truncated length");
        // protozero keeps lengths in 32 bits.
        if (length > uint64_t(end - p) || length > 0xffffffffu) {
          return invalid_model("malformed protobuf in ", what, ": field ", tag, " of ", length,
                               " bytes runs past the end of its message");
        }
        p += length;
        break;
      }
      case 5:
        if (end - p < 4) return invalid_model("malformed protobuf in ", what, ": truncated 32-bit field");
        p += 4;
        break;
      default:
        return invalid_model("malformed protobuf in ", what, ": unknown wire type ", key & 7);
    }
  }
  return Status::ok();
}

Status check_packed_varints(const char* data, size_t size, const char* what) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data);
  const uint8_t* end = p + size;
  while (p != end) {
    if (!skip_varint(p, end, nullptr)) return invalid_model("malformed packed values in ", what);
  }
  return Status::ok();
}

Status check_packed_fixed(size_t size, size_t element_size, const char* what) {
  if (size % element_size != 0) {
    return invalid_model("malformed packed values in ", what, ": ", size, " bytes is not a multiple of ", element_size);
  }
  return Status::ok();
}

}  // namespace wisp::protobuf_guard
