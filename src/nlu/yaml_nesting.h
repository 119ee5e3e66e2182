// How deep a YAML text's flow collections ([…], {…}) nest, read without parsing it. yaml-cpp
// scans a flow collection to its end before its parser's depth guard sees the nesting: a file of
// a million "[" cost a quarter of a gigabyte before it was refused, and the allocator seldom hands
// that memory back. This pass reads the text as a YAML reader does — brackets inside quoted,
// block and plain scalars and inside comments are text — and counts the brackets that open or
// close a collection. Where yaml-cpp's scanner may read on into what follows (a line starting
// with "[" after a plain scalar, what follows a quoted key), it counts too: a file nesting that
// deep there is refused, as memory matters more than such files.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace faqbot::nlu {

// Deeper than any Rasa file nests its flow collections (they use at most two or three levels).
inline constexpr int kMaxYamlFlowNesting = 64;

struct YamlFlowNesting {
  bool within = true;  // no flow collection lies more than the limit deep
  // When not: whether the bracket that went past the limit is in the first document (the one a
  // reader loads), and its 1-based line.
  bool in_first_document = false;
  size_t line = 0;
};

// Whether no flow collection of `text` lies more than `limit` levels deep ("[]" is one level,
// "[{}]" two). Says nothing of whether `text` is valid YAML: the parser decides that. Block
// collections ("- - x") are not counted: the parser's depth guard bounds them cheaply. Every
// document of `text` is read: yaml-cpp loads the first only (it ends at "---", "...", a "%" in
// the first column, or a line less indented than its root) but may scan ahead into the next.
YamlFlowNesting YamlFlowNestingWithin(std::string_view text, int limit = kMaxYamlFlowNesting);

}  // namespace faqbot::nlu
