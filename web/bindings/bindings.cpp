// Embind declarations: the raw module API that web/js/wisp.mjs wraps. Not a public API.
#include <emscripten/bind.h>

#include "web/bindings/web_model.h"

using namespace emscripten;
using wisp::web::ModelBytes;
using wisp::web::RunJob;
using wisp::web::WebModel;

namespace {
// Whether this build runs models on their own threads (wisp.mjs checks it matches the file).
bool has_threads() { return WISP_HAS_THREADS != 0; }
}  // namespace

EMSCRIPTEN_BINDINGS(wisp) {
  function("hasThreads", &has_threads);
  class_<ModelBytes>("ModelBytes")
      .constructor<double>()
      .function("ok", &ModelBytes::ok)
      .function("ptr", &ModelBytes::ptr)
      .function("size", &ModelBytes::size);
  class_<RunJob>("RunJob")
      .constructor<>()
      .function("prepareInput", &RunJob::prepare_input)
      .function("setStringInput", &RunJob::set_string_input)
      .function("enableProfile", &RunJob::enable_profile)
      .function("result", &RunJob::result);
  class_<WebModel>("WebModel")
      .constructor<>()
      .function("load", &WebModel::load)
      .function("inputs", &WebModel::inputs)
      .function("outputs", &WebModel::outputs)
      .function("numThreads", &WebModel::num_threads)
      .function("start", &WebModel::start)
      .function("toWisp", &WebModel::to_wisp)
      .function("dispose", &WebModel::dispose);
}
