#include "core/tensor/budget_allocator.h"

namespace wisp {

BudgetAllocator::BudgetAllocator(Allocator& inner, int64_t max_live_bytes)
    : inner_(inner), max_live_bytes_(max_live_bytes), live_(std::make_shared<std::atomic<int64_t>>(0)) {}

std::shared_ptr<Storage> BudgetAllocator::allocate(size_t bytes) {
  auto storage = try_allocate(bytes);
  return storage ? std::move(storage.value()) : nullptr;
}

Result<std::shared_ptr<Storage>> BudgetAllocator::try_allocate(size_t bytes) {
  // Reserve first, so that concurrent allocations cannot overshoot the budget together.
  const int64_t want = bytes > size_t(INT64_MAX) ? INT64_MAX : int64_t(bytes);
  const int64_t before = live_->fetch_add(want);
  if (want > max_live_bytes_ || before > max_live_bytes_ - want) {
    live_->fetch_sub(want);
    refused_ = true;
    return make_error(ErrorCode::ResourceExhausted, "allocating ", bytes, " bytes would bring this run's live tensors to more than ",
                      max_live_bytes_, " bytes (Limits::max_total_bytes); ", before, " bytes are live");
  }
  std::shared_ptr<Storage> inner = inner_.allocate(bytes);
  if (!inner) {
    live_->fetch_sub(want);
    return make_error(ErrorCode::ResourceExhausted, "out of memory allocating ", bytes, " bytes");
  }
  void* data = inner->data();
  // The inner storage goes back to its allocator (the buffer pool) when this one dies.
  return std::make_shared<Storage>(data, bytes, [inner, live = live_, want](void*, size_t) { live->fetch_sub(want); });
}

}  // namespace wisp
