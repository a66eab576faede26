// Shared by `run` and `bench` (and any command that feeds a model): the input options,
// building the feeds from .npy files, constants or random data, and describing tensors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/runtime/session.h"
#include "native/cli/options.h"

namespace wisp::cli {

// Declares --input, --random, --seed, --fill, --dim on `options`.
void add_input_options(Options& options);
// Declares --threads, --no-optimize and the --max-* limits (options.h).
void add_session_options(Options& options);
Result<SessionOptions> read_session_options(const Options& options);

// Builds one tensor per declared input: from --input NAME=FILE.npy, --fill NAME=VALUE, or
// (with --random) random data of the declared dtype and shape. Symbolic dimensions come from
// --dim SYMBOL=N (or --dim INPUT:AXIS=N for unnamed ones).
Result<NamedTensors> make_feeds(const Options& options, const std::vector<ValueInfo>& declared,
                                const Limits& limits);

// "[batch, 3, 224, 224]" with '?' for unknown extents, "[?...]" when the rank is unknown.
std::string declared_shape_string(const ValueInfo& info);

// Min/max/mean over the finite values of a numeric tensor, plus counts of non-finite ones.
struct Summary {
  bool numeric = false;
  int64_t count = 0;  // finite values
  double min = 0, max = 0, mean = 0;
  int64_t nan = 0, inf = 0;
};
Summary summarize(const Tensor& tensor);
std::string summary_text(const Summary& s);

// A file name that is safe in any folder: [A-Za-z0-9._-] kept, anything else becomes '_'.
std::string sanitize_file_name(const std::string& name);
// Creates `dir` and its parents when missing.
Status make_directories(const std::string& dir);

// JSON helpers for --json output.
std::string json_string(const std::string& s);
std::string json_number(double v);  // null for NaN and infinities
std::string json_shape(const Shape& shape);

// Milliseconds since an arbitrary start (monotonic).
double now_ms();

}  // namespace wisp::cli
