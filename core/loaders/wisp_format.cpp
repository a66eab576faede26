// PLACEHOLDER: replaced by the .wisp format implementation.
#include "core/loaders/model_loader.h"
namespace wisp {
Result<Model> load_wisp(const FileBytes&, const LoadOptions&) { return unsupported(".wisp loader not built yet"); }
Status save_wisp(const Model&, const std::string&) { return unsupported(".wisp writer not built yet"); }
bool is_wisp_file(const FileBytes& b) { return b.size >= 4 && b.data[0] == 'W' && b.data[1] == 'I' && b.data[2] == 'S' && b.data[3] == 'P'; }
}  // namespace wisp
