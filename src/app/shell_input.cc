#include "app/shell_input.h"

namespace faqbot::app {
namespace {

// Removes every `marker` from `line`; true when there was one.
bool Strip(std::string& line, std::string_view marker) {
  bool found = false;
  for (size_t at = line.find(marker); at != std::string::npos; at = line.find(marker, at)) {
    line.erase(at, marker.size());
    found = true;
  }
  return found;
}

}  // namespace

std::optional<std::string> ReadShellMessage(std::istream& in,
                                            const std::function<void()>& more) {
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  std::string message;
  bool pasting = false;
  while (true) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Strip(line, kPasteStart)) pasting = true;
    // A paste ending this line is kept as pasted: its last backslash is text, not a continuation.
    const size_t paste_end = line.find(kPasteEnd);
    const bool ends_in_paste =
        paste_end != std::string::npos && paste_end + kPasteEnd.size() == line.size();
    if (Strip(line, kPasteEnd)) pasting = false;
    const bool continued = !pasting && !ends_in_paste && !line.empty() && line.back() == '\\';
    if (continued) line.pop_back();
    message += line;
    if (!pasting && !continued) return message;
    if (more) more();
    if (!std::getline(in, line)) return message;  // the input ended: what came
    message += '\n';
  }
}

}  // namespace faqbot::app
