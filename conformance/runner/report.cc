#include "conformance/runner/report.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "fake/utf8.h"

namespace nasfake::conformance {
namespace {

using nlohmann::json;

constexpr size_t kJournalExcerpt = 15;
constexpr size_t kOutputExcerpt = 2000;

std::string Paint(const std::string& text, const char* code, bool color) {
  return color ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
}

std::string Excerpt(const std::string& text) {
  if (text.size() <= kOutputExcerpt) return text;
  return text.substr(0, kOutputExcerpt) + "…[" + std::to_string(text.size() - kOutputExcerpt) +
         " more bytes]";
}

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

// `text` as XML 1.0 character data or an attribute value: markup escaped,
// bytes outside well-formed UTF-8 (a client's output cut anywhere) and the
// non-characters U+FFFE/U+FFFF replaced by U+FFFD, and the control
// characters XML 1.0 forbids by a space, so the report always parses.
std::string XmlEscape(std::string_view text) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t len = Utf8SequenceLength(text, i);
    const std::string_view sequence = text.substr(i, std::max<size_t>(len, 1));
    i += sequence.size();
    if (len == 0 || sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF") {
      out += kReplacement;
      continue;
    }
    switch (sequence[0]) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        if (static_cast<unsigned char>(sequence[0]) < 0x20 && sequence[0] != '\n' &&
            sequence[0] != '\t') {
          out += ' ';
        } else {
          out += sequence;
        }
    }
  }
  return out;
}

std::string Details(const Verdict& v) {
  std::string out;
  for (const auto& f : v.failures) out += "  ✗ " + f + "\n";
  out += "  client exit status: " + std::to_string(v.result.exit_code) + ", " +
         std::to_string(v.result.elapsed.count()) + " ms\n";
  if (!v.result.stdout_text.empty()) {
    out += "  client stdout:\n" + Indent(Excerpt(v.result.stdout_text), "    ") + "\n";
  }
  if (!v.result.stderr_text.empty()) {
    out += "  client stderr:\n" + Indent(Excerpt(v.result.stderr_text), "    ") + "\n";
  }
  out += "  journal (" + std::to_string(v.journal.size()) + " requests):\n";
  size_t start = v.journal.size() > kJournalExcerpt ? v.journal.size() - kJournalExcerpt : 0;
  if (start > 0) out += "    … " + std::to_string(start) + " earlier requests\n";
  for (size_t i = start; i < v.journal.size(); ++i) {
    out += "    " + journal::DebugString(v.journal[i]) + "\n";
  }
  return out;
}

}  // namespace

Summary Summarise(const std::vector<Verdict>& verdicts) {
  Summary s;
  for (const auto& v : verdicts) {
    if (v.passed) {
      ++s.passed;
    } else {
      ++s.failed;
      if (v.test_case->level == Level::kRequired) ++s.required_failed;
    }
  }
  return s;
}

std::string ProgressLine(const Verdict& v, bool color) {
  return "  " + (v.passed ? Paint("PASS", "32", color) : Paint("FAIL", "31", color)) + "  " +
         v.test_case->id + " (" + std::string(LevelName(v.test_case->level)) + ", " +
         std::to_string(v.result.elapsed.count()) + " ms)";
}

std::string TextReport(const std::vector<Verdict>& verdicts, bool color) {
  size_t width = 4;
  for (const auto& v : verdicts) width = std::max(width, v.test_case->id.size());
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line, "%-*s  %-11s  %-7s  %8s\n", static_cast<int>(width), "CASE",
                "LEVEL", "VERDICT", "TIME");
  out += line;
  for (const auto& v : verdicts) {
    std::snprintf(line, sizeof line, "%-*s  %-11s  ", static_cast<int>(width),
                  v.test_case->id.c_str(), std::string(LevelName(v.test_case->level)).c_str());
    out += line;
    out += v.passed ? Paint("pass   ", "32", color) : Paint("FAIL   ", "31", color);
    std::snprintf(line, sizeof line, "  %5lld ms\n",
                  static_cast<long long>(v.result.elapsed.count()));
    out += line;
  }
  for (const auto& v : verdicts) {
    if (v.passed) continue;
    out += "\n" + Paint("FAIL " + v.test_case->id, "1;31", color) + " (" +
           std::string(LevelName(v.test_case->level)) + "): " + v.test_case->title + "\n";
    out += Details(v);
  }
  Summary s = Summarise(verdicts);
  out += "\n" + std::to_string(s.passed) + " passed, " + std::to_string(s.failed) + " failed";
  if (s.required_failed > 0) {
    out += " (" + std::to_string(s.required_failed) + " REQUIRED)";
  }
  out += "\n";
  return out;
}

json JsonReport(const std::vector<Verdict>& verdicts) {
  json cases = json::array();
  for (const auto& v : verdicts) {
    json journal = json::array();
    for (const auto& e : v.journal) journal.push_back(journal::ToJson(e));
    // A client's output (and failures quoting it) may be any bytes; the
    // report must dump.
    json failures = json::array();
    for (const auto& f : v.failures) failures.push_back(ValidUtf8(f));
    cases.push_back({{"id", v.test_case->id},
                     {"title", v.test_case->title},
                     {"level", LevelName(v.test_case->level)},
                     {"passed", v.passed},
                     {"failures", failures},
                     {"elapsedMs", v.result.elapsed.count()},
                     {"exitStatus", v.result.exit_code},
                     {"stdout", ValidUtf8(v.result.stdout_text)},
                     {"stderr", ValidUtf8(v.result.stderr_text)},
                     {"journal", journal}});
  }
  Summary s = Summarise(verdicts);
  return {{"passed", s.passed},
          {"failed", s.failed},
          {"requiredFailed", s.required_failed},
          {"cases", cases}};
}

std::string JUnitXml(const std::vector<Verdict>& verdicts) {
  Summary s = Summarise(verdicts);
  double total = 0;
  for (const auto& v : verdicts) total += v.result.elapsed.count() / 1000.0;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites>\n<testsuite name=\"nasfake-conformance\" tests=\"" +
         std::to_string(verdicts.size()) + "\" failures=\"" + std::to_string(s.failed) +
         "\" time=\"" + std::to_string(total) + "\">\n";
  for (const auto& v : verdicts) {
    out += "  <testcase classname=\"nasfake.conformance." +
           std::string(LevelName(v.test_case->level)) + "\" name=\"" + XmlEscape(v.test_case->id) +
           "\" time=\"" + std::to_string(v.result.elapsed.count() / 1000.0) + "\">";
    if (!v.passed) {
      out += "\n    <failure message=\"" + XmlEscape(v.failures.front()) + "\">" +
             XmlEscape(v.test_case->title + "\n" + Details(v)) + "</failure>\n  ";
    }
    out += "</testcase>\n";
  }
  out += "</testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace nasfake::conformance
