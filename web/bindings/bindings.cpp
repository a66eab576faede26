// Embind declarations: the raw module API that web/js/wisp.mjs wraps. Not a public API.
#include <emscripten/bind.h>

#include "web/bindings/web_model.h"

using namespace emscripten;
using wisp::web::ModelBytes;
using wisp::web::WebModel;

EMSCRIPTEN_BINDINGS(wisp) {
  class_<ModelBytes>("ModelBytes")
      .constructor<double>()
      .function("ok", &ModelBytes::ok)
      .function("ptr", &ModelBytes::ptr)
      .function("size", &ModelBytes::size);
  class_<WebModel>("WebModel")
      .constructor<>()
      .function("load", &WebModel::load)
      .function("inputs", &WebModel::inputs)
      .function("outputs", &WebModel::outputs)
      .function("prepareInput", &WebModel::prepare_input)
      .function("setStringInput", &WebModel::set_string_input)
      .function("clearInputs", &WebModel::clear_inputs)
      .function("run", &WebModel::run)
      .function("releaseOutputs", &WebModel::release_outputs)
      .function("toWisp", &WebModel::to_wisp);
}
