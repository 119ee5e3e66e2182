#include "app/exit_code.h"

namespace faqbot::app {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
      return 64;  // EX_USAGE
    case StatusCode::kDataLoss:
      return 65;  // EX_DATAERR
    case StatusCode::kNotFound:
      return 66;  // EX_NOINPUT
    case StatusCode::kUnavailable:
      return 69;  // EX_UNAVAILABLE
    case StatusCode::kAlreadyExists:
      return 73;  // EX_CANTCREAT
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
      return 77;  // EX_NOPERM
    case StatusCode::kAborted:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
      return 75;  // EX_TEMPFAIL
    case StatusCode::kFailedPrecondition:
      return 78;  // EX_CONFIG
    case StatusCode::kInternal:
      return 70;  // EX_SOFTWARE
  }
  return 70;
}

}  // namespace faqbot::app
