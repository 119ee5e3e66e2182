// A fast 64-bit checksum for file integrity (model and lexicon files). Not cryptographic: it
// detects truncation and corruption, not tampering. Thread-safe, pure.
#pragma once

#include <cstdint>
#include <string_view>

namespace faqbot::nlu {

uint64_t Checksum64(std::string_view bytes);

}  // namespace faqbot::nlu
