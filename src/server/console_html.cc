#include "server/console_html.h"

namespace faqbot::server {
namespace {

struct Section {
  const char* id;
  const char* label;
  const char* path;
};

constexpr Section kSections[] = {
    {"topics", "Topics", "/console/"},
    {"playground", "Playground", "/console/playground"},
    {"unanswered", "Unanswered", "/console/unanswered"},
    {"activity", "Last 7 days", "/console/activity"},
    {"import", "Import / export", "/console/import"},
    {"tokens", "API tokens", "/console/tokens"},
};

// Phone first: one column, large tap targets; no web fonts, no images.
constexpr std::string_view kCss = R"CSS(
*{box-sizing:border-box}
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1c1d;background:#f8f8f8}
header{background:#3f0e40;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.4rem 1rem}
header strong{font-size:1.1rem}
header nav{display:flex;flex-wrap:wrap;gap:.3rem .9rem}
header a{color:#fff;text-decoration:none;opacity:.85}
header a.here{opacity:1;text-decoration:underline}
header form{margin-left:auto}
header button{background:transparent;color:#fff;border-color:#ffffff99;margin:0}
main{max-width:52rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.3rem 0 1rem}
h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
.flash{background:#e8f5e9;border:1px solid #a5d6a7;padding:.5rem .8rem;border-radius:6px}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.8rem;margin:.6rem 0}
.topic-q{font-weight:600}
.answer{white-space:pre-wrap;color:#444}
.mark{font-size:.8rem;padding:.1rem .45rem;border-radius:1rem;margin-left:.3rem;white-space:nowrap}
.live{background:#e8f5e9;color:#1b5e20}.draft{background:#fff3e0;color:#8a4b00}
.needs{background:#fde7e9;color:#a4161a}.removed{background:#eee;color:#555}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}
input[type=text],textarea,input[type=search]{width:100%;padding:.55rem;font:inherit;border:1px solid #bbb;border-radius:6px}
textarea{min-height:5rem}
button,.button{font:inherit;padding:.5rem .9rem;border-radius:6px;border:1px solid #888;background:#fff;cursor:pointer;margin:.3rem .3rem .3rem 0;color:inherit;text-decoration:none;display:inline-block}
button.primary{background:#007a5a;border-color:#007a5a;color:#fff}
button.danger{border-color:#a4161a;color:#a4161a}
form.inline{display:inline}
form.reply textarea{min-height:2.5rem}
table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.35rem .4rem;border-bottom:1px solid #eee;vertical-align:top}
.bar{background:#3f0e40;height:.5rem;border-radius:.25rem}
.muted{color:#666;font-size:.9rem}
code,.secret{font-family:ui-monospace,monospace;word-break:break-all}
@media (max-width:36rem){header form{margin-left:0}main{padding:.6rem}}
)CSS";

// Progressive enhancement only: every page works without it.
constexpr std::string_view kJs = R"JS(
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Confirm destructive buttons.
  document.querySelectorAll("button[data-confirm]").forEach(function (b) {
    b.addEventListener("click", function (e) {
      if (!window.confirm(b.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  // Import: read the chosen YAML file into the form's text area (no multipart upload needed).
  var file = document.getElementById("yaml-file");
  var text = document.getElementById("yaml-text");
  if (file && text) {
    file.addEventListener("change", function () {
      if (!file.files.length) return;
      var reader = new FileReader();
      reader.onload = function () { text.value = reader.result; };
      reader.readAsText(file.files[0]);
    });
  }
});
)JS";

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string CsrfInput(std::string_view csrf) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + HtmlEscape(csrf) + "\">";
}

std::string PostButton(std::string_view action, std::string_view csrf,
                       const std::vector<std::pair<std::string, std::string>>& fields,
                       std::string_view label, std::string_view button_class) {
  std::string html = "<form class=\"inline\" method=\"post\" action=\"" + HtmlEscape(action) +
                     "\">" + CsrfInput(csrf);
  for (const auto& [name, value] : fields) {
    html += "<input type=\"hidden\" name=\"" + HtmlEscape(name) + "\" value=\"" +
            HtmlEscape(value) + "\">";
  }
  html += "<button type=\"submit\"";
  if (!button_class.empty()) html += " class=\"" + HtmlEscape(button_class) + "\"";
  html += ">" + HtmlEscape(label) + "</button></form>";
  return html;
}

std::string RenderConsolePage(const ConsolePage& page) {
  std::string html =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      HtmlEscape(page.title) +
      " · faqbot</title>"
      "<link rel=\"stylesheet\" href=\"" +
      std::string(kConsoleCssPath) +
      "\">"
      "<link rel=\"icon\" type=\"image/svg+xml\" href=\"" +
      std::string(kConsoleIconPath) +
      "\">"
      "<script src=\"" +
      std::string(kConsoleJsPath) +
      "\" defer></script></head><body>"
      "<header><strong>faqbot</strong>";
  if (page.signed_in) {
    html += "<nav>";
    for (const Section& s : kSections) {
      html += "<a href=\"" + std::string(s.path) + "\"";
      if (page.section == s.id) html += " class=\"here\"";
      html += ">" + std::string(s.label) + "</a>";
    }
    html += "</nav>" + PostButton("/console/logout", page.csrf, {}, "Sign out");
  }
  html += "</header><main><h1>" + HtmlEscape(page.title) + "</h1>";
  if (!page.flash.empty()) html += "<p class=\"flash\" id=\"flash\">" + HtmlEscape(page.flash) + "</p>";
  html += page.body + "</main></body></html>";
  return html;
}

std::string_view ConsoleCss() { return kCss; }
std::string_view ConsoleJs() { return kJs; }

}  // namespace faqbot::server
