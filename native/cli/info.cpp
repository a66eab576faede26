// `wisp info MODEL`: what a model declares and what it is made of, without compiling it
// (so it also works for models with operators Wisp does not support).
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "core/loaders/model_loader.h"
#include "core/ops/op.h"
#include "native/cli/commands.h"
#include "native/cli/inputs.h"

namespace wisp::cli {
namespace {

struct ModelStats {
  std::map<std::string, int64_t> ops;  // "Conv", or "domain:Op" outside the default domain
  std::set<std::string> unsupported;
  int64_t nodes = 0;            // in the main graph
  int64_t subgraph_nodes = 0;   // inside If/Loop/Scan bodies
  int64_t parameters = 0;       // elements of initializers and Constant values
  int64_t parameter_bytes = 0;
  int64_t parameter_tensors = 0;
};

void count_tensor(const Tensor& t, ModelStats& stats) {
  stats.parameters += t.numel();
  stats.parameter_bytes += int64_t(t.nbytes());
  stats.parameter_tensors += 1;
}

void collect(const Graph& graph, bool is_main, ModelStats& stats) {
  for (const auto& [name, tensor] : graph.initializers) count_tensor(tensor, stats);
  for (const Node& node : graph.nodes) {
    (is_main ? stats.nodes : stats.subgraph_nodes) += 1;
    std::string domain = canonical_domain(node.domain);
    std::string key = domain.empty() ? node.op_type : domain + ":" + node.op_type;
    stats.ops[key] += 1;
    if (!OpRegistry::builtin().supports(node.domain, node.op_type)) stats.unsupported.insert(key);
    if (node.op_type == "Constant" && domain.empty()) {
      if (const Attribute* value = node.attr("value"); value && value->kind == Attribute::Kind::Tensor) {
        count_tensor(value->t, stats);
      }
    }
    for (const auto& [key_name, attr] : node.attributes) {
      if (attr.g) collect(*attr.g, false, stats);
      for (const auto& g : attr.graphs) {
        if (g) collect(*g, false, stats);
      }
    }
  }
}

std::string human_bytes(int64_t bytes) {
  char buf[32];
  if (bytes < 1024) std::snprintf(buf, sizeof buf, "%lld B", (long long)bytes);
  else if (bytes < (1 << 20)) std::snprintf(buf, sizeof buf, "%.1f KiB", double(bytes) / 1024);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / (1 << 20));
  return buf;
}

std::string json_declared_shape(const ValueInfo& v) {
  if (!v.has_shape) return "null";
  std::string out = "[";
  for (size_t i = 0; i < v.shape.size(); ++i) {
    const Dim& d = v.shape[i];
    out += i ? "," : "";
    out += d.is_fixed() ? std::to_string(d.value) : (d.symbol.empty() ? "null" : json_string(d.symbol));
  }
  return out + "]";
}

std::string json_values(const std::vector<ValueInfo>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    out += (i ? "," : "") + std::string("{\"name\":") + json_string(values[i].name) +
           ",\"dtype\":" + json_string(dtype_name(values[i].dtype)) + ",\"shape\":" + json_declared_shape(values[i]) +
           "}";
  }
  return out + "]";
}

void print_json(const std::string& path, const char* format, const Model& model, const ModelStats& s) {
  std::string out = "{\"model\":" + json_string(path) + ",\"format\":" + json_string(format) +
                    ",\"ir_version\":" + std::to_string(model.ir_version) + ",\"opsets\":{";
  bool first = true;
  for (const auto& [domain, version] : model.opsets) {
    out += (first ? "" : ",") + json_string(domain) + ":" + std::to_string(version);
    first = false;
  }
  out += "},\"producer\":{\"name\":" + json_string(model.producer_name) +
         ",\"version\":" + json_string(model.producer_version) + "}";
  out += ",\"inputs\":" + json_values(model.graph.inputs) + ",\"outputs\":" + json_values(model.graph.outputs);
  out += ",\"nodes\":" + std::to_string(s.nodes) + ",\"subgraph_nodes\":" + std::to_string(s.subgraph_nodes);
  out += ",\"ops\":{";
  first = true;
  for (const auto& [op, count] : s.ops) {
    out += (first ? "" : ",") + json_string(op) + ":" + std::to_string(count);
    first = false;
  }
  out += "},\"parameters\":{\"count\":" + std::to_string(s.parameters) +
         ",\"bytes\":" + std::to_string(s.parameter_bytes) + ",\"tensors\":" + std::to_string(s.parameter_tensors) +
         "},\"unsupported_ops\":[";
  first = true;
  for (const std::string& op : s.unsupported) {
    out += (first ? "" : ",") + json_string(op);
    first = false;
  }
  std::printf("%s]}\n", out.c_str());
}

void print_values(const char* title, const std::vector<ValueInfo>& values) {
  std::printf("%s:\n", title);
  if (values.empty()) std::printf("  (none)\n");
  for (const ValueInfo& v : values) {
    std::printf("  %s: %s %s\n", v.name.c_str(), dtype_name(v.dtype), declared_shape_string(v).c_str());
  }
}

void print_text(const std::string& path, const char* format, const Model& model, const ModelStats& s) {
  std::printf("model: %s\nformat: %s\nir_version: %lld\nopsets:", path.c_str(), format,
              (long long)model.ir_version);
  for (const auto& [domain, version] : model.opsets) {
    std::printf(" %s %lld", domain.empty() ? "ai.onnx" : domain.c_str(), (long long)version);
  }
  std::printf("\n");
  if (!model.producer_name.empty()) {
    std::printf("producer: %s %s\n", model.producer_name.c_str(), model.producer_version.c_str());
  }
  print_values("inputs", model.graph.inputs);
  print_values("outputs", model.graph.outputs);
  std::printf("nodes: %lld", (long long)s.nodes);
  if (s.subgraph_nodes) std::printf(" (+%lld in subgraphs)", (long long)s.subgraph_nodes);
  std::printf("\nparameters: %lld (%s in %lld tensors)\n", (long long)s.parameters,
              human_bytes(s.parameter_bytes).c_str(), (long long)s.parameter_tensors);
  std::printf("ops:\n");
  for (const auto& [op, count] : s.ops) std::printf("  %-28s %lld\n", op.c_str(), (long long)count);
  if (s.unsupported.empty()) {
    std::printf("unsupported ops: none\n");
  } else {
    std::printf("unsupported ops:");
    for (const std::string& op : s.unsupported) std::printf(" %s", op.c_str());
    std::printf("\n");
  }
}

}  // namespace

int info_command(const Args& args) {
  Options o("wisp info MODEL [--json]",
            "Shows a model's format, opsets, inputs and outputs (symbolic dimensions by name),\n"
            "operator histogram, node and parameter counts, and operators Wisp does not support.");
  o.flag("--json", "print one JSON object instead of text");
  if (int rc = parse_command_line(o, args, 1, "MODEL"); rc != kContinue) return rc;
  const std::string& path = o.positional()[0];

  // Loaded directly (not through Session) so that nothing is compiled.
  Result<FileBytes> bytes = read_file_bytes(path);
  if (!bytes.is_ok()) return report_error(bytes.status());
  const char* format = is_wisp_file(*bytes) ? "wisp" : "onnx";
  LoadOptions load;
  load.base_dir = parent_directory(path);
  if (load.base_dir.empty()) load.base_dir = ".";
  Result<Model> model = load_model_bytes(*bytes, load);
  if (!model.is_ok()) return report_error(model.status().with_context("'" + path + "': "));

  ModelStats stats;
  collect(model->graph, true, stats);
  if (o.has("--json")) print_json(path, format, *model, stats);
  else print_text(path, format, *model, stats);
  return kExitOk;
}

}  // namespace wisp::cli
