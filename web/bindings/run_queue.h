// The thread a threaded web build runs a model's sessions on, so that JS's main thread never
// blocks in a run: tasks run one after another, in the order posted. Single-thread builds
// (WISP_HAS_THREADS=0) run each task inline in post().
#pragma once

#include <functional>
#include <memory>

namespace wisp::web {

class RunQueue {
 public:
  RunQueue();
  // Lets the queued tasks finish on their thread, then ends it; never waits (the thread is
  // detached), so destroying the queue on the browser's main thread cannot block it.
  ~RunQueue();
  RunQueue(const RunQueue&) = delete;
  RunQueue& operator=(const RunQueue&) = delete;

  // Runs `task` on the queue's thread. Returns false when it ran inline (no threads).
  bool post(std::function<void()> task);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace wisp::web
