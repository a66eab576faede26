#include "core/runtime/thread_pool.h"

#include <algorithm>
#include <cstdlib>

#if WISP_HAS_THREADS
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace wisp {

namespace {
thread_local bool in_parallel_region = false;
}

int ThreadPool::default_num_threads() {
  if (const char* env = std::getenv("WISP_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
#if WISP_HAS_THREADS
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? int(hw) : 1;
#else
  return 1;
#endif
}

#if WISP_HAS_THREADS

// How long an idle worker keeps polling for the next parallel loop before it sleeps. A model
// issues its loops back to back (one or two per Conv), and waking a sleeping thread costs
// tens of microseconds (more on a virtual machine, whose idle vCPU halts), more than many
// of those loops take. Polling this long costs at most this much CPU per gap between loops.
#ifndef WISP_POOL_SPIN_US  // overridable for tuning experiments (0: sleep at once)
#define WISP_POOL_SPIN_US 200
#endif
constexpr std::chrono::microseconds kSpinBeforeSleep{WISP_POOL_SPIN_US};

struct ThreadPool::Impl {
  int num_threads = 1;
  std::vector<std::thread> workers;
  std::mutex call_mutex;  // serialises parallel_for calls from different threads
  std::mutex mutex;
  std::condition_variable work_ready;
  std::condition_variable work_done;
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  int64_t n = 0, chunk = 1, next = 0;
  // Written under `mutex`; atomic so that spinning threads can poll them without it.
  std::atomic<int> active{0};
  std::atomic<uint64_t> generation{0};
  std::atomic<bool> stopping{false};

  // Claims chunks until none are left. Called with `lock` held; releases it while working.
  void drain(std::unique_lock<std::mutex>& lock) {
    while (next < n) {
      int64_t begin = next;
      int64_t end = std::min(n, begin + chunk);
      next = end;
      ++active;
      lock.unlock();
      (*fn)(begin, end);
      lock.lock();
      --active;
    }
  }

  // Polls `done()` until it is true or kSpinBeforeSleep has passed (the caller then sleeps
  // on its condition, which rechecks under the mutex).
  template <class Done>
  static void spin_until(const Done& done) {
    const auto deadline = std::chrono::steady_clock::now() + kSpinBeforeSleep;
    for (int i = 0; !done(); ++i) {
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) return;
    }
  }

  // A new loop (or shutdown) since generation `seen`.
  void spin_for_work(uint64_t seen) const {
    spin_until([&] { return generation.load(std::memory_order_acquire) != seen || stopping.load(std::memory_order_relaxed); });
  }

  void worker_loop() {
    in_parallel_region = true;
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      lock.unlock();
      spin_for_work(seen);
      lock.lock();
      work_ready.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping) return;
      seen = generation.load(std::memory_order_relaxed);
      drain(lock);
      if (active == 0) work_done.notify_all();
    }
  }
};

ThreadPool::ThreadPool(int num_threads) : impl_(std::make_unique<Impl>()) {
  impl_->num_threads = num_threads > 0 ? num_threads : default_num_threads();
  for (int i = 1; i < impl_->num_threads; ++i) {
    impl_->workers.emplace_back([impl = impl_.get()] { impl->worker_loop(); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->work_ready.notify_all();
  for (auto& t : impl_->workers) t.join();
}

int ThreadPool::num_threads() const { return impl_->num_threads; }

void ThreadPool::parallel_for(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (impl_->num_threads <= 1 || in_parallel_region || n <= min_chunk) {
    fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> call_lock(impl_->call_mutex);
  std::unique_lock<std::mutex> lock(impl_->mutex);
  // A few chunks per thread balance uneven work without much scheduling overhead.
  int64_t chunks = int64_t(impl_->num_threads) * 4;
  impl_->chunk = std::max<int64_t>(std::max<int64_t>(min_chunk, 1), (n + chunks - 1) / chunks);
  impl_->fn = &fn;
  impl_->n = n;
  impl_->next = 0;
  ++impl_->generation;
  impl_->work_ready.notify_all();
  in_parallel_region = true;
  impl_->drain(lock);
  in_parallel_region = false;
  // The workers' last chunks usually end within microseconds: poll before sleeping, since a
  // sleeping caller pays a wake-up too.
  if (impl_->active.load(std::memory_order_acquire) != 0) {
    lock.unlock();
    Impl::spin_until([&] { return impl_->active.load(std::memory_order_acquire) == 0; });
    lock.lock();
  }
  impl_->work_done.wait(lock, [&] { return impl_->active == 0 && impl_->next >= impl_->n; });
  impl_->fn = nullptr;
}

#else  // no threads (WASI)

struct ThreadPool::Impl {};
ThreadPool::ThreadPool(int) : impl_(std::make_unique<Impl>()) {}
ThreadPool::~ThreadPool() = default;
int ThreadPool::num_threads() const { return 1; }
void ThreadPool::parallel_for(int64_t n, int64_t, const std::function<void(int64_t, int64_t)>& fn) {
  if (n > 0) fn(0, n);
}

#endif

}  // namespace wisp
