#include "core/tensor/storage.h"

#include <cstdlib>

namespace wisp {

std::shared_ptr<Storage> Storage::allocate_heap(size_t bytes) {
  size_t rounded = (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  if (rounded == 0) rounded = kTensorAlignment;
  void* data = std::aligned_alloc(kTensorAlignment, rounded);
  if (!data) return nullptr;
  return std::make_shared<Storage>(data, bytes, [](void* p, size_t) { std::free(p); });
}

Result<std::shared_ptr<Storage>> Allocator::try_allocate(size_t bytes) {
  std::shared_ptr<Storage> storage = allocate(bytes);
  if (!storage) return make_error(ErrorCode::ResourceExhausted, "out of memory allocating ", bytes, " bytes");
  return storage;
}

namespace {
class HeapAllocator final : public Allocator {
 public:
  std::shared_ptr<Storage> allocate(size_t bytes) override { return Storage::allocate_heap(bytes); }
};
}  // namespace

Allocator& heap_allocator() {
  static HeapAllocator allocator;
  return allocator;
}

}  // namespace wisp
