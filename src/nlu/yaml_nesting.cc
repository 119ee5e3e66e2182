#include "nlu/yaml_nesting.h"

#include <algorithm>
#include <vector>

namespace faqbot::nlu {
namespace {

bool Blank(char c) { return c == ' ' || c == '\t'; }
// Characters that, first on a line a plain scalar might go on into, are read as structure
// rather than text: brackets, the indicators of entries, keys and values, properties, aliases,
// directives and the reserved ones.
bool StartsStructure(char c) {
  return c == '[' || c == '{' || c == '-' || c == '?' || c == ':' || c == '&' || c == '!' ||
         c == '*' || c == '%' || c == '@' || c == '`';
}

bool FlowIndicator(char c) { return c == '[' || c == ']' || c == '{' || c == '}' || c == ','; }

// Reads YAML's structure line by line in block context and character by character inside flow
// collections. What it must get right is where a node starts: only there does "[" open a
// collection, "'" or '"' open a quoted scalar, "|" or ">" a block scalar; anywhere else they are
// a plain scalar's text.
class FlowScanner {
 public:
  FlowScanner(std::string_view text, int limit) : s_(text), limit_(limit) {}

  YamlFlowNesting Run() {
    // A byte order mark is not part of the first line.
    size_t i = s_.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (i < s_.size() && !failed_) i = Line(i);
    if (!failed_) return {};
    YamlFlowNesting out;
    out.within = false;
    out.in_first_document = !past_first_document_;
    out.line = 1 + static_cast<size_t>(
                       std::count(s_.begin(), s_.begin() + static_cast<long>(fail_at_), '\n'));
    return out;
  }

 private:
  static constexpr int kNoSkip = -2;

  bool End(size_t i) const { return i >= s_.size(); }
  // Lines end at "\n" or "\r\n"; to the parser a lone "\r" is a character like any other.
  bool Break(size_t i) const {
    return !End(i) && (s_[i] == '\n' || (s_[i] == '\r' && i + 1 < s_.size() && s_[i + 1] == '\n'));
  }
  bool BreakOrEnd(size_t i) const { return End(i) || Break(i); }
  bool BlankOrEnd(size_t i) const { return BreakOrEnd(i) || Blank(s_[i]); }
  size_t NextLine(size_t i) const {
    while (!End(i) && s_[i] != '\n') ++i;
    return End(i) ? i : i + 1;
  }
  int Column(size_t i) const { return static_cast<int>(i - line_start_); }
  bool Marker(size_t i, char c) const {
    return i + 3 <= s_.size() && s_[i] == c && s_[i + 1] == c && s_[i + 2] == c &&
           BlankOrEnd(i + 3);
  }
  // Whether the line from `i` has a ": " (or ":" at its end).
  bool HasKeyIndicator(size_t i) const {
    for (; !BreakOrEnd(i); ++i) {
      if (s_[i] == ':' && BlankOrEnd(i + 1)) return true;
    }
    return false;
  }

  // The column of the innermost open block key or entry: a scalar value's continuation lines,
  // and a block scalar's lines, are indented more than it. -1 at the top of a document.
  int Owner() const { return owners_.empty() ? -1 : owners_.back(); }

  // The document ends: the reader loads the first one only, but its scanner may read ahead
  // into the next (past "&a", say, to see whether a key follows), so the rest is read as well.
  void EndDocument() {
    owners_.clear();
    skip_above_ = kNoSkip;
    block_scalar_ = false;
    root_indent_ = -1;
    past_first_document_ = true;
  }

  // One line in block context, from its first character; returns where the next line starts.
  size_t Line(size_t i) {
    line_start_ = i;
    size_t j = i;
    while (!End(j) && s_[j] == ' ') ++j;
    const auto indent = static_cast<int>(j - i);
    size_t k = j;
    while (!End(k) && Blank(s_[k])) ++k;
    const bool blank = BreakOrEnd(k);
    if (indent == 0 && (Marker(j, '-') || Marker(j, '.'))) {
      if (s_[j] == '.' || root_indent_ >= 0) EndDocument();
      if (s_[j] == '.') return NextLine(j);
      root_indent_ = 0;
      return Node(j + 3);
    }
    if (skip_above_ != kNoSkip) {
      if (blank) return NextLine(k);
      if (block_scalar_) {
        // A block scalar's text: lines indented more than its owner, as far as its first one.
        // (At the top of a document they are indented by at least one.)
        if (block_indent_ < 0 && indent > std::max(skip_above_, 0)) block_indent_ = indent;
        if (block_indent_ >= 0 && indent >= block_indent_) return NextLine(k);
      } else if (indent > skip_above_ && !StartsStructure(s_[k]) && !HasKeyIndicator(k)) {
        // A multi-line plain scalar's text, until a comment line ends it.
        if (s_[k] != '#') return NextLine(k);
      }
      // Anything else is read as structure: a line indented less, or one the parser's scanner
      // may take for a collection, a key or a property (it reads on into them; a ": " ends the
      // scalar even there, and a value follows).
      skip_above_ = kNoSkip;
      block_scalar_ = false;
    }
    if (blank || s_[k] == '#') return NextLine(k);
    if (indent == 0 && s_[j] == '%') {
      // A directive: before a document, it is skipped; within one, it ends it.
      if (root_indent_ >= 0) EndDocument();
      return NextLine(j);
    }
    // Less indented than the document's root: the document ended.
    if (root_indent_ >= 0 && indent < root_indent_) EndDocument();
    if (root_indent_ < 0) root_indent_ = indent;
    // A line as indented as an open key or entry is that collection's next one (a plain scalar
    // there ends at a line not indented more, as the parser's scanner ends it); a line indented
    // more is the value of the innermost.
    const bool sibling = std::find(owners_.begin(), owners_.end(), indent) != owners_.end();
    while (!owners_.empty() && owners_.back() >= indent) owners_.pop_back();
    if (sibling) owners_.push_back(indent);
    return Node(j);
  }

  // From where a node may start in block context to the end of its line (or further, for a
  // quoted scalar or a flow collection that spans lines); returns where the next line starts.
  size_t Node(size_t j) {
    for (;;) {
      while (!End(j) && Blank(s_[j])) ++j;
      if (BreakOrEnd(j) || s_[j] == '#') return NextLine(j);  // the node is on a later line
      const char c = s_[j];
      const int col = Column(j);
      if ((c == '-' || c == '?' || c == ':') && BlankOrEnd(j + 1)) {
        owners_.push_back(col);  // an entry, an explicit key or its value
        ++j;
        continue;
      }
      if (c == '!' || c == '&') {  // a tag or an anchor, then the node itself
        j = PropertyEnd(j);
        // A flow indicator right after it: the parser's scanner may take it into the property,
        // and the node starts after it.
        if (!End(j) && (s_[j] == ',' || s_[j] == ']' || s_[j] == '}')) ++j;
        continue;
      }
      if (c == '|' || c == '>') {
        skip_above_ = Owner();
        block_scalar_ = true;
        block_indent_ = -1;
        return NextLine(j);
      }
      if (c == '[' || c == '{' || c == '\'' || c == '"') {
        const size_t start = j;
        j = c == '[' || c == '{' ? Flow(j) : Quoted(j);
        if (failed_) return s_.size();
        // Spanning lines, it ends on another one.
        if (const size_t nl = s_.rfind('\n', j - 1); nl != std::string_view::npos && nl >= start) {
          line_start_ = nl + 1;
        }
        while (!End(j) && Blank(s_[j])) ++j;
        if (!End(j) && s_[j] == ':') {
          owners_.push_back(col);  // it was a key
          ++j;
        }
        // Otherwise only a comment may follow; yet the parser's scanner may read on past
        // anything else (to see whether a key follows), and brackets there cost it memory: read
        // on too.
        continue;
      }
      // A plain scalar: a key if ": " ends it on this line, else a value that later lines
      // indented more than its owner continue.
      for (size_t k = j; !BreakOrEnd(k); ++k) {
        if (s_[k] == ':' && BlankOrEnd(k + 1)) {
          owners_.push_back(col);
          j = k + 1;
          break;
        }
        if (s_[k] == '#' && k > j && Blank(s_[k - 1])) return NextLine(k);
        if (BreakOrEnd(k + 1)) {
          skip_above_ = Owner();
          block_scalar_ = false;
          return NextLine(k);
        }
      }
    }
  }

  // A tag or an anchor from its "!" or "&": it ends at a blank, a control character or a flow
  // indicator.
  size_t PropertyEnd(size_t j) const {
    while (!End(j) && static_cast<unsigned char>(s_[j]) > ' ' && !FlowIndicator(s_[j])) ++j;
    return j;
  }

  // A quoted scalar from its opening quote; returns the position after its closing quote.
  size_t Quoted(size_t j) const {
    const char quote = s_[j];
    for (size_t k = j + 1; !End(k); ++k) {
      if (quote == '"' && s_[k] == '\\') {
        ++k;
      } else if (s_[k] == quote) {
        if (quote == '\'' && k + 1 < s_.size() && s_[k + 1] == '\'') {
          ++k;  // '' is a quote inside a single-quoted scalar
        } else {
          return k + 1;
        }
      }
    }
    return s_.size();
  }

  // A flow collection from its opening bracket; returns the position after its closing one.
  size_t Flow(size_t j) {
    int depth = 0;
    bool node_start = true;  // where a token (a quoted scalar, a tag, an anchor) may begin
    // Right after a quoted scalar or a collection, ":" is a value indicator with nothing after
    // it (JSON's {"a":1}); after a plain scalar's text it is more text.
    size_t json_end = std::string_view::npos;
    for (size_t k = j; !End(k);) {
      const char c = s_[k];
      if (c == '[' || c == '{') {
        if (++depth > limit_) {
          failed_ = true;
          fail_at_ = k;
          return s_.size();
        }
        node_start = true;
        ++k;
      } else if (c == ']' || c == '}') {
        ++k;
        if (--depth == 0) return k;
        node_start = true;  // a token may start right after it
        json_end = k;
      } else if (c == ',') {
        node_start = true;
        ++k;
      } else if (Blank(c) || Break(k)) {
        ++k;
      } else if (c == '#' && (Blank(s_[k - 1]) || s_[k - 1] == '\n')) {
        while (!BreakOrEnd(k)) ++k;
      } else if ((c == '\'' || c == '"') && node_start) {
        k = Quoted(k);  // and a token may start right after it
        json_end = k;
      } else if ((c == '!' || c == '&') && node_start) {
        k = PropertyEnd(k);
      } else if (c == ':' && (BlankOrEnd(k + 1) || FlowIndicator(s_[k + 1]) || k == json_end)) {
        node_start = true;  // a value follows
        ++k;
      } else if ((c == '?' || c == '-') && node_start && BlankOrEnd(k + 1)) {
        ++k;  // an explicit key, or a sequence entry (invalid in flow; the parser says so)
      } else {
        node_start = false;  // a plain scalar's text
        ++k;
      }
    }
    return s_.size();
  }

  std::string_view s_;
  int limit_;
  size_t line_start_ = 0;      // where the line being read starts
  std::vector<int> owners_;    // columns of the open block keys and entries, innermost last
  int skip_above_ = kNoSkip;   // while set: lines indented more than this are scalar text
  bool block_scalar_ = false;  // that scalar is a block scalar ("|", ">")
  int block_indent_ = -1;      // its lines' indentation, once its first line set it
  int root_indent_ = -1;       // the document's root node's indentation, once it started
  bool past_first_document_ = false;
  bool failed_ = false;
  size_t fail_at_ = 0;
};

}  // namespace

YamlFlowNesting YamlFlowNestingWithin(std::string_view text, int limit) {
  return FlowScanner(text, std::max(limit, 0)).Run();
}

}  // namespace faqbot::nlu
