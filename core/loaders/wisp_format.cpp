#include "core/loaders/wisp_format.h"

#include <cstring>

#include "core/loaders/model_loader.h"

namespace wisp {

namespace {

// Explicit little-endian byte order so the file is the same on every host.
void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(p[i]) << (8 * i);
  return v;
}
uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

// True when [offset, offset + size) lies within [0, limit), computed without overflow.
bool range_within(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

}  // namespace

bool is_wisp_file(const FileBytes& bytes) {
  return bytes.size >= 4 && std::memcmp(bytes.data, "WISP", 4) == 0;
}

void encode_wisp_header(const WispHeader& header, uint8_t out[kWispHeaderSize]) {
  std::memset(out, 0, kWispHeaderSize);
  std::memcpy(out, "WISP", 4);
  put_u32(out + 4, header.version);
  put_u32(out + 8, header.flags);
  put_u64(out + 16, header.graph_offset);
  put_u64(out + 24, header.graph_size);
  put_u64(out + 32, header.data_offset);
  put_u64(out + 40, header.data_size);
}

Result<WispHeader> decode_wisp_header(const uint8_t* data, size_t file_size) {
  WISP_CHECK_MODEL(file_size >= kWispHeaderSize, ".wisp file is truncated: ", file_size,
                   " bytes, the header alone needs ", kWispHeaderSize);
  WISP_CHECK_MODEL(std::memcmp(data, "WISP", 4) == 0, "not a .wisp file (bad magic)");
  WispHeader h;
  h.version = get_u32(data + 4);
  h.flags = get_u32(data + 8);
  h.graph_offset = get_u64(data + 16);
  h.graph_size = get_u64(data + 24);
  h.data_offset = get_u64(data + 32);
  h.data_size = get_u64(data + 40);
  if (h.version != kWispFormatVersion) {
    return unsupported(".wisp format version ", h.version, " is not supported (this build reads version ",
                       kWispFormatVersion, ")");
  }
  if (h.flags != 0) return unsupported(".wisp file uses unknown flags 0x", std::hex, h.flags);

  const uint64_t size = file_size;
  WISP_CHECK_MODEL(h.graph_offset >= kWispHeaderSize && h.graph_offset % 8 == 0,
                   ".wisp graph section offset ", h.graph_offset, " is invalid (must be >= ", kWispHeaderSize,
                   " and a multiple of 8)");
  WISP_CHECK_MODEL(h.graph_size > 0, ".wisp graph section is empty");
  WISP_CHECK_MODEL(range_within(h.graph_offset, h.graph_size, size), ".wisp graph section [", h.graph_offset,
                   ", +", h.graph_size, ") extends past the end of the file (", size, " bytes)");
  WISP_CHECK_MODEL(h.data_offset % kWispDataAlignment == 0, ".wisp data section offset ", h.data_offset,
                   " is not a multiple of ", kWispDataAlignment);
  WISP_CHECK_MODEL(range_within(h.data_offset, h.data_size, size), ".wisp data section [", h.data_offset, ", +",
                   h.data_size, ") extends past the end of the file (", size, " bytes)");
  if (h.data_size > 0) {
    WISP_CHECK_MODEL(h.data_offset >= h.graph_offset + h.graph_size,
                     ".wisp data section overlaps the header or the graph section");
  }
  return h;
}

}  // namespace wisp
