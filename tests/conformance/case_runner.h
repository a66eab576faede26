// One ONNX backend test case: load model.onnx, feed each test_data_set's inputs, compare
// the outputs with the reference under ONNX's own tolerance.
#pragma once

#include <string>

namespace wisp::conformance {

enum class Outcome { Passed, Failed, NotApplicable };

struct CaseResult {
  Outcome outcome = Outcome::Failed;
  std::string message;
};

// A folder with model.onnx and test_data_set_N/{input,output}_K.pb.
CaseResult run_case(const std::string& case_dir);
// light/light_<name>.onnx with light_<name>_output_0.pb next to it, fed arange(n)/n.
CaseResult run_light_model(const std::string& model_path);

}  // namespace wisp::conformance
