// Bytes of a model file, kept alive by `owner`: a memory mapping natively, a heap copy
// where mmap is not available (WASI, web) or for in-memory models.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/base/status.h"

namespace wisp {

struct FileBytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
  std::shared_ptr<const void> owner;
};

// Maps (or reads) the whole file. NotFound with the path when it cannot be opened.
Result<FileBytes> read_file_bytes(const std::string& path);
// Takes ownership of an in-memory copy.
FileBytes bytes_from_vector(std::vector<uint8_t> bytes);
// Reads `length` bytes at `offset` of a file (external tensor data).
Result<FileBytes> read_file_range(const std::string& path, uint64_t offset, uint64_t length);
// The folder part of a path ("" for a bare file name).
std::string parent_directory(const std::string& path);

}  // namespace wisp
