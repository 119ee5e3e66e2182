// The web console's HTML: escaping, the page frame every page shares (header, navigation, the
// flash line), small form builders that always carry the CSRF token, and the two assets (CSS and
// JavaScript) compiled into the binary, so nothing is fetched from elsewhere at run time.
// Pure functions over value types; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faqbot::server {

inline constexpr char kConsoleCssPath[] = "/console/console.css";
inline constexpr char kConsoleJsPath[] = "/console/console.js";
// The tab's icon (a speech bubble), so browsers do not ask for /favicon.ico and log a 404.
inline constexpr char kConsoleIconPath[] = "/console/icon.svg";

// `text` with & < > " ' replaced by entities: safe inside elements and quoted attributes.
std::string HtmlEscape(std::string_view text);

// One console page.
struct ConsolePage {
  std::string title;     // plain text; escaped
  std::string section;   // the navigation entry to mark: "topics", "playground", …
  std::string body;      // HTML, already escaped where it holds user text
  std::string flash;     // plain text shown above the body (what was just done); escaped
  bool signed_in = true; // false: no navigation (sign-in and error pages)
  std::string csrf;      // the session's CSRF token (for the sign-out form)
};

// The whole document: doctype, viewport for phones, the assets, navigation and `page.body`.
std::string RenderConsolePage(const ConsolePage& page);

// A POST form to `action` holding the CSRF token, the hidden `fields` and one submit button
// labelled `label` (with CSS class `button_class` when not empty).
std::string PostButton(std::string_view action, std::string_view csrf,
                       const std::vector<std::pair<std::string, std::string>>& fields,
                       std::string_view label, std::string_view button_class = "");

// The hidden input carrying the CSRF token, for hand-written forms.
std::string CsrfInput(std::string_view csrf);

// The built-in assets.
std::string_view ConsoleCss();
std::string_view ConsoleJs();

}  // namespace faqbot::server
