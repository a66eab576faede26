#include "core/runtime/buffer_pool.h"

#include <cstdlib>
#include <map>
#if WISP_HAS_THREADS
#include <mutex>
#endif

namespace wisp {

#if WISP_HAS_THREADS
using PoolMutex = std::mutex;
using PoolLock = std::lock_guard<std::mutex>;
#else
// WASI's libc++ is built without threads (no <mutex>); a single thread needs no lock.
struct PoolMutex {};
struct PoolLock {
  explicit PoolLock(PoolMutex&) {}
};
#endif

struct BufferPool::State {
  PoolMutex mutex;
  std::multimap<size_t, void*> free_buffers;  // capacity -> memory
  size_t max_cached_bytes = 0;
  bool closed = false;
  Stats stats;

  ~State() {
    for (auto& [_, p] : free_buffers) std::free(p);
  }
};

BufferPool::BufferPool(size_t max_cached_bytes) : state_(std::make_shared<State>()) {
  state_->max_cached_bytes = max_cached_bytes;
}

BufferPool::~BufferPool() {
  PoolLock lock(state_->mutex);
  state_->closed = true;
}

std::shared_ptr<Storage> BufferPool::allocate(size_t bytes) {
  size_t capacity = (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  if (capacity == 0) capacity = kTensorAlignment;
  void* data = nullptr;
  {
    PoolLock lock(state_->mutex);
    ++state_->stats.allocations;
    // The smallest cached buffer that fits, if it wastes at most half of itself.
    auto it = state_->free_buffers.lower_bound(capacity);
    if (it != state_->free_buffers.end() && it->first <= capacity * 2) {
      capacity = it->first;
      data = it->second;
      state_->free_buffers.erase(it);
      state_->stats.cached_bytes -= capacity;
      ++state_->stats.reuses;
    }
  }
  if (!data) {
    data = std::aligned_alloc(kTensorAlignment, capacity);
    if (!data) return nullptr;
  }
  std::shared_ptr<State> state = state_;
  return std::make_shared<Storage>(data, bytes, [state, capacity](void* p, size_t) {
    PoolLock lock(state->mutex);
    if (state->closed || state->stats.cached_bytes + capacity > state->max_cached_bytes) {
      std::free(p);
      return;
    }
    state->free_buffers.emplace(capacity, p);
    state->stats.cached_bytes += capacity;
  });
}

BufferPool::Stats BufferPool::stats() const {
  PoolLock lock(state_->mutex);
  return state_->stats;
}

}  // namespace wisp
