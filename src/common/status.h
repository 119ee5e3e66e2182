// Status and Result<T>: how every module boundary reports success or failure.
//
// Library code never throws across a module boundary and never exits; adapters catch the
// exceptions of the libraries they wrap (JSON, YAML, SQLite, libpq, curl) and return a Status.
// Status maps to an HTTP status in server/ and to a process exit code in app/ (ExitCodeFor), one
// place each. Value types: cheap to copy when ok (no allocation), thread-compatible.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace faqbot {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed or out of range
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // a create collided with an existing thing
  kFailedPrecondition,  // the system is not in a state that allows this (e.g. nothing published)
  kPermissionDenied,    // the caller may not do this (e.g. editing another owner's topics)
  kUnauthenticated,     // bad or missing credentials (e.g. a wrong Slack signature)
  kResourceExhausted,   // a size or rate limit was hit
  kUnavailable,         // a dependency is down or unreachable; retrying later may succeed
  kDeadlineExceeded,    // a time limit passed
  kAborted,             // a concurrent change won (optimistic concurrency); retry
  kDataLoss,            // stored data is corrupt or truncated
  kInternal,            // a bug or an unexpected library failure
};

// The stable lower-case name of a code ("invalid_argument"), used in logs and JSON errors.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid_argument: topics.yml:3: intent has no examples"; "ok" when ok.
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `; ok stays ok.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status PermissionDeniedError(std::string message);
Status UnauthenticatedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status UnavailableError(std::string message);
Status DeadlineExceededError(std::string message);
Status AbortedError(std::string message);
Status DataLossError(std::string message);
Status InternalError(std::string message);

// Either a value or a non-ok Status. Constructing from an ok Status is a bug and becomes kInternal.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = InternalError("Result constructed from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // Access the value; only valid when ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace faqbot

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define FAQBOT_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::faqbot::Status faqbot_status_ = (expr);        \
    if (!faqbot_status_.ok()) return faqbot_status_; \
  } while (false)

#define FAQBOT_CONCAT_INNER_(a, b) a##b
#define FAQBOT_CONCAT_(a, b) FAQBOT_CONCAT_INNER_(a, b)

// `FAQBOT_ASSIGN_OR_RETURN(auto x, Compute());` declares x from a Result or returns its Status.
#define FAQBOT_ASSIGN_OR_RETURN(lhs, expr) \
  FAQBOT_ASSIGN_OR_RETURN_IMPL_(FAQBOT_CONCAT_(faqbot_result_, __LINE__), lhs, expr)
#define FAQBOT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
