// Recycles tensor buffers across nodes and runs: a freed intermediate's memory goes back
// here and serves the next allocation of a similar size, so steady-state runs do not call
// the system allocator. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>

#include "core/tensor/storage.h"

namespace wisp {

class BufferPool final : public Allocator {
 public:
  // Keeps at most `max_cached_bytes` of free buffers; beyond that freed buffers go to the heap.
  explicit BufferPool(size_t max_cached_bytes = size_t(1) << 30);
  ~BufferPool() override;
  std::shared_ptr<Storage> allocate(size_t bytes) override;

  struct Stats {
    size_t allocations = 0;  // requests served
    size_t reuses = 0;       // requests served from cached buffers
    size_t cached_bytes = 0; // free bytes held now
  };
  Stats stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with outstanding buffers, which may outlive the pool
};

}  // namespace wisp
