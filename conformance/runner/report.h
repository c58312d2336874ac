// Conformance reports: a text table for people, JSON for tools, JUnit XML
// for CI systems.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/runner/runner.h"
#include "fake/api/request.h"

namespace nasfake::conformance {

// The version of JsonReport's document ("schemaVersion"); it changes when a
// key changes meaning or goes away, not when one is added.
inline constexpr int kJsonReportSchemaVersion = 1;

struct Summary {
  int passed = 0;
  int failed = 0;
  int errors = 0;
  int skipped = 0;
  int required_failed = 0;   // REQUIRED cases failed or in error: the run fails
  int required_skipped = 0;  // REQUIRED cases the client did not run
};
Summary Summarise(const std::vector<Verdict>& verdicts);

// What the reports say about the run as a whole.
struct RunInfo {
  std::string client;  // the adapter command; "" when the client is in-process
  Transports transports = {api::Transport::kRest};  // what --transport asked for
  std::chrono::system_clock::time_point started{};  // unset: not reported
  // The command that reruns a selection of cases: each failure's report
  // ends with it and " --cases <id>". Empty: no rerun line.
  std::string rerun;
};

// One line per verdict (case id, transport, level, verdict, time), then for
// each failure and error why: the expectations violated, what the client
// printed, the journal (each answer's body shortened) and the command that
// reruns it; then the counts (per transport too when there are several).
std::string TextReport(const std::vector<Verdict>& verdicts, bool color, const RunInfo& run = {});
// One progress line for the `done`-th of `total` finished verdicts:
// "[ 3/31] PASS  grpc cancel-succeeds (REQUIRED, 120 ms)".
std::string ProgressLine(const Verdict& verdict, size_t done, size_t total, bool color);
// Each case's verdict says its "transport"; the run's "transport" is what
// --transport asked for: "rest", "grpc" or "both".
nlohmann::json JsonReport(const std::vector<Verdict>& verdicts, const RunInfo& run = {});
// Each testcase's classname is nasfake.conformance.<transport>.<LEVEL>, so a
// case run over both transports is two distinct testcases.
// Failures and errors of cases less strict than `fail_level` are written as
// <skipped> (their outcome kept in the testcase's properties), so that a CI
// that turns any <failure> red fails only on the levels that matter to it.
std::string JUnitXml(const std::vector<Verdict>& verdicts, const RunInfo& run = {},
                     Level fail_level = Level::kOptional);

}  // namespace nasfake::conformance
