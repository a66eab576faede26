// Error handling for the whole core. Wisp is built without C++ exceptions (WASI's libc++
// has none), so every fallible function returns a Status or a Result<T>.
#pragma once

#include <cassert>
#include <sstream>
#include <string>
#include <utility>
#include <variant>

namespace wisp {

enum class ErrorCode {
  Ok = 0,
  InvalidArgument,   // bad input from the caller: wrong shape, dtype, missing feed
  InvalidModel,      // the model file is malformed, truncated or hostile
  Unsupported,       // valid ONNX that Wisp does not implement
  NotFound,          // missing file or name
  ResourceExhausted, // a configured limit would be exceeded
  Internal,          // a bug in Wisp
};

const char* error_code_name(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  bool is_ok() const { return code_ == ErrorCode::Ok; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context ("node 'conv1' (Conv): ") to the message of an error.
  Status with_context(const std::string& context) const {
    if (is_ok()) return *this;
    return Status(code_, context + message_);
  }

 private:
  ErrorCode code_ = ErrorCode::Ok;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) { assert(!std::get<Status>(value_).is_ok()); }

  bool is_ok() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return is_ok(); }
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(value_); }
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> value_;
};

namespace detail {
template <typename... Args>
std::string concat(Args&&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}
}  // namespace detail

template <typename... Args>
Status make_error(ErrorCode code, Args&&... args) {
  return Status(code, detail::concat(std::forward<Args>(args)...));
}
template <typename... Args>
Status invalid_argument(Args&&... args) { return make_error(ErrorCode::InvalidArgument, std::forward<Args>(args)...); }
template <typename... Args>
Status invalid_model(Args&&... args) { return make_error(ErrorCode::InvalidModel, std::forward<Args>(args)...); }
template <typename... Args>
Status unsupported(Args&&... args) { return make_error(ErrorCode::Unsupported, std::forward<Args>(args)...); }

}  // namespace wisp

#define WISP_CONCAT_INNER(a, b) a##b
#define WISP_CONCAT(a, b) WISP_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` failed.
#define WISP_RETURN_IF_ERROR(expr)                 \
  do {                                             \
    ::wisp::Status wisp_status_ = (expr);          \
    if (!wisp_status_.is_ok()) return wisp_status_; \
  } while (0)

// `WISP_ASSIGN_OR_RETURN(auto x, make_x());` unwraps a Result or returns its error.
#define WISP_ASSIGN_OR_RETURN(lhs, expr) WISP_ASSIGN_OR_RETURN_IMPL(WISP_CONCAT(wisp_result_, __LINE__), lhs, expr)
#define WISP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.is_ok()) return tmp.status();           \
  lhs = std::move(tmp).value()

// Fails with InvalidArgument and a message built from the remaining arguments.
#define WISP_CHECK_ARG(cond, ...) \
  do {                            \
    if (!(cond)) return ::wisp::invalid_argument(__VA_ARGS__); \
  } while (0)

// Fails with InvalidModel (the model's own content is inconsistent).
#define WISP_CHECK_MODEL(cond, ...) \
  do {                              \
    if (!(cond)) return ::wisp::invalid_model(__VA_ARGS__); \
  } while (0)
