// libFuzzer target: arbitrary bytes through the ONNX loader, then plan compilation (which
// validates every node's attributes) when the bytes load.
#include "core/loaders/model_loader.h"
#include "core/runtime/session.h"
#include "tests/fuzz/fuzz_limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wisp;
  LoadOptions options;
  options.limits = fuzz::limits();
  Result<Model> model = load_onnx(bytes_from_vector(std::vector<uint8_t>(data, data + size)), options);
  if (!model.is_ok()) return 0;
  (void)Session::from_model(std::move(model).value(), fuzz::session_options());
  return 0;
}
