// `wisp run MODEL`: one run on .npy, constant or random inputs; outputs summarised and
// optionally saved as .npy files.
#include <cstdio>
#include <set>
#include <string>

#include "core/io/npy.h"
#include "native/cli/commands.h"
#include "native/cli/inputs.h"

namespace wisp::cli {
namespace {

struct SavedOutput {
  std::string name;
  Tensor tensor;
  std::string file;  // empty when not saved
};

// Writes every output to DIR/<sanitized name>.npy, making names unique when sanitising collides.
Status save_outputs(const std::string& dir, std::vector<SavedOutput>& outputs) {
  WISP_RETURN_IF_ERROR(make_directories(dir));
  std::set<std::string> used;
  for (SavedOutput& out : outputs) {
    std::string base = sanitize_file_name(out.name);
    std::string file = base;
    for (int n = 2; used.count(file); ++n) file = base + "_" + std::to_string(n);
    used.insert(file);
    out.file = dir + "/" + file + ".npy";
    Status status = write_npy(out.file, out.tensor);
    if (!status.is_ok()) return status.with_context("output '" + out.name + "': ");
  }
  return Status::ok();
}

}  // namespace

int run_command(const Args& args) {
  Options o("wisp run MODEL [--input NAME=FILE.npy ...] [--random] [--output-dir DIR] [options]",
            "Runs MODEL once and prints each output's dtype, shape and min/max/mean.\n"
            "Every input must be given by --input, --fill or --random.");
  add_input_options(o);
  o.value("--output-dir", "DIR", "save each output as DIR/<output name>.npy");
  add_session_options(o);
  o.flag("--json", "print one JSON object instead of text");
  if (int rc = parse_command_line(o, args, 1, "MODEL"); rc != kContinue) return rc;
  const std::string& path = o.positional()[0];
  Result<SessionOptions> session_options = read_session_options(o);
  if (!session_options.is_ok()) return usage_error(session_options.status().message());

  double t0 = now_ms();
  auto session = Session::load_file(path, *session_options);
  if (!session.is_ok()) return report_error(session.status());
  double load_ms = now_ms() - t0;

  Result<NamedTensors> feeds = make_feeds(o, (*session)->inputs(), session_options->limits);
  if (!feeds.is_ok()) return report_error(feeds.status());

  t0 = now_ms();
  Result<NamedTensors> results = (*session)->run(*feeds);
  double run_ms = now_ms() - t0;
  if (!results.is_ok()) return report_error(results.status());

  std::vector<SavedOutput> outputs;
  for (auto& [name, tensor] : *results) outputs.push_back({name, tensor, ""});
  if (o.has("--output-dir")) {
    if (Status s = save_outputs(o.get("--output-dir"), outputs); !s.is_ok()) return report_error(s);
  }

  if (o.has("--json")) {
    std::string out = "{\"model\":" + json_string(path) + ",\"load_ms\":" + json_number(load_ms) +
                      ",\"run_ms\":" + json_number(run_ms) + ",\"outputs\":[";
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Tensor& t = outputs[i].tensor;
      Summary s = summarize(t);
      out += (i ? "," : "") + std::string("{\"name\":") + json_string(outputs[i].name) +
             ",\"dtype\":" + json_string(dtype_name(t.dtype())) + ",\"shape\":" + json_shape(t.shape());
      if (s.numeric && s.count) {
        out += ",\"min\":" + json_number(s.min) + ",\"max\":" + json_number(s.max) + ",\"mean\":" + json_number(s.mean);
      }
      if (s.nan || s.inf) out += ",\"nan\":" + std::to_string(s.nan) + ",\"inf\":" + std::to_string(s.inf);
      if (!outputs[i].file.empty()) out += ",\"file\":" + json_string(outputs[i].file);
      out += "}";
    }
    std::printf("%s]}\n", out.c_str());
    return kExitOk;
  }
  for (const SavedOutput& out : outputs) {
    std::printf("%s: %s %s", out.name.c_str(), dtype_name(out.tensor.dtype()),
                shape_to_string(out.tensor.shape()).c_str());
    std::string summary = summary_text(summarize(out.tensor));
    if (!summary.empty()) std::printf("  %s", summary.c_str());
    if (!out.file.empty()) std::printf("  -> %s", out.file.c_str());
    std::printf("\n");
  }
  std::printf("load: %.2f ms, run: %.2f ms\n", load_ms, run_ms);
  return kExitOk;
}

}  // namespace wisp::cli
