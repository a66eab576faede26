// Raw memory behind tensors. Storage is either owned (aligned heap or pool memory) or
// borrowed from something kept alive by `owner` (a model file's bytes, an mmap).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "core/base/status.h"

namespace wisp {

// Every buffer Wisp allocates is aligned for the widest SIMD target (AVX-512).
constexpr size_t kTensorAlignment = 64;

class Storage {
 public:
  using Releaser = std::function<void(void*, size_t)>;

  // Owns `bytes` at `data`; `release` gives the memory back (to the heap or a pool).
  Storage(void* data, size_t bytes, Releaser release)
      : data_(data), bytes_(bytes), release_(std::move(release)) {}
  // Borrows `bytes` at `data` while `owner` is alive.
  Storage(void* data, size_t bytes, std::shared_ptr<const void> owner)
      : data_(data), bytes_(bytes), owner_(std::move(owner)) {}
  ~Storage() {
    if (release_) release_(data_, bytes_);
  }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  bool is_borrowed() const { return owner_ != nullptr; }

  // Aligned heap memory, not pooled. Returns nullptr when out of memory.
  static std::shared_ptr<Storage> allocate_heap(size_t bytes);

 private:
  void* data_;
  size_t bytes_;
  Releaser release_;
  std::shared_ptr<const void> owner_;
};

// Hands out storage; the executor's BufferPool implements it to recycle buffers.
class Allocator {
 public:
  virtual ~Allocator() = default;
  // nullptr when the memory cannot be had.
  virtual std::shared_ptr<Storage> allocate(size_t bytes) = 0;
  // The same with the reason for a failure (out of memory by default; a budget names itself).
  virtual Result<std::shared_ptr<Storage>> try_allocate(size_t bytes);
};

// Plain aligned heap allocation.
Allocator& heap_allocator();

}  // namespace wisp
