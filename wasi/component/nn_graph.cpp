// graph.load, graph.load-by-name and graph.init-execution-context on top of wisp::Session.
#include "core/loaders/model_loader.h"
#include "wasi/component/nn_api.h"

namespace wisp::nn {
namespace {

const char* encoding_name(GraphEncoding encoding) {
  switch (encoding) {
    case GraphEncoding::OpenVino: return "openvino";
    case GraphEncoding::Onnx: return "onnx";
    case GraphEncoding::TensorFlow: return "tensorflow";
    case GraphEncoding::PyTorch: return "pytorch";
    case GraphEncoding::TensorFlowLite: return "tensorflowlite";
    case GraphEncoding::Ggml: return "ggml";
    case GraphEncoding::Autodetect: return "autodetect";
  }
  return "?";
}

Outcome<std::unique_ptr<Graph>> graph_of(Result<std::unique_ptr<Session>> session) {
  if (!session.is_ok()) return error_from_status(session.status(), ErrorCode::InvalidEncoding);
  auto graph = std::make_unique<Graph>();
  graph->session = std::shared_ptr<const Session>(std::move(session).value());
  return graph;
}

}  // namespace

Outcome<std::unique_ptr<Graph>> load(std::vector<Bytes> builders, GraphEncoding encoding, ExecutionTarget target) {
  if (target != ExecutionTarget::Cpu) {
    return Error{ErrorCode::UnsupportedOperation, "Wisp runs graphs on the cpu execution target only"};
  }
  if (encoding != GraphEncoding::Onnx && encoding != GraphEncoding::Autodetect) {
    return Error{ErrorCode::InvalidEncoding, std::string("Wisp cannot load the '") + encoding_name(encoding) +
                                                 "' encoding: use onnx, or autodetect for ONNX and .wisp"};
  }
  if (builders.size() != 1) {
    return Error{ErrorCode::InvalidArgument, "Wisp loads a graph from exactly one buffer (the .onnx or .wisp file), got " +
                                                 std::to_string(builders.size())};
  }
  FileBytes bytes{builders[0].data, builders[0].size, std::move(builders[0].owner)};
  // .wisp has no case in the WIT's graph-encoding: it is read through autodetect only, so
  // that `onnx` keeps meaning exactly ONNX.
  if (encoding == GraphEncoding::Onnx && is_wisp_file(bytes)) {
    return Error{ErrorCode::InvalidEncoding, "these bytes are a .wisp file, not ONNX: load them with the autodetect encoding"};
  }
  // Session::load_bytes picks the loader by content, which is what autodetect means; for
  // `onnx` the check above has excluded .wisp already.
  return graph_of(Session::load_bytes(std::move(bytes)));
}

Outcome<std::unique_ptr<Graph>> load_by_name(const std::string& name) {
  if (name.empty()) return Error{ErrorCode::InvalidArgument, "the graph name is empty (expected a model path)"};
  return graph_of(Session::load_file(name));
}

Outcome<std::unique_ptr<GraphExecutionContext>> init_execution_context(const Graph& graph) {
  auto context = std::make_unique<GraphExecutionContext>();
  context->session = graph.session;
  return context;
}

}  // namespace wisp::nn
