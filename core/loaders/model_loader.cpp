#include "core/loaders/model_loader.h"

namespace wisp {

Result<Model> load_model_bytes(const FileBytes& bytes, const LoadOptions& options) {
  if (bytes.size == 0) return invalid_model("the model is empty (0 bytes)");
  if (is_wisp_file(bytes)) return load_wisp(bytes, options);
  return load_onnx(bytes, options);
}

Result<Model> load_model_file(const std::string& path, Limits limits) {
  WISP_ASSIGN_OR_RETURN(FileBytes bytes, read_file_bytes(path));
  LoadOptions options;
  options.base_dir = parent_directory(path);
  if (options.base_dir.empty()) options.base_dir = ".";
  options.limits = limits;
  Result<Model> model = load_model_bytes(bytes, options);
  if (!model.is_ok()) return model.status().with_context("'" + path + "': ");
  return model;
}

}  // namespace wisp
