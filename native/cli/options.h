// Command-line parsing shared by every `wisp` command: declared options, generated help,
// and the conventions for errors and exit codes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/runtime/limits.h"

namespace wisp::cli {

// Exit codes: 0 success, 1 the work failed (bad model, bad input data), 2 bad usage.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Prints "error: <message>" on stderr and returns the exit code for it.
int report_error(const Status& status);
int usage_error(const std::string& message);

class Options {
 public:
  // `usage` is the synopsis after "usage: ", `description` one or two lines under it.
  Options(std::string usage, std::string description);

  // A boolean switch ("--json").
  void flag(const std::string& name, const std::string& help);
  // An option that takes a value ("--runs N"); repeatable ones collect every value.
  void value(const std::string& name, const std::string& metavar, const std::string& help,
             bool repeatable = false);

  // Parses the arguments after the command name. --help/-h anywhere sets help_requested().
  Status parse(const std::vector<std::string>& args);
  bool help_requested() const { return help_; }
  std::string help_text() const;

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  // The (last) value of an option, or `fallback` when it was not given.
  std::string get(const std::string& name, const std::string& fallback = "") const;
  const std::vector<std::string>& all(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // Integer option within [min, max], or `fallback` when absent.
  Result<int64_t> get_int(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;

 private:
  struct Spec {
    std::string name, metavar, help;
    bool takes_value = false;
    bool repeatable = false;
  };
  const Spec* find(const std::string& name) const;

  std::string usage_, description_;
  std::vector<Spec> specs_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

// Parses a command's arguments. Returns kContinue when the command should go on, otherwise
// the exit code to return at once (help was printed, or a usage error was reported).
// `expected` names the positional arguments for the error message ("MODEL").
constexpr int kContinue = -1;
int parse_command_line(Options& options, const std::vector<std::string>& args, size_t num_positional,
                       const std::string& expected);

// Declares --max-tensor-elements, --max-total-bytes, --max-graph-depth and
// --max-loop-iterations (the caps of core/runtime/limits.h against hostile models).
void add_limit_options(Options& options);
// Those limits, starting from `defaults` for the options not given; each must be >= 1.
Result<Limits> read_limit_options(const Options& options, Limits defaults = {});

// Parses a whole decimal integer; `what` names it in the error ("--runs").
Result<int64_t> parse_int(const std::string& text, const std::string& what);
// Parses a whole number (decimal or scientific, "nan", "inf").
Result<double> parse_number(const std::string& text, const std::string& what);
// Splits "NAME=VALUE" at the first '='; fails naming `what` when there is none.
Result<std::pair<std::string, std::string>> split_assignment(const std::string& text, const std::string& what);

}  // namespace wisp::cli
