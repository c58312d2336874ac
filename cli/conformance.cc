// nasfake conformance: run the case catalogue against a client's adapter.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flag_parser.h"
#include "conformance/runner/report.h"
#include "conformance/runner/runner.h"
#include "fake/data_dir.h"
#include "fake/errors.h"
#include "fake/glob.h"
#include "scenarios/engine.h"

namespace nasfake::cli {
namespace {

constexpr char kConformanceUsage[] =
    "Usage: nasfake conformance [flags]\n"
    "\n"
    "Runs the conformance cases against a NasJobs client, each on a fresh fake, and\n"
    "reports a verdict per case. The client is an adapter program that follows\n"
    "conformance/PROTOCOL.md. Exit status: 0 when every REQUIRED case passed, 1 when\n"
    "one failed, 2 for bad flags, 3 when the cases cannot be loaded.\n"
    "\n"
    "Flags:\n"
    "  --client CMD         the adapter command, run by /bin/sh with the operation and\n"
    "                       its arguments appended (default: the bundled reference client)\n"
    "  --cases GLOB         only cases whose id matches GLOB ('*' wildcard); repeat\n"
    "                       it or give a comma-separated list for several\n"
    "  --level LEVEL        REQUIRED, RECOMMENDED or OPTIONAL: run cases of this level\n"
    "                       and the stricter ones (default OPTIONAL: all)\n"
    "  --jobs N             run N cases at a time (default 4)\n"
    "  --format text|json   the report on stdout (default text)\n"
    "  --junit FILE         also write a JUnit XML report to FILE\n"
    "  --cases-dir DIR      where the case files are (default: the bundled catalogue,\n"
    "                       DATA/conformance/cases)\n"
    "  --scenarios-dir DIR  where library scenarios are (default: the bundled library,\n"
    "                       DATA/scenarios/library)\n"
    "  -h, --help           print this help\n"
    "  --version            print the version\n"
    "\n"
    "DATA is $NASFAKE_DATA_DIR when set, else <prefix>/share/nasfake beside an installed\n"
    "nasfake (../share/nasfake from its bin/), else the source tree it was built from.\n"
    "The bundled reference client is nasfake-reference-adapter beside nasfake.\n";

// `text` as one /bin/sh word: as is when it needs no quoting, else '…'.
std::string ShellWord(const std::string& text) {
  constexpr char kPlain[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._+-=:,@%";
  if (!text.empty() && text.find_first_not_of(kPlain) == std::string::npos) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The bundled reference adapter: beside this program once installed, else
// where the build put it (compiled in by cli/CMakeLists.txt).
std::string DefaultClient() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::filesystem::path beside = exe.parent_path() / "nasfake-reference-adapter";
    if (access(beside.c_str(), X_OK) == 0) return ShellWord(beside.string());
  }
  return ShellWord(NASFAKE_BUILD_REFERENCE_ADAPTER);
}

// Splits each --cases value at commas: "a,b" → "a", "b".
std::vector<std::string> SplitGlobs(const std::vector<std::string>& values) {
  std::vector<std::string> globs;
  for (const auto& value : values) {
    for (size_t start = 0; start <= value.size();) {
      size_t comma = std::min(value.find(',', start), value.size());
      if (comma > start) globs.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return globs;
}

}  // namespace

int Conformance(const std::vector<std::string>& args) {
  std::string client = DefaultClient();
  std::vector<std::string> case_globs;
  std::string level_name = "OPTIONAL";
  int jobs = 4;
  std::string format = "text";
  std::string junit;
  const std::filesystem::path data_dir = DataDir();
  std::string cases_dir = (data_dir / "conformance" / "cases").string();
  std::string scenarios_dir = (data_dir / "scenarios" / "library").string();
  FlagParser flags("conformance", kConformanceUsage);
  flags.Flag("--client", TextValue(&client, "a command"))
      .Flag("--cases", AppendValue(&case_globs, "a case id or glob"))
      .Flag("--level", ChoiceValue(&level_name, {"REQUIRED", "RECOMMENDED", "OPTIONAL"}))
      .Flag("--jobs",
            [&](const std::string& v) -> std::string {
              auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), jobs);
              if (ec != std::errc{} || end != v.data() + v.size() || jobs < 1 || jobs > 64) {
                return "expected a number from 1 to 64, got \"" + v + "\"";
              }
              return "";
            })
      .Flag("--format", ChoiceValue(&format, {"text", "json"}))
      .Flag("--junit", TextValue(&junit, "a file"))
      .Flag("--cases-dir", TextValue(&cases_dir, "a directory"))
      .Flag("--scenarios-dir", TextValue(&scenarios_dir, "a directory"));
  if (auto done = flags.Parse(args)) return *done;
  const conformance::Level level = *conformance::LevelFromName(level_name);
  std::vector<std::string> globs = SplitGlobs(case_globs);
  if (globs.empty()) globs = {"*"};

  auto loaded = conformance::LoadCases(cases_dir, scenarios_dir, "*");
  if (!loaded.ok()) {
    std::cerr << "nasfake conformance: " << loaded.status().message() << "\n";
    return kExitCannotRun;
  }
  std::vector<conformance::Case> cases;
  for (auto& c : *loaded) {
    bool selected = std::any_of(globs.begin(), globs.end(),
                                [&](const std::string& glob) { return GlobMatch(glob, c.id); });
    if (selected && c.level <= level) cases.push_back(std::move(c));
  }
  if (cases.empty()) {
    std::string wanted;
    for (const auto& glob : globs) wanted += (wanted.empty() ? "'" : ", '") + glob + "'";
    std::cerr << "nasfake conformance: no case matches " << wanted << "\n";
    return kExitUsage;
  }
  bool tty = isatty(STDOUT_FILENO) != 0;
  bool progress = isatty(STDERR_FILENO) != 0 || format == "json";
  std::cerr << "nasfake conformance: " << Count(cases.size(), "case") << " from " << cases_dir
            << " against " << client << "\n";
  conformance::AdapterProcess adapter(client);
  auto verdicts = conformance::RunAll(cases, adapter, jobs, [&](const conformance::Verdict& v) {
    if (progress) std::cerr << conformance::ProgressLine(v, isatty(STDERR_FILENO) != 0) << "\n";
  });
  if (format == "json") {
    std::cout << conformance::JsonReport(verdicts).dump(2) << "\n";
  } else {
    std::cout << conformance::TextReport(verdicts, tty);
  }
  if (!junit.empty()) {
    errno = 0;  // what the failed open or write leaves is the reason
    std::ofstream out(junit);
    out << conformance::JUnitXml(verdicts);
    out.close();
    if (!out) {
      std::cerr << "nasfake conformance: "
                << errors::CannotWriteFile(junit, errno != 0 ? errno : EIO).message() << "\n";
      return kExitCannotRun;
    }
  }
  return conformance::Summarise(verdicts).required_failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace nasfake::cli
