// Entry points of the model loaders. Both produce the same Model IR.
#pragma once

#include <string>

#include "core/base/status.h"
#include "core/graph/graph.h"
#include "core/loaders/file_bytes.h"
#include "core/runtime/limits.h"

namespace wisp {

struct LoadOptions {
  // Folder that external-data locations are relative to; empty means external data is refused
  // (models loaded from bytes). Locations may not leave this folder.
  std::string base_dir;
  Limits limits;
};

// Parses an ONNX ModelProto with protozero. Initializers borrow from `bytes` when aligned.
Result<Model> load_onnx(const FileBytes& bytes, const LoadOptions& options);
// Parses a .wisp file (see schema/wisp.fbs), verifying the FlatBuffer and every offset.
Result<Model> load_wisp(const FileBytes& bytes, const LoadOptions& options);
// Writes `model` as .wisp.
Status save_wisp(const Model& model, const std::string& path);
// True when the bytes start with the .wisp magic.
bool is_wisp_file(const FileBytes& bytes);

// Picks the loader by content.
Result<Model> load_model_bytes(const FileBytes& bytes, const LoadOptions& options);
Result<Model> load_model_file(const std::string& path, Limits limits = {});

}  // namespace wisp
