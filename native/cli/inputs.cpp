#include "native/cli/inputs.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <type_traits>

#include "core/io/npy.h"

namespace wisp::cli {
namespace {

// splitmix64: tiny, and unlike std:: distributions it gives the same numbers on every
// standard library, so native and WASI runs with the same --seed see the same inputs.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)

 private:
  uint64_t state_;
};

// Stores `v` into element `i` of a tensor whose C++ element type is T.
template <typename T>
void store(Tensor& t, int64_t i, double v) {
  if constexpr (std::is_same_v<T, Float16>) {
    t.data<uint16_t>()[i] = float_to_half(float(v));
  } else if constexpr (std::is_same_v<T, BFloat16>) {
    t.data<uint16_t>()[i] = float_to_bfloat16(float(v));
  } else if constexpr (std::is_same_v<T, bool>) {
    t.data<bool>()[i] = v != 0;
  } else {
    t.data<T>()[i] = static_cast<T>(v);
  }
}

// The concrete shape of a declared input, with symbolic extents taken from --dim.
Result<Shape> resolve_shape(const ValueInfo& info, const std::map<std::string, int64_t>& dims) {
  if (!info.has_shape) {
    return invalid_argument("input '", info.name, "' has no declared shape; pass --input ", info.name, "=FILE.npy");
  }
  Shape shape;
  for (size_t axis = 0; axis < info.shape.size(); ++axis) {
    const Dim& d = info.shape[axis];
    if (d.is_fixed()) {
      shape.push_back(d.value);
      continue;
    }
    std::string by_axis = info.name + ":" + std::to_string(axis);
    if (!d.symbol.empty() && dims.count(d.symbol)) {
      shape.push_back(dims.at(d.symbol));
    } else if (dims.count(by_axis)) {
      shape.push_back(dims.at(by_axis));
    } else if (!d.symbol.empty()) {
      return invalid_argument("input '", info.name, "' has symbolic dimension '", d.symbol, "'; pass --dim ",
                              d.symbol, "=N");
    } else {
      return invalid_argument("input '", info.name, "' dimension ", axis, " has no size; pass --dim ", by_axis,
                              "=N");
    }
  }
  return shape;
}

Result<Tensor> random_tensor(const ValueInfo& info, const Shape& shape, Random& rng, const Limits& limits) {
  if (info.dtype == DType::Undefined || info.dtype == DType::String) {
    return invalid_argument("cannot make random data for input '", info.name, "' of type ", dtype_name(info.dtype),
                            "; pass --input ", info.name, "=FILE.npy");
  }
  WISP_ASSIGN_OR_RETURN(Tensor t, Tensor::empty(info.dtype, shape, heap_allocator(), limits.max_tensor_elements));
  visit_numeric_dtype(info.dtype, [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < t.numel(); ++i) {
      // Floats in [0, 1) (like normalised images), booleans 0/1, integers in [0, 10): small
      // enough to be valid indices or counts for most models.
      double v;
      if (dtype_is_float(info.dtype)) v = rng.uniform();
      else if (info.dtype == DType::Bool) v = double(rng.next() & 1);
      else v = double(rng.next() % 10);
      store<T>(t, i, v);
    }
  });
  return t;
}

Result<Tensor> filled_tensor(const ValueInfo& info, const Shape& shape, const std::string& text,
                             const Limits& limits) {
  if (info.dtype == DType::Undefined || info.dtype == DType::String) {
    return invalid_argument("cannot fill input '", info.name, "' of type ", dtype_name(info.dtype));
  }
  std::string what = "--fill " + info.name;
  WISP_ASSIGN_OR_RETURN(double v, parse_number(text, what));
  WISP_ASSIGN_OR_RETURN(Tensor t, Tensor::empty(info.dtype, shape, heap_allocator(), limits.max_tensor_elements));
  // Integers go through int64 so that large values keep every digit.
  Result<int64_t> exact = parse_int(text, what);
  visit_numeric_dtype(info.dtype, [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        if (exact.is_ok()) {
          t.data<T>()[i] = static_cast<T>(*exact);
          continue;
        }
      }
      store<T>(t, i, v);
    }
  });
  return t;
}

const ValueInfo* find_input(const std::vector<ValueInfo>& declared, const std::string& name) {
  for (const ValueInfo& v : declared) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

std::string input_names(const std::vector<ValueInfo>& declared) {
  std::string out;
  for (const ValueInfo& v : declared) out += (out.empty() ? "" : ", ") + ("'" + v.name + "'");
  return out.empty() ? "none" : out;
}

}  // namespace

void add_input_options(Options& o) {
  o.value("--input", "NAME=FILE.npy", "feed input NAME from a .npy file (just FILE.npy for one-input models)",
          true);
  o.flag("--random", "feed every input not given otherwise with random data of its declared shape");
  o.value("--seed", "N", "seed for --random (default 0)");
  o.value("--fill", "NAME=VALUE", "feed input NAME filled with VALUE (e.g. --fill sr=16000)", true);
  o.value("--dim", "SYMBOL=N", "size of a symbolic dimension for --random/--fill (or INPUT:AXIS=N)", true);
}

void add_session_options(Options& o) {
  o.value("--threads", "N", "number of threads (default: WISP_NUM_THREADS or the core count)");
  o.flag("--no-optimize", "skip the graph optimizer");
  o.flag("--no-fuse", "skip the optimizer's fusion passes (Conv+BatchNorm, bias/residual/activation into Conv/MatMul, patterns)");
  add_limit_options(o);
}

Result<SessionOptions> read_session_options(const Options& o) {
  SessionOptions options;
  WISP_ASSIGN_OR_RETURN(int64_t threads, o.get_int("--threads", 0, 1, 1024));
  options.num_threads = int(threads);
  options.optimize = !o.has("--no-optimize");
  options.fuse = !o.has("--no-fuse");
  WISP_ASSIGN_OR_RETURN(options.limits, read_limit_options(o));
  return options;
}

Result<NamedTensors> make_feeds(const Options& o, const std::vector<ValueInfo>& declared, const Limits& limits) {
  std::map<std::string, int64_t> dims;
  for (const std::string& arg : o.all("--dim")) {
    WISP_ASSIGN_OR_RETURN(auto kv, split_assignment(arg, "--dim"));
    WISP_ASSIGN_OR_RETURN(int64_t n, parse_int(kv.second, "--dim " + kv.first));
    WISP_CHECK_ARG(n >= 0, "--dim ", kv.first, " must not be negative");
    dims[kv.first] = n;
  }
  std::map<std::string, std::string> files, fills;
  for (const std::string& arg : o.all("--input")) {
    std::string name, path;
    size_t eq = arg.find('=');
    if (eq == std::string::npos && declared.size() == 1) {
      name = declared[0].name;
      path = arg;
    } else {
      WISP_ASSIGN_OR_RETURN(auto kv, split_assignment(arg, "--input"));
      name = kv.first;
      path = kv.second;
    }
    if (!find_input(declared, name)) {
      return invalid_argument("the model has no input '", name, "' (inputs: ", input_names(declared), ")");
    }
    if (files.count(name)) return invalid_argument("input '", name, "' is given twice");
    files[name] = path;
  }
  for (const std::string& arg : o.all("--fill")) {
    WISP_ASSIGN_OR_RETURN(auto kv, split_assignment(arg, "--fill"));
    if (!find_input(declared, kv.first)) {
      return invalid_argument("the model has no input '", kv.first, "' (inputs: ", input_names(declared), ")");
    }
    if (files.count(kv.first) || fills.count(kv.first)) return invalid_argument("input '", kv.first, "' is given twice");
    fills[kv.first] = kv.second;
  }
  WISP_ASSIGN_OR_RETURN(int64_t seed, o.get_int("--seed", 0, INT64_MIN, INT64_MAX));
  Random rng{uint64_t(seed)};

  NamedTensors feeds;
  for (const ValueInfo& info : declared) {
    if (files.count(info.name)) {
      WISP_ASSIGN_OR_RETURN(Tensor t, read_npy(files[info.name], limits));
      feeds.emplace_back(info.name, std::move(t));
    } else if (fills.count(info.name)) {
      WISP_ASSIGN_OR_RETURN(Shape shape, resolve_shape(info, dims));
      WISP_ASSIGN_OR_RETURN(Tensor t, filled_tensor(info, shape, fills[info.name], limits));
      feeds.emplace_back(info.name, std::move(t));
    } else if (o.has("--random")) {
      WISP_ASSIGN_OR_RETURN(Shape shape, resolve_shape(info, dims));
      WISP_ASSIGN_OR_RETURN(Tensor t, random_tensor(info, shape, rng, limits));
      feeds.emplace_back(info.name, std::move(t));
    } else {
      return invalid_argument("missing input '", info.name, "': pass --input ", info.name,
                              "=FILE.npy, --fill ", info.name, "=VALUE or --random");
    }
  }
  return feeds;
}

std::string declared_shape_string(const ValueInfo& info) {
  if (!info.has_shape) return "[?...]";
  std::string out = "[";
  for (size_t i = 0; i < info.shape.size(); ++i) {
    const Dim& d = info.shape[i];
    if (i) out += ", ";
    out += d.is_fixed() ? std::to_string(d.value) : (d.symbol.empty() ? "?" : d.symbol);
  }
  return out + "]";
}

Summary summarize(const Tensor& t) {
  Summary s;
  if (t.dtype() == DType::String || t.dtype() == DType::Undefined) return s;
  s.numeric = true;
  double sum = 0;
  for (int64_t i = 0; i < t.numel(); ++i) {
    double v = t.get_as_double(i);
    if (std::isnan(v)) {
      ++s.nan;
      continue;
    }
    if (std::isinf(v)) {
      ++s.inf;
      continue;
    }
    if (s.count == 0 || v < s.min) s.min = v;
    if (s.count == 0 || v > s.max) s.max = v;
    sum += v;
    ++s.count;
  }
  s.mean = s.count ? sum / double(s.count) : 0;
  return s;
}

std::string summary_text(const Summary& s) {
  if (!s.numeric) return "";
  char buf[160];
  if (s.count == 0) {
    std::snprintf(buf, sizeof buf, "no finite values");
  } else {
    std::snprintf(buf, sizeof buf, "min=%.6g max=%.6g mean=%.6g", s.min, s.max, s.mean);
  }
  std::string out = buf;
  if (s.nan) out += " nan=" + std::to_string(s.nan);
  if (s.inf) out += " inf=" + std::to_string(s.inf);
  return out;
}

std::string sanitize_file_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                c == '_' || c == '-';
    out += keep ? c : '_';
  }
  // Never "", "." or "..", and never a hidden file.
  if (out.empty() || out[0] == '.') out = "_" + out;
  return out;
}

Status make_directories(const std::string& dir) {
  // Existing folders are never touched: under WASI the parents of a preopened folder cannot
  // even be looked at, so only what is missing gets created.
  struct stat st {};
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::ok();
    return make_error(ErrorCode::NotFound, "'", dir, "' is not a directory");
  }
  size_t slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) WISP_RETURN_IF_ERROR(make_directories(dir.substr(0, slash)));
  if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    return make_error(ErrorCode::NotFound, "cannot create directory '", dir, "'");
  }
  return Status::ok();
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string json_shape(const Shape& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? "," : "") + std::to_string(shape[i]);
  return out + "]";
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace wisp::cli
