// Enforces Limits::max_total_bytes: wraps the run's allocator and refuses an allocation that
// would make the bytes of the tensors it handed out, still alive, exceed the budget. One
// BudgetAllocator serves one run (nested subgraph runs share it), so a Loop whose scan
// outputs grow without bound fails with a clear error instead of exhausting memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "core/tensor/storage.h"

namespace wisp {

class BudgetAllocator final : public Allocator {
 public:
  BudgetAllocator(Allocator& inner, int64_t max_live_bytes);
  std::shared_ptr<Storage> allocate(size_t bytes) override;
  Result<std::shared_ptr<Storage>> try_allocate(size_t bytes) override;
  // Bytes of live tensors allocated through this allocator.
  int64_t live_bytes() const { return live_->load(); }
  // True once an allocation was refused for the budget (not for lack of memory).
  bool refused() const { return refused_.load(); }

 private:
  Allocator& inner_;
  int64_t max_live_bytes_;
  // Shared with the storage handed out: run outputs outlive the run and its allocator.
  std::shared_ptr<std::atomic<int64_t>> live_;
  std::atomic<bool> refused_{false};
};

}  // namespace wisp
