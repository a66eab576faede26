#include "native/cli/options.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace wisp::cli {

int report_error(const Status& status) {
  // One line, always: scripts and tests read the first line of stderr.
  std::string message = status.message();
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return kExitFailure;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "error: %s (see --help)\n", message.c_str());
  return kExitUsage;
}

Options::Options(std::string usage, std::string description)
    : usage_(std::move(usage)), description_(std::move(description)) {}

void Options::flag(const std::string& name, const std::string& help) {
  specs_.push_back({name, "", help, false, false});
}

void Options::value(const std::string& name, const std::string& metavar, const std::string& help,
                    bool repeatable) {
  specs_.push_back({name, metavar, help, true, repeatable});
}

const Options::Spec* Options::find(const std::string& name) const {
  for (const Spec& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Status Options::parse(const std::vector<std::string>& args) {
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-') {
      positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      help_ = true;
      continue;
    }
    // "--name=value" and "--name value" are both accepted.
    std::string name = arg;
    std::string inline_value;
    bool has_inline = false;
    if (size_t eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
      has_inline = true;
    }
    const Spec* spec = find(name);
    if (!spec) return invalid_argument("unknown option '", name, "'");
    if (!spec->takes_value) {
      if (has_inline) return invalid_argument("option '", name, "' takes no value");
      values_[name].push_back("");
      continue;
    }
    std::string value;
    if (has_inline) {
      value = inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return invalid_argument("option '", name, "' needs a value (", spec->metavar, ")");
    }
    auto& slot = values_[name];
    if (!spec->repeatable) slot.clear();
    slot.push_back(value);
  }
  return Status::ok();
}

std::string Options::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

const std::vector<std::string>& Options::all(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

Result<int64_t> Options::get_int(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
  if (!has(name)) return fallback;
  WISP_ASSIGN_OR_RETURN(int64_t v, parse_int(get(name), name));
  if (v < min || v > max) return invalid_argument(name, " must be between ", min, " and ", max, ", got ", v);
  return v;
}

std::string Options::help_text() const {
  std::string out = "usage: " + usage_ + "\n\n" + description_ + "\n";
  if (!specs_.empty()) out += "\noptions:\n";
  for (const Spec& s : specs_) {
    std::string left = "  " + s.name + (s.takes_value ? " " + s.metavar : "");
    if (left.size() < 26) left.append(26 - left.size(), ' ');
    else left += "\n" + std::string(26, ' ');
    out += left + s.help + (s.repeatable ? " (repeatable)" : "") + "\n";
  }
  out += "  -h, --help" + std::string(14, ' ') + "show this help\n";
  return out;
}

int parse_command_line(Options& options, const std::vector<std::string>& args, size_t num_positional,
                       const std::string& expected) {
  Status status = options.parse(args);
  if (options.help_requested()) {
    std::fputs(options.help_text().c_str(), stdout);
    return kExitOk;
  }
  if (!status.is_ok()) return usage_error(status.message());
  size_t got = options.positional().size();
  if (got < num_positional) return usage_error("missing argument: expected " + expected);
  if (got > num_positional) return usage_error("unexpected argument '" + options.positional()[num_positional] + "'");
  return kContinue;
}

Result<int64_t> parse_int(const std::string& text, const std::string& what) {
  if (text.empty()) return invalid_argument(what, " expects an integer, got ''");
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return invalid_argument(what, " expects an integer, got '", text, "'");
  return int64_t(v);
}

Result<double> parse_number(const std::string& text, const std::string& what) {
  if (text.empty()) return invalid_argument(what, " expects a number, got ''");
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (*end != '\0') return invalid_argument(what, " expects a number, got '", text, "'");
  return v;
}

Result<std::pair<std::string, std::string>> split_assignment(const std::string& text, const std::string& what) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return invalid_argument(what, " expects NAME=VALUE, got '", text, "'");
  }
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

void add_limit_options(Options& o) {
  const Limits d;
  o.value("--max-tensor-elements", "N",
          "refuse any tensor of more than N elements (default " + std::to_string(d.max_tensor_elements) + ")");
  o.value("--max-total-bytes", "N",
          "refuse a run whose live tensors exceed N bytes (default " + std::to_string(d.max_total_bytes) + ")");
  o.value("--max-graph-depth", "N",
          "refuse subgraphs nested more than N levels deep (default " + std::to_string(d.max_graph_depth) + ")");
  o.value("--max-loop-iterations", "N",
          "refuse a Loop/Scan running more than N iterations (default " + std::to_string(d.max_loop_iterations) +
              ")");
}

Result<Limits> read_limit_options(const Options& o, Limits defaults) {
  Limits l = defaults;
  WISP_ASSIGN_OR_RETURN(l.max_tensor_elements, o.get_int("--max-tensor-elements", l.max_tensor_elements, 1, INT64_MAX));
  WISP_ASSIGN_OR_RETURN(l.max_total_bytes, o.get_int("--max-total-bytes", l.max_total_bytes, 1, INT64_MAX));
  WISP_ASSIGN_OR_RETURN(int64_t depth, o.get_int("--max-graph-depth", l.max_graph_depth, 1, 1 << 16));
  l.max_graph_depth = int(depth);
  WISP_ASSIGN_OR_RETURN(l.max_loop_iterations, o.get_int("--max-loop-iterations", l.max_loop_iterations, 1, INT64_MAX));
  return l;
}

}  // namespace wisp::cli
