// nasfake conformance: run the case catalogue against a client's adapter.
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "conformance/runner/report.h"
#include "conformance/runner/runner.h"
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
    "  --cases GLOB         only cases whose id matches GLOB ('*' wildcard)\n"
    "  --level LEVEL        REQUIRED, RECOMMENDED or OPTIONAL: run cases of this level\n"
    "                       and the stricter ones (default OPTIONAL: all)\n"
    "  --jobs N             run N cases at a time (default 4)\n"
    "  --format text|json   the report on stdout (default text)\n"
    "  --junit FILE         also write a JUnit XML report to FILE\n"
    "  --cases-dir DIR      where the case files are (default: the bundled catalogue)\n"
    "  --scenarios-dir DIR  where library scenarios are (default: the bundled library)\n";

int UsageError(const std::string& message) {
  std::cerr << "nasfake conformance: " << message
            << "\nRun 'nasfake conformance --help' for the flags.\n";
  return kExitUsage;
}

}  // namespace

int Conformance(const std::vector<std::string>& args) {
  std::string client = NASFAKE_REFERENCE_ADAPTER;
  std::string cases_glob = "*";
  conformance::Level level = conformance::Level::kOptional;
  int jobs = 4;
  std::string format = "text";
  std::string junit;
  std::string cases_dir = std::string(NASFAKE_DATA_DIR) + "/conformance/cases";
  std::string scenarios_dir = std::string(NASFAKE_DATA_DIR) + "/scenarios/library";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::cout << kConformanceUsage;
      return kExitOk;
    }
    auto v = value();
    if (!v) return UsageError(flag + " needs a value");
    if (flag == "--client") {
      client = *v;
    } else if (flag == "--cases") {
      cases_glob = *v;
    } else if (flag == "--level") {
      auto parsed = conformance::LevelFromName(*v);
      if (!parsed) return UsageError("--level is REQUIRED, RECOMMENDED or OPTIONAL");
      level = *parsed;
    } else if (flag == "--jobs") {
      if (std::from_chars(v->data(), v->data() + v->size(), jobs).ec != std::errc{} || jobs < 1 ||
          jobs > 64) {
        return UsageError("--jobs needs a number from 1 to 64");
      }
    } else if (flag == "--format") {
      if (*v != "text" && *v != "json") return UsageError("--format is text or json");
      format = *v;
    } else if (flag == "--junit") {
      junit = *v;
    } else if (flag == "--cases-dir") {
      cases_dir = *v;
    } else if (flag == "--scenarios-dir") {
      scenarios_dir = *v;
    } else {
      return UsageError("unknown flag '" + flag + "'");
    }
  }

  auto loaded = conformance::LoadCases(cases_dir, scenarios_dir, cases_glob);
  if (!loaded.ok()) {
    std::cerr << "nasfake conformance: " << loaded.status().message() << "\n";
    return kExitCannotRun;
  }
  std::vector<conformance::Case> cases;
  for (auto& c : *loaded) {
    if (c.level <= level) cases.push_back(std::move(c));
  }
  if (cases.empty()) {
    std::cerr << "nasfake conformance: no case matches '" << cases_glob << "'\n";
    return kExitUsage;
  }
  bool tty = isatty(STDOUT_FILENO) != 0;
  bool progress = isatty(STDERR_FILENO) != 0 || format == "json";
  std::cerr << "nasfake conformance: " << cases.size() << " cases against " << client << "\n";
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
    std::ofstream out(junit);
    out << conformance::JUnitXml(verdicts);
    if (!out) {
      std::cerr << "nasfake conformance: cannot write " << junit << "\n";
      return kExitCannotRun;
    }
  }
  return conformance::Summarise(verdicts).required_failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace nasfake::cli
