// UTF-8 boundaries: cutting text without splitting a character. Byte-level only (no decoding
// tables); a malformed byte counts as a character of its own, so any input is handled.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faqbot {

// True for a UTF-8 continuation byte (10xxxxxx): a character never starts there.
inline bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Bytes of the UTF-8 character starting at text[i] (1 to 4); 1 for a malformed or truncated
// sequence. Requires i < text.size().
size_t Utf8CharBytes(std::string_view text, size_t i);

// The largest p <= max_bytes (and <= text.size()) at which `text` may be cut without splitting a
// character: text[0, p) ends with whole characters.
size_t Utf8CutPoint(std::string_view text, size_t max_bytes);

// The longest prefix of `text` of at most `max_bytes` bytes that ends with a whole character.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

// `text` shortened in place to Utf8Prefix(text, max_bytes).
void Utf8Truncate(std::string& text, size_t max_bytes);

}  // namespace faqbot
