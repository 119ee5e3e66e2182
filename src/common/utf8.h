// UTF-8 boundaries: cutting text without splitting a character, byte-level (a malformed byte
// counts as a character of its own, so any input is handled); and decoding one character and
// telling whether it belongs in a word (utf8proc's tables).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
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

// The length of `text` in UTF-16 code units, as browsers and the chat service count the
// characters of an input: a character outside the Basic Multilingual Plane (most emoji) is two;
// a malformed byte is one.
size_t Utf16Length(std::string_view text);

// `text` shortened in place to Utf8Prefix(text, max_bytes).
void Utf8Truncate(std::string& text, size_t max_bytes);

// The code point of the UTF-8 character at text[i] in *cp, and its length in bytes; 0 (and *cp
// unspecified) when the bytes there are not valid UTF-8. Requires i < text.size().
size_t Utf8Decode(std::string_view text, size_t i, int32_t* cp);

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD (valid text comes
// back unchanged): for output that must be UTF-8 whatever it quotes (log lines).
std::string Utf8Valid(std::string_view text);

// Whether code point `cp` belongs inside a word: a letter, a number, or a combining mark (the
// vowel signs of the scripts written with them). Unicode categories L*, N*, Mn, Mc.
bool IsWordCodePoint(int32_t cp);

// Whether `cp` is a Han ideograph (CJK unified and compatibility ideographs, 々, 〇) or Japanese
// kana: scripts written without spaces between words, in which a single character carries
// meaning.
bool IsIdeographicCodePoint(int32_t cp);

}  // namespace faqbot
