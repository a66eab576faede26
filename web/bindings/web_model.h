// The object behind a JS `Model`: a Session plus the feeds being prepared and the outputs of
// the last run. Tensor bytes cross the JS/wasm boundary through raw heap pointers: JS copies a
// typed array into memory allocated here (prepare_input) and copies outputs out of the heap
// (run returns their addresses), which costs one memcpy each way and no per-element calls.
//
// Every method reports failure as a JS object {error: "message"} (the core has no exceptions);
// the JS wrapper turns it into an Error.
#pragma once

#include <emscripten/val.h>

#include <memory>
#include <string>

#include "core/runtime/session.h"

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

class WebModel {
 public:
  // Parses `bytes` (ONNX or .wisp). options: {optimize?: boolean}. Returns "" or the error.
  std::string load(const ModelBytes& bytes, emscripten::val options);

  // [{name, dtype, shape}] where shape is null (rank unknown) or an array of numbers
  // (fixed), strings (symbolic) and nulls (unknown).
  emscripten::val inputs() const;
  emscripten::val outputs() const;

  // Allocates the feed `name` and returns {ptr, nbytes} for JS to fill, or {error}.
  emscripten::val prepare_input(const std::string& name, const std::string& dtype, emscripten::val dims);
  // Sets a string feed from a JS array of strings. Returns "" or the error.
  std::string set_string_input(const std::string& name, emscripten::val dims, emscripten::val strings);
  void clear_inputs() { feeds_.clear(); }

  // Runs with the prepared feeds (then clears them). Returns {outputs: [{name, dtype, dims,
  // ptr, nbytes} or {name, dtype, dims, strings}]} or {error}. The pointers stay valid until
  // release_outputs() or the next run.
  emscripten::val run();
  void release_outputs() { outputs_.clear(); }

  // The model as .wisp bytes (a JS Uint8Array copy), or {error}.
  emscripten::val to_wisp() const;

 private:
  std::unique_ptr<Session> session_;
  NamedTensors feeds_;
  NamedTensors outputs_;
};

}  // namespace wisp::web
