// `wisp convert IN.onnx OUT.wisp`: re-save a model in Wisp's own format.
#include <cstdio>
#include <string>

#include "core/loaders/model_loader.h"
#include "native/cli/commands.h"
#include "native/cli/inputs.h"

namespace wisp::cli {
namespace {

long file_size(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return -1;
  std::fseek(f, 0, SEEK_END);
  long size = std::ftell(f);
  std::fclose(f);
  return size;
}

}  // namespace

int convert_command(const Args& args) {
  Options o("wisp convert IN.onnx OUT.wisp",
            "Converts a model to the .wisp format (FlatBuffers, aligned weights, faster to load).\n"
            "The graph is saved as loaded: no optimisation is applied.");
  if (int rc = parse_command_line(o, args, 2, "IN.onnx OUT.wisp"); rc != kContinue) return rc;
  const std::string& in = o.positional()[0];
  const std::string& out = o.positional()[1];
  if (in == out) return usage_error("the output would overwrite the input '" + in + "'");

  double t0 = now_ms();
  Result<Model> model = load_model_file(in);
  if (!model.is_ok()) return report_error(model.status());
  Status saved = save_wisp(*model, out);
  if (!saved.is_ok()) return report_error(saved.with_context("'" + out + "': "));
  std::printf("wrote %s (%ld bytes, from %ld) in %.1f ms\n", out.c_str(), file_size(out), file_size(in),
              now_ms() - t0);
  return kExitOk;
}

}  // namespace wisp::cli
