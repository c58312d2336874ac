#include "conformance/runner/report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>

#include "fake/model/time.h"
#include "fake/utf8.h"

namespace nasfake::conformance {
namespace {

using nlohmann::json;

constexpr size_t kJournalExcerpt = 15;
constexpr size_t kOutputExcerpt = 2000;
constexpr size_t kAnswerExcerpt = 200;       // bytes of each answer body in a journal excerpt
constexpr size_t kSystemOutExcerpt = 65536;  // bytes of each stream in JUnit's system-out/err

std::string Paint(const std::string& text, const char* code, bool color) {
  return color ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
}

std::string Excerpt(const std::string& text, size_t limit = kOutputExcerpt) {
  if (text.size() <= limit) return text;
  return text.substr(0, limit) + "…[" + std::to_string(text.size() - limit) + " more bytes]";
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

// `text` on one line (each run of whitespace one space), cut to about
// kAnswerExcerpt bytes at a UTF-8 boundary.
std::string OneLine(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size() && out.size() < kAnswerExcerpt) {
    const size_t len = std::max<size_t>(Utf8SequenceLength(text, i), 1);
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  const bool cut = text.find_first_not_of(" \t\r\n", i) != std::string_view::npos;
  return cut ? out + "…" : out;
}

std::string TransportOf(const Verdict& v) { return std::string(api::TransportName(v.transport)); }

// "rest", "grpc", or "both" for a run over several transports.
std::string RunTransport(const RunInfo& run) {
  if (run.transports.size() == 1) return std::string(api::TransportName(run.transports[0]));
  return run.transports.empty() ? "" : "both";
}

std::string RerunCommand(const Verdict& v, const RunInfo& run) {
  if (run.rerun.empty()) return "";
  // REST is the default transport.
  const std::string transport =
      v.transport == api::Transport::kRest ? "" : " --transport " + TransportOf(v);
  return run.rerun + transport + " --cases " + v.test_case->id;
}

// "31 passed, 0 failed, … skipped; 1 REQUIRED failed; …".
std::string Counts(const Summary& s) {
  std::string out = std::to_string(s.passed) + " passed, " + std::to_string(s.failed) + " failed";
  if (s.errors > 0) out += ", " + std::to_string(s.errors) + (s.errors == 1 ? " error" : " errors");
  if (s.skipped > 0) out += ", " + std::to_string(s.skipped) + " skipped";
  if (s.required_failed > 0) {
    out += "; " + std::to_string(s.required_failed) + " REQUIRED failed";
  }
  if (s.required_skipped > 0) {
    out += "; " + std::to_string(s.required_skipped) +
           " REQUIRED skipped: not conformant until they run and pass";
  }
  return out;
}

std::string Details(const Verdict& v, const RunInfo& run) {
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
    if (!v.journal[i].response_body.empty()) {
      out += "        answer: " + OneLine(v.journal[i].response_body) + "\n";
    }
  }
  if (std::string rerun = RerunCommand(v, run); !rerun.empty()) {
    out += "  rerun: " + rerun + "\n";
  }
  return out;
}

// "2026-05-18T10:00:00Z"-style UTC time, to the second, with or without the zone.
std::string UtcTime(std::chrono::system_clock::time_point t, bool zone) {
  std::string text = model::FormatTimestamp(std::chrono::floor<std::chrono::seconds>(t));
  text = text.substr(0, text.find('.'));
  return zone ? text + "Z" : text;
}

const char* VerdictWord(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPassed:
      return "pass";
    case Outcome::kFailed:
      return "FAIL";
    case Outcome::kError:
      return "ERROR";
    case Outcome::kSkipped:
      return "skip";
  }
  return "ERROR";
}

const char* VerdictColor(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPassed:
      return "32";
    case Outcome::kSkipped:
      return "33";
    default:
      return "31";
  }
}

}  // namespace

Summary Summarise(const std::vector<Verdict>& verdicts) {
  Summary s;
  for (const auto& v : verdicts) {
    const bool required = v.test_case->level == Level::kRequired;
    switch (v.outcome) {
      case Outcome::kPassed:
        ++s.passed;
        break;
      case Outcome::kFailed:
        ++s.failed;
        s.required_failed += required;
        break;
      case Outcome::kError:
        ++s.errors;
        s.required_failed += required;
        break;
      case Outcome::kSkipped:
        ++s.skipped;
        s.required_skipped += required;
        break;
    }
  }
  return s;
}

std::string ProgressLine(const Verdict& v, size_t done, size_t total, bool color) {
  const std::string count = std::to_string(total);
  std::string index = std::to_string(done);
  index.insert(0, count.size() > index.size() ? count.size() - index.size() : 0, ' ');
  char word[8];
  std::snprintf(word, sizeof word, "%-5s", VerdictWord(v.outcome));
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "[" + index + "/" + count + "] " + Paint(word, VerdictColor(v.outcome), color) + " " +
         TransportOf(v) + " " + v.test_case->id + " (" +
         std::string(LevelName(v.test_case->level)) + ", " +
         std::to_string(v.result.elapsed.count()) + " ms)";
}

std::string TextReport(const std::vector<Verdict>& verdicts, bool color, const RunInfo& run) {
  size_t width = 4;
  for (const auto& v : verdicts) width = std::max(width, v.test_case->id.size());
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line, "%-*s  %-9s  %-11s  %-7s  %8s\n", static_cast<int>(width),
                "CASE", "TRANSPORT", "LEVEL", "VERDICT", "TIME");
  out += line;
  for (const auto& v : verdicts) {
    std::snprintf(line, sizeof line, "%-*s  %-9s  %-11s  ", static_cast<int>(width),
                  v.test_case->id.c_str(), TransportOf(v).c_str(),
                  std::string(LevelName(v.test_case->level)).c_str());
    out += line;
    std::snprintf(line, sizeof line, "%-7s", VerdictWord(v.outcome));
    out += Paint(line, VerdictColor(v.outcome), color);
    std::snprintf(line, sizeof line, "  %5lld ms\n",
                  static_cast<long long>(v.result.elapsed.count()));
    out += line;
  }
  for (const auto& v : verdicts) {
    if (v.outcome != Outcome::kFailed && v.outcome != Outcome::kError) continue;
    const std::string word = v.outcome == Outcome::kFailed ? "FAIL " : "ERROR ";
    out += "\n" + Paint(word + v.test_case->id + " over " + TransportOf(v), "1;31", color) + " (" +
           std::string(LevelName(v.test_case->level)) + "): " + v.test_case->title + "\n";
    out += Details(v, run);
  }
  bool skipped_header = false;
  for (const auto& v : verdicts) {
    if (v.outcome != Outcome::kSkipped) continue;
    if (!skipped_header) out += "\n";
    skipped_header = true;
    out += "skip " + v.test_case->id + " over " + TransportOf(v) + " (" +
           std::string(LevelName(v.test_case->level)) +
           "): " + (v.failures.empty() ? std::string() : v.failures.front()) + "\n";
  }
  out += "\n";
  std::vector<api::Transport> seen;
  for (const auto& v : verdicts) {
    if (std::find(seen.begin(), seen.end(), v.transport) == seen.end()) seen.push_back(v.transport);
  }
  if (seen.size() > 1) {
    for (api::Transport transport : seen) {
      std::vector<Verdict> over;
      std::copy_if(verdicts.begin(), verdicts.end(), std::back_inserter(over),
                   [&](const Verdict& v) { return v.transport == transport; });
      out += std::string(api::TransportName(transport)) + ": " + Counts(Summarise(over)) + "\n";
    }
    out += "in all: ";
  }
  out += Counts(Summarise(verdicts)) + "\n";
  return out;
}

json JsonReport(const std::vector<Verdict>& verdicts, const RunInfo& run) {
  json cases = json::array();
  for (const auto& v : verdicts) {
    json journal = json::array();
    for (const auto& e : v.journal) journal.push_back(journal::ToJson(e));
    // A client's output (and failures quoting it) may be any bytes; the
    // report must dump.
    json failures = json::array();
    for (const auto& f : v.failures) failures.push_back(ValidUtf8(f));
    json c = {{"id", v.test_case->id},
              {"transport", TransportOf(v)},
              {"title", v.test_case->title},
              {"level", LevelName(v.test_case->level)},
              {"outcome", OutcomeName(v.outcome)},
              {"passed", v.passed()},
              {"failures", failures},
              {"elapsedMs", v.result.elapsed.count()},
              {"exitStatus", v.result.exit_code},
              {"stdout", ValidUtf8(v.result.stdout_text)},
              {"stderr", ValidUtf8(v.result.stderr_text)},
              {"journal", journal}};
    if (std::string rerun = RerunCommand(v, run); !rerun.empty() && !v.passed()) {
      c["rerun"] = ValidUtf8(rerun);
    }
    cases.push_back(std::move(c));
  }
  Summary s = Summarise(verdicts);
  json report = {{"schemaVersion", kJsonReportSchemaVersion},
                 {"client", ValidUtf8(run.client)},
                 {"transport", RunTransport(run)}};
  if (run.started != std::chrono::system_clock::time_point{}) {
    report["timestamp"] = UtcTime(run.started, true);
  }
  report.update({{"passed", s.passed},
                 {"failed", s.failed},
                 {"errors", s.errors},
                 {"skipped", s.skipped},
                 {"requiredFailed", s.required_failed},
                 {"requiredSkipped", s.required_skipped},
                 {"cases", cases}});
  return report;
}

std::string JUnitXml(const std::vector<Verdict>& verdicts, const RunInfo& run, Level fail_level) {
  int failures = 0, errors = 0, skipped = 0;
  double total = 0;
  std::string body;
  for (const auto& v : verdicts) {
    const std::string level(LevelName(v.test_case->level));
    const double seconds = v.result.elapsed.count() / 1000.0;
    total += seconds;
    body += "  <testcase classname=\"nasfake.conformance." + TransportOf(v) + "." + level +
            "\" name=\"" + XmlEscape(v.test_case->id) + "\" time=\"" + std::to_string(seconds) +
            "\">\n";
    body += "    <properties>\n      <property name=\"level\" value=\"" + level +
            "\"/>\n      <property name=\"transport\" value=\"" + TransportOf(v) +
            "\"/>\n      <property name=\"outcome\" value=\"" +
            std::string(OutcomeName(v.outcome)) + "\"/>\n    </properties>\n";
    const std::string first = v.failures.empty() ? "" : XmlEscape(v.failures.front());
    const bool counts = v.test_case->level <= fail_level;
    if (v.outcome == Outcome::kSkipped) {
      ++skipped;
      body += "    <skipped message=\"" + first + "\"/>\n";
    } else if (!v.passed() && !counts) {
      ++skipped;
      body += "    <skipped message=\"" + std::string(OutcomeName(v.outcome)) + " (" + level +
              ", below --junit-fail-level " + std::string(LevelName(fail_level)) + "): " + first +
              "\">" + XmlEscape(v.test_case->title + "\n" + Details(v, run)) + "</skipped>\n";
    } else if (!v.passed()) {
      const bool error = v.outcome == Outcome::kError;
      (error ? errors : failures) += 1;
      const char* element = error ? "error" : "failure";
      body += "    <" + std::string(element) + " message=\"" + first + "\" type=\"" + level +
              "\">" + XmlEscape(v.test_case->title + "\n" + Details(v, run)) + "</" + element +
              ">\n";
    }
    if (!v.result.stdout_text.empty()) {
      body += "    <system-out>" + XmlEscape(Excerpt(v.result.stdout_text, kSystemOutExcerpt)) +
              "</system-out>\n";
    }
    if (!v.result.stderr_text.empty()) {
      body += "    <system-err>" + XmlEscape(Excerpt(v.result.stderr_text, kSystemOutExcerpt)) +
              "</system-err>\n";
    }
    body += "  </testcase>\n";
  }
  std::string attributes = "tests=\"" + std::to_string(verdicts.size()) + "\" failures=\"" +
                           std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
                           "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" +
                           std::to_string(total) + "\"";
  if (run.started != std::chrono::system_clock::time_point{}) {
    attributes += " timestamp=\"" + UtcTime(run.started, false) + "\"";
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites>\n";
  out += "<testsuite name=\"nasfake-conformance\" " + attributes + ">\n";
  out += "  <properties>\n";
  out += "    <property name=\"client\" value=\"" + XmlEscape(run.client) + "\"/>\n";
  out += "    <property name=\"transport\" value=\"" + RunTransport(run) + "\"/>\n";
  out += "    <property name=\"junitFailLevel\" value=\"" + std::string(LevelName(fail_level)) +
         "\"/>\n";
  out += "  </properties>\n";
  out += body;
  out += "</testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace nasfake::conformance
