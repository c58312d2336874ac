// nasfake conformance: run the case catalogue against a client's adapter.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flag_parser.h"
#include "conformance/runner/report.h"
#include "conformance/runner/runner.h"
#include "fake/api/request.h"
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
    "conformance/PROTOCOL.md; cases whose operation or transport it does not declare\n"
    "(its 'capabilities') are skipped. Progress goes to stderr, a line per finished case.\n"
    "Exit status: 0 when no REQUIRED case failed or ended in error (skipped ones do\n"
    "not count), 1 when one did, 2 for bad flags, 3 when the cases cannot be loaded.\n"
    "\n"
    "Flags:\n"
    "  --client CMD         the adapter command, run by /bin/sh with the operation and\n"
    "                       its arguments appended (default: the bundled reference client)\n"
    "  --cases GLOB         only cases whose id matches GLOB ('*' wildcard); repeat\n"
    "                       it or give a comma-separated list for several\n"
    "  --transport rest|grpc|both\n"
    "                       the transport the client is asked to use: each case runs\n"
    "                       over it, or over both in turn (default rest); a case that\n"
    "                       means nothing over one transport runs over the other only\n"
    "  --level LEVEL        REQUIRED, RECOMMENDED or OPTIONAL: run cases of this level\n"
    "                       and the stricter ones (default OPTIONAL: all)\n"
    "  --jobs N             run N cases at a time (default 4)\n"
    "  --format text|json   the report on stdout (default text)\n"
    "  --junit FILE         also write a JUnit XML report to FILE\n"
    "  --junit-fail-level LEVEL\n"
    "                       in the JUnit report, failures of cases less strict than\n"
    "                       LEVEL are <skipped>, not <failure> (default OPTIONAL: none\n"
    "                       are); the exit status does not change\n"
    "  --persistent         start the adapter as '<command> persistent' (one process per\n"
    "                       job, one JSON request per line) instead of once per case\n"
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

// `nasfake conformance` as this program, and --client unless it is the
// default: the start of the command that reruns one case.
std::string RerunPrefix(const std::string& client) {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string prefix = (ec ? std::string("nasfake") : ShellWord(exe.string())) + " conformance";
  if (client != DefaultClient()) prefix += " --client " + ShellWord(client);
  return prefix;
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
  std::string transport_name = "rest";
  int jobs = 4;
  std::string format = "text";
  std::string junit;
  std::string junit_fail_level_name = "OPTIONAL";
  bool persistent = false;
  std::string rerun;  // the flags a rerun of one case needs besides --client and --cases
  const std::filesystem::path data_dir = DataDir();
  std::string cases_dir = (data_dir / "conformance" / "cases").string();
  std::string scenarios_dir = (data_dir / "scenarios" / "library").string();
  FlagParser flags("conformance", kConformanceUsage);
  flags.Flag("--client", TextValue(&client, "a command"))
      .Flag("--cases", AppendValue(&case_globs, "a case id or glob"))
      .Flag("--transport", ChoiceValue(&transport_name, {"rest", "grpc", "both"}))
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
      .Flag("--junit-fail-level",
            ChoiceValue(&junit_fail_level_name, {"REQUIRED", "RECOMMENDED", "OPTIONAL"}))
      .Switch("--persistent", [&] { persistent = true; })
      .Flag("--cases-dir",
            [&](const std::string& v) -> std::string {
              if (v.empty()) return "expected a directory";
              cases_dir = v;
              rerun += " --cases-dir " + ShellWord(v);
              return "";
            })
      .Flag("--scenarios-dir", [&](const std::string& v) -> std::string {
        if (v.empty()) return "expected a directory";
        scenarios_dir = v;
        rerun += " --scenarios-dir " + ShellWord(v);
        return "";
      });
  if (auto done = flags.Parse(args)) return *done;
  const conformance::Level level = *conformance::LevelFromName(level_name);
  const conformance::Level junit_fail_level = *conformance::LevelFromName(junit_fail_level_name);
  std::vector<std::string> globs = SplitGlobs(case_globs);
  if (globs.empty()) globs = {"*"};
  const conformance::Transports transports =
      transport_name == "both" ? conformance::kEveryTransport
                               : conformance::Transports{*api::TransportFromName(transport_name)};

  auto loaded = conformance::LoadCases(cases_dir, scenarios_dir, "*");
  if (!loaded.ok()) {
    std::cerr << "nasfake conformance: " << loaded.status().message() << "\n";
    return kExitCannotRun;
  }
  std::vector<conformance::Case> cases;
  for (auto& c : *loaded) {
    bool selected = std::any_of(globs.begin(), globs.end(),
                                [&](const std::string& glob) { return GlobMatch(glob, c.id); });
    bool runs = std::any_of(transports.begin(), transports.end(), [&](api::Transport t) {
      return conformance::AppliesTo(c.transports, t);
    });
    if (selected && runs && c.level <= level) cases.push_back(std::move(c));
  }
  if (cases.empty()) {
    std::string wanted;
    for (const auto& glob : globs) wanted += (wanted.empty() ? "'" : ", '") + glob + "'";
    std::cerr << "nasfake conformance: no case matches " << wanted << " over " << transport_name
              << "\n";
    return kExitUsage;
  }
  size_t runs = 0;
  for (api::Transport t : transports) {
    runs += std::count_if(cases.begin(), cases.end(), [&](const conformance::Case& c) {
      return conformance::AppliesTo(c.transports, t);
    });
  }
  std::cerr << "nasfake conformance: " << Count(cases.size(), "case") << " from " << cases_dir
            << " against " << client << (persistent ? " (persistent)" : "") << " over "
            << (transport_name == "both" ? "rest and grpc" : transport_name) << "\n";
  conformance::AdapterProcess adapter(client, {.persistent = persistent});
  conformance::RunInfo run{
      .client = client,
      .transports = transports,
      .started = std::chrono::system_clock::now(),
      .rerun = RerunPrefix(client) + (persistent ? " --persistent" : "") + rerun};
  const conformance::AdapterCapabilities& declared = adapter.Capabilities();
  for (api::Transport t : transports) {
    if (declared.transports.count(t) == 0) {
      std::cerr << "nasfake conformance: the adapter does not declare the " << api::TransportName(t)
                << " transport: its cases over " << api::TransportName(t) << " are skipped\n";
    }
  }
  if (declared.operations) {
    std::set<std::string> missing;
    for (const auto& c : cases) {
      if (declared.operations->count(c.operation) == 0) missing.insert(c.operation);
    }
    std::string list;
    for (const auto& operation : missing) list += (list.empty() ? "" : ", ") + operation;
    if (!missing.empty()) {
      std::cerr << "nasfake conformance: the adapter does not declare " << list
                << ": their cases are skipped\n";
    }
  }
  const bool color = isatty(STDERR_FILENO) != 0;
  size_t done = 0;
  auto verdicts = conformance::RunAll(
      cases, adapter, jobs,
      [&](const conformance::Verdict& v) {
        std::cerr << conformance::ProgressLine(v, ++done, runs, color) << "\n";
      },
      transports);
  if (format == "json") {
    std::cout << conformance::JsonReport(verdicts, run).dump(2) << "\n";
  } else {
    std::cout << conformance::TextReport(verdicts, isatty(STDOUT_FILENO) != 0, run);
  }
  if (!junit.empty()) {
    errno = 0;  // what the failed open or write leaves is the reason
    std::ofstream out(junit);
    out << conformance::JUnitXml(verdicts, run, junit_fail_level);
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
