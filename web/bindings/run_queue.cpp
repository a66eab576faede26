#include "web/bindings/run_queue.h"

#if WISP_HAS_THREADS
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#endif

namespace wisp::web {

#if WISP_HAS_THREADS

// Shared by the queue and its thread: the thread may outlive the queue (it finishes the
// tasks already posted after the model was disposed).
struct RunQueue::State {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::function<void()>> tasks;
  bool closing = false;

  void loop() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      ready.wait(lock, [&] { return closing || !tasks.empty(); });
      if (tasks.empty()) return;  // closing and drained
      std::function<void()> task = std::move(tasks.front());
      tasks.pop_front();
      lock.unlock();
      task();
      task = nullptr;  // release what the task holds (a Session) on this thread
      lock.lock();
    }
  }
};

RunQueue::RunQueue() : state_(std::make_shared<State>()) {
  // Under Emscripten, creating a thread from the main thread takes a worker from the pool
  // that wisp.mjs asked for when it loaded the module (or starts a new one); it does not
  // wait for the worker.
  std::thread([state = state_] { state->loop(); }).detach();
}

RunQueue::~RunQueue() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->closing = true;
  }
  state_->ready.notify_all();
}

bool RunQueue::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->tasks.push_back(std::move(task));
    // libc++ "moves" a std::function whose callable sits in its small buffer by copying it,
    // so `task` may still hold a copy of what it captured (dispose()'s last reference to the
    // Session). Drop it here, while the queued copy is certainly alive: if it were dropped
    // after the run thread had finished the task, the Session would be freed on this (JS
    // main) thread, which then joins the pool's workers; a worker not started yet needs the
    // main thread's event loop to start, so that join never returned (seen as a rare hang
    // of dispose() in tests/web/api.test.mjs).
    task = nullptr;
  }
  state_->ready.notify_one();
  return true;
}

#else  // single-thread build

struct RunQueue::State {};
RunQueue::RunQueue() = default;
RunQueue::~RunQueue() = default;
bool RunQueue::post(std::function<void()> task) {
  task();
  return false;
}

#endif

}  // namespace wisp::web
