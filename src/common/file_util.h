// Whole-file reads and crash-safe writes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace faqbot {

// Reads the whole file. Errors: NotFound, ResourceExhausted (larger than `max_bytes`),
// Unavailable (other I/O errors).
Result<std::string> ReadFile(const std::string& path, size_t max_bytes = size_t{1} << 30);

// Writes `bytes` to a temporary file beside `path`, fsyncs it, then renames it over `path`, so a
// reader or a crash sees either the old file or the whole new one, never a part. A symbolic link
// stays a link: the file it points to is replaced. What is not a regular file (/dev/stdout, a
// pipe, a device) is written in place, never replaced by a file.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);

}  // namespace faqbot
