// The objects behind a JS `Model`: a loaded Session (WebModel) and one run of it (RunJob).
// Tensor bytes cross the JS/wasm boundary through raw heap pointers: JS copies a typed array
// into memory allocated here (RunJob::prepare_input) and copies outputs out of the heap
// (RunJob::result gives their addresses), one memcpy each way and no per-element calls.
//
// Threads: in a threaded build (WISP_HAS_THREADS) every model has a run thread (RunQueue);
// WebModel::start hands it the job and returns at once, and the run thread calls
// Module.wispJobDone(id) on the main thread when the job is done. Runs of one model execute
// one after another, in order, so concurrent run() calls from JS see the same results as
// sequential ones. In a single-thread build start() runs the job before returning.
// Only the main thread touches emscripten::val; the run thread sees plain C++ objects.
//
// Every method reports failure as a JS object {error: "message"} or a non-empty string (the
// core has no exceptions); the JS wrapper turns it into an Error.
#pragma once

#include <emscripten/val.h>

#include <memory>
#include <string>

#include "core/runtime/session.h"
#include "web/bindings/run_queue.h"

namespace wisp::web {

// A 64-byte aligned buffer in the wasm heap that JS fills with the model file. Loading keeps
// it alive for as long as the model borrows its tensors from it (zero copy).
class ModelBytes {
 public:
  explicit ModelBytes(double size);
  bool ok() const { return storage_ != nullptr || size_ == 0; }
  double ptr() const;
  double size() const { return double(size_); }
  FileBytes file_bytes() const;

 private:
  std::shared_ptr<Storage> storage_;
  size_t size_ = 0;
};

// One run: feeds prepared by JS, then (after the run) the outputs or the error.
class RunJob {
 public:
  // Allocates the feed `name` and returns {ptr, nbytes} for JS to fill, or {error}.
  emscripten::val prepare_input(const std::string& name, const std::string& dtype, emscripten::val dims);
  // Sets a string feed from a JS array of strings. Returns "" or the error.
  std::string set_string_input(const std::string& name, emscripten::val dims, emscripten::val strings);

  // Also time every node of the run (RunProfile); result() then has a `profile`.
  void enable_profile() { profiling_ = true; }
  // Runs the session on the feeds (any thread; no JS values).
  void execute(const Session& session);
  // Marks the job done with this error instead.
  void fail(Status status);
  // After execute: {outputs: [{name, dtype, dims, ptr, nbytes} or {name, dtype, dims,
  // strings}], profile?: {nodes: [{name, opType, ms}], allocationMs, allocations}} or
  // {error}. The pointers stay valid while the job lives.
  emscripten::val result() const;

 private:
  NamedTensors feeds_;
  NamedTensors outputs_;
  Status status_;
  bool done_ = false;
  bool profiling_ = false;
  RunProfile profile_;
};

class WebModel {
 public:
  WebModel() = default;
  ~WebModel() { dispose(); }
  WebModel(const WebModel&) = delete;
  WebModel& operator=(const WebModel&) = delete;

  // Parses `bytes` (ONNX or .wisp). options: {optimize?: boolean, numThreads?: number}.
  // Returns "" or the error.
  std::string load(const ModelBytes& bytes, emscripten::val options);

  // [{name, dtype, shape}] where shape is null (rank unknown) or an array of numbers
  // (fixed), strings (symbolic) and nulls (unknown).
  emscripten::val inputs() const;
  emscripten::val outputs() const;
  int num_threads() const;

  // Starts `job` (which JS keeps alive until it is done). Returns true when the job is
  // already done (single-thread build, or no model); otherwise Module.wispJobDone(id) is
  // called on the main thread later.
  bool start(RunJob& job, int id);

  // The model as .wisp bytes (a JS Uint8Array copy), or {error}.
  emscripten::val to_wisp() const;

  // Releases the model: runs already started still finish (the session is freed on the run
  // thread after them); start() afterwards reports "disposed".
  void dispose();

 private:
  std::shared_ptr<const Session> session_;
  std::unique_ptr<RunQueue> queue_;
};

}  // namespace wisp::web
