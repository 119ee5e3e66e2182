// The one mapping from Status to a process exit code (sysexits.h conventions).
#pragma once

#include "common/status.h"

namespace faqbot::app {

// 0 ok; 64 usage/invalid input; 65 bad data (corrupt model or file); 66 not found;
// 69 unavailable (database, Slack); 73 cannot create; 77 permission; 70 internal; 75 retry later.
int ExitCodeFor(const Status& status);

}  // namespace faqbot::app
