#include "core/loaders/file_bytes.h"

#include <cstdio>

#if WISP_HAS_MMAP
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace wisp {

FileBytes bytes_from_vector(std::vector<uint8_t> bytes) {
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  FileBytes out;
  out.data = owner->data();
  out.size = owner->size();
  out.owner = owner;
  return out;
}

std::string parent_directory(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

#if WISP_HAS_MMAP

namespace {
struct Mapping {
  void* addr = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (addr) munmap(addr, size);
  }
};
}  // namespace

Result<FileBytes> read_file_bytes(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::NotFound, "cannot open '", path, "'");
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return make_error(ErrorCode::NotFound, "'", path, "' is not a regular file");
  }
  auto mapping = std::make_shared<Mapping>();
  mapping->size = size_t(st.st_size);
  if (mapping->size > 0) {
    mapping->addr = mmap(nullptr, mapping->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping->addr == MAP_FAILED) {
      mapping->addr = nullptr;
      close(fd);
      return make_error(ErrorCode::NotFound, "cannot map '", path, "'");
    }
  }
  close(fd);
  FileBytes out;
  out.data = static_cast<const uint8_t*>(mapping->addr);
  out.size = mapping->size;
  out.owner = mapping;
  return out;
}

#else

Result<FileBytes> read_file_bytes(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error(ErrorCode::NotFound, "cannot open '", path, "'");
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return make_error(ErrorCode::NotFound, "error reading '", path, "'");
  return bytes_from_vector(std::move(bytes));
}

#endif

Result<FileBytes> read_file_range(const std::string& path, uint64_t offset, uint64_t length) {
#if WISP_HAS_MMAP
  // Only regular files: opening a FIFO named by a hostile model would block forever, and a
  // directory or device has no meaningful size.
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return invalid_model("external data file '", path, "' is not a regular file");
  }
#endif
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error(ErrorCode::NotFound, "cannot open external data file '", path, "'");
  std::fseek(f, 0, SEEK_END);
  long end = std::ftell(f);
  if (end < 0 || offset > uint64_t(end) || length > uint64_t(end) - offset) {
    std::fclose(f);
    return invalid_model("external data range [", offset, ", +", length, ") is outside '", path, "' (",
                         end, " bytes)");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(length));
  std::fseek(f, long(offset), SEEK_SET);
  size_t got = length ? std::fread(bytes.data(), 1, bytes.size(), f) : 0;
  std::fclose(f);
  if (got != length) return invalid_model("short read of external data from '", path, "'");
  return bytes_from_vector(std::move(bytes));
}

}  // namespace wisp
