// The fixed header of a .wisp file and helpers shared by the reader and the writer.
// The graph itself is a FlatBuffer described by schema/wisp.fbs.
//
//   offset  size  field
//        0     4  magic "WISP"
//        4     4  format version (kWispFormatVersion)
//        8     4  flags (none defined yet; a reader refuses unknown flags)
//       12     4  reserved, 0
//       16     8  graph_offset   (multiple of 8)
//       24     8  graph_size
//       32     8  data_offset    (multiple of 64)
//       40     8  data_size
//       48    16  reserved, 0
// All integers are little-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/graph/graph.h"
#include "core/loaders/file_bytes.h"

namespace wisp {

constexpr uint32_t kWispFormatVersion = 1;
constexpr size_t kWispHeaderSize = 64;
// Tensors in the data section start on this boundary (as does the section itself).
constexpr uint64_t kWispDataAlignment = 64;

struct WispHeader {
  uint32_t version = kWispFormatVersion;
  uint32_t flags = 0;
  uint64_t graph_offset = 0;
  uint64_t graph_size = 0;
  uint64_t data_offset = 0;
  uint64_t data_size = 0;
};

void encode_wisp_header(const WispHeader& header, uint8_t out[kWispHeaderSize]);
// Reads the header and checks it against a file of `file_size` bytes: magic, version, flags,
// section offsets and sizes (without overflow), alignment and overlap.
Result<WispHeader> decode_wisp_header(const uint8_t* data, size_t file_size);

// Serialises `model` into memory (the same bytes save_wisp writes to a file).
Result<std::vector<uint8_t>> save_wisp_to_bytes(const Model& model);

}  // namespace wisp
