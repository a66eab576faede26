// PLACEHOLDER: replaced by the ONNX loader implementation.
#include "core/loaders/model_loader.h"
namespace wisp {
Result<Model> load_onnx(const FileBytes&, const LoadOptions&) { return unsupported("ONNX loader not built yet"); }
}  // namespace wisp
