// Limits shared by the fuzz targets: small enough that a hostile input fails fast instead of
// exhausting the fuzzer's memory (libFuzzer's default -rss_limit_mb is 2048) or time.
#pragma once

#include "core/runtime/limits.h"
#include "core/runtime/session.h"

namespace wisp::fuzz {

inline Limits limits() {
  Limits l;
  l.max_tensor_elements = int64_t(1) << 20;
  l.max_total_bytes = int64_t(256) << 20;
  l.max_graph_depth = 8;
  l.max_loop_iterations = 1000;
  return l;
}

inline SessionOptions session_options() {
  SessionOptions o;
  o.num_threads = 1;
  o.limits = limits();
  // The opt-in fusion passes too: they rewrite the graph of an untrusted file as well (their
  // first fuzzing found a MatMul with one input read as if it had two).
  o.fuse = true;
  return o;
}

}  // namespace wisp::fuzz
