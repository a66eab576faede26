// Parallel loops for kernels. One pool serves every target: std::thread natively, Emscripten
// pthreads (Web Workers) in the browser, and a single thread under WASI.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

// Per-thread scratch storage for kernels (`WISP_THREAD_LOCAL std::vector<float> scratch;`).
// Builds without threads (WASI, single-threaded web) make it plain static storage: the same
// meaning there, and it avoids the runtime support (__cxa_thread_atexit) that thread_local
// objects with destructors need and wasi-libc does not have.
#if WISP_HAS_THREADS
#define WISP_THREAD_LOCAL thread_local
#else
#define WISP_THREAD_LOCAL static
#endif

namespace wisp {

class ThreadPool {
 public:
  // `num_threads` <= 0 picks the default (WISP_NUM_THREADS, else the core count).
  explicit ThreadPool(int num_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const;
  // Calls fn(begin, end) over [0, n) split into chunks of at least `min_chunk`; blocks until done.
  // Safe to call from several threads at once (calls are serialised) and from inside fn
  // (nested calls run inline).
  void parallel_for(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn);

  static int default_num_threads();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs fn over [0, n) on `pool` when given, else inline.
inline void parallel_for(ThreadPool* pool, int64_t n, int64_t min_chunk,
                         const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (pool && n > min_chunk) {
    pool->parallel_for(n, min_chunk, fn);
  } else {
    fn(0, n);
  }
}

}  // namespace wisp
