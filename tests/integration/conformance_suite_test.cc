// `nasfake conformance` end to end: the bundled reference client passes every
// case over both transports, the Python adapter (REST only) every REQUIRED
// one, and each deliberately wrong client (conformance/clients/mutants: Python
// over REST, C++ over gRPC) fails at least one REQUIRED or RECOMMENDED case.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace nasfake {
namespace {

using nlohmann::json;

struct SuiteRun {
  int exit_code = -1;
  json report;
};

std::string Python() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

// Runs `nasfake conformance --format json` with `flags`; its stderr goes to
// `stderr_path`.
SuiteRun RunSuite(const std::string& flags, const std::string& stderr_path = "/dev/null") {
  std::string command = std::string(NASFAKE_BINARY) + " conformance --format json --jobs 4 " +
                        flags + " 2>" + stderr_path;
  SuiteRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::string out;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.report = json::parse(out, nullptr, false);
  return run;
}

std::vector<std::string> Failed(const json& report, bool strict_levels_only) {
  std::vector<std::string> failed;
  for (const auto& c : report["cases"]) {
    if (c["passed"].get<bool>() || c["outcome"] == "skipped") continue;
    if (strict_levels_only && c["level"] == "OPTIONAL") continue;
    failed.push_back(c["id"].get<std::string>() + " (" + c["level"].get<std::string>() + ")");
  }
  return failed;
}

// The verdicts of `report` over `transport`, by outcome.
std::map<std::string, int> Outcomes(const json& report, const std::string& transport) {
  std::map<std::string, int> outcomes;
  for (const auto& c : report["cases"]) {
    if (c["transport"] == transport) ++outcomes[c["outcome"].get<std::string>()];
  }
  return outcomes;
}

TEST(ConformanceSuiteTest, ReferenceClientPassesEveryCaseOverBothTransports) {
  SuiteRun run = RunSuite("--transport both");
  ASSERT_TRUE(run.report.is_object()) << "no JSON report";
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.report["transport"], "both");
  EXPECT_GE(Outcomes(run.report, "rest")["passed"], 30);
  EXPECT_GE(Outcomes(run.report, "grpc")["passed"], 25);
  EXPECT_EQ(run.report["skipped"], 0);
  EXPECT_THAT(Failed(run.report, false), ::testing::IsEmpty());
}

// A REST-only adapter (it declares "transports": ["rest"]; a v2 adapter that
// declares none is taken as the same) runs as before: over gRPC every case is
// skipped, not failed.
TEST(ConformanceSuiteTest, PythonAdapterPassesEveryRequiredCaseAndSkipsGrpc) {
  SuiteRun run = RunSuite("--transport both --level REQUIRED --client '" + Python() +
                          " " NASFAKE_SOURCE_DIR "/conformance/clients/python/nasjobs_adapter.py'");
  ASSERT_TRUE(run.report.is_object()) << "no JSON report";
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(Failed(run.report, false), ::testing::IsEmpty());
  std::map<std::string, int> grpc = Outcomes(run.report, "grpc");
  EXPECT_GE(grpc["skipped"], 15);
  EXPECT_EQ(grpc.size(), 1u) << "over gRPC every case is skipped";
  EXPECT_GE(Outcomes(run.report, "rest")["passed"], 15);
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) /
          (name + "-" + std::to_string(getpid()) + ".txt"))
      .string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// An adapter that is the shell script `script`.
std::string ScriptAdapter(const std::string& name, const std::string& script) {
  std::string path = TempPath(name);
  std::ofstream(path) << script;
  return "sh " + path;
}

TEST(ConformanceSuiteTest, PersistentModeStartsTheAdapterOncePerJob) {
  const std::string log = TempPath("persistent-starts");
  std::filesystem::remove(log);
  // The reference adapter, logging how it was started.
  std::string adapter = ScriptAdapter(
      "persistent", "echo \"$1\" >> " + log + "\nexec " NASFAKE_REFERENCE_ADAPTER " \"$@\"\n");
  SuiteRun run = RunSuite("--persistent --transport both --client '" + adapter + "'");
  ASSERT_TRUE(run.report.is_object()) << "no JSON report";
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(Failed(run.report, false), ::testing::IsEmpty());
  EXPECT_GE(Outcomes(run.report, "grpc")["passed"], 25);
  // Four jobs: at most four processes, each started as `persistent`.
  std::istringstream starts(ReadFile(log));
  int persistent = 0;
  for (std::string line; std::getline(starts, line);) {
    EXPECT_EQ(line, "persistent");
    ++persistent;
  }
  EXPECT_GE(persistent, 1);
  EXPECT_LE(persistent, 4);
}

TEST(ConformanceSuiteTest, PythonAdapterPassesEveryRequiredCasePersistent) {
  SuiteRun run = RunSuite("--persistent --level REQUIRED --client '" + Python() +
                          " " NASFAKE_SOURCE_DIR "/conformance/clients/python/nasjobs_adapter.py'");
  ASSERT_TRUE(run.report.is_object()) << "no JSON report";
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(Failed(run.report, false), ::testing::IsEmpty());
}

TEST(ConformanceSuiteTest, CasesOfUndeclaredOperationsAreSkippedNotFailed) {
  std::string adapter = ScriptAdapter(
      "get-and-cancel",
      "if [ \"$1\" = capabilities ]; then echo '{\"operations\":[\"get\",\"cancel\"]}'; exit; fi\n"
      "exec " NASFAKE_REFERENCE_ADAPTER " \"$@\"\n");
  const std::string stderr_path = TempPath("capabilities-stderr");
  SuiteRun run = RunSuite("--client '" + adapter + "'", stderr_path);
  ASSERT_TRUE(run.report.is_object()) << "no JSON report";
  EXPECT_EQ(run.exit_code, 0) << "skipped REQUIRED cases do not fail the run";
  int skipped = 0;
  for (const auto& c : run.report["cases"]) {
    if (c["outcome"] != "skipped") continue;
    ++skipped;
    EXPECT_TRUE(c["journal"].empty()) << c["id"];
  }
  EXPECT_GE(skipped, 10);
  EXPECT_EQ(run.report["skipped"], skipped);
  EXPECT_GE(run.report["requiredSkipped"].get<int>(), 1);
  EXPECT_THAT(Failed(run.report, false), ::testing::IsEmpty());
  EXPECT_THAT(ReadFile(stderr_path),
              ::testing::HasSubstr("the adapter does not declare cancel-and-wait, create, delete, "
                                   "list: their cases are skipped"));
}

TEST(ConformanceSuiteTest, ProgressGoesToStderrAsEachCaseFinishes) {
  const std::string stderr_path = TempPath("progress-stderr");
  std::string command =
      std::string(NASFAKE_BINARY) + " conformance --cases 'cancel-*' >/dev/null 2>" + stderr_path;
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string progress = ReadFile(stderr_path);
  EXPECT_THAT(progress, ::testing::ContainsRegex("\\[ *1/[0-9]+\\] PASS  rest cancel-"));
  EXPECT_THAT(progress, ::testing::HasSubstr("(REQUIRED, "));
}

TEST(ConformanceSuiteTest, AnAdapterThatCrashesIsAnErrorAndFailsTheRun) {
  const std::string junit = TempPath("crash-junit");
  SuiteRun run = RunSuite("--cases 'cancel-*' --junit " + junit + " --client 'sh -c \"exit 3\"'");
  ASSERT_TRUE(run.report.is_object()) << "no JSON report";
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_FALSE(run.report["cases"].empty());
  for (const auto& c : run.report["cases"]) EXPECT_EQ(c["outcome"], "error") << c["id"];
  EXPECT_EQ(run.report["errors"], run.report["cases"].size());
  EXPECT_EQ(run.report["failed"], 0);
  std::string xml = ReadFile(junit);
  EXPECT_THAT(xml, ::testing::HasSubstr("failures=\"0\" errors=\"" +
                                        std::to_string(run.report["cases"].size()) + "\""));
  EXPECT_THAT(xml, ::testing::HasSubstr("<error message=\"the client crashed: exit status 3\""));
}

// A mutant: the Python ones (<name>.py) run over REST, the gRPC ones
// (grpc_<name>.cc, in nasfake-grpc-mutant) over gRPC.
class MutantTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MutantTest, FailsAtLeastOneRequiredOrRecommendedCase) {
  const std::string& name = GetParam();
  const std::string source_dir = std::string(NASFAKE_SOURCE_DIR) + "/conformance/clients/mutants/";
  const bool grpc = name.rfind("grpc_", 0) == 0;
  const std::string source = source_dir + name + (grpc ? ".cc" : ".py");
  ASSERT_TRUE(std::filesystem::exists(source)) << source;
  SuiteRun run = RunSuite(grpc ? "--transport grpc --client '" NASFAKE_GRPC_MUTANT " " + name + "'"
                               : "--client '" + Python() + " " + source + "'");
  ASSERT_TRUE(run.report.is_object()) << "no JSON report";
  EXPECT_THAT(Failed(run.report, true), ::testing::Not(::testing::IsEmpty()))
      << name << " passed every REQUIRED and RECOMMENDED case";
}

INSTANTIATE_TEST_SUITE_P(
    Mutants, MutantTest,
    ::testing::Values("cancelled_right_after_cancel", "cancelling_is_terminal",
                      "crashes_on_unknown_field", "double_encodes_name", "ignores_next_page_token",
                      "ignores_retry_info", "maps_404_to_unknown", "misses_auth_header",
                      "no_deadline", "polls_after_terminal", "polls_at_fixed_interval",
                      "polls_without_backoff", "retries_cancel_on_failed_precondition",
                      "send_body_on_cancel", "sends_body_on_get", "grpc_no_call_deadline",
                      "grpc_no_routing_header", "grpc_routes_by_location",
                      "grpc_ignores_status_details", "grpc_no_transparent_retry"));

// Capping polls per second is not backing off: a client that polls every
// 200 ms forever fails polling-backs-off, and the verdict says why.
TEST(ConformanceSuiteTest, FixedIntervalPollerFailsPollingBacksOff) {
  SuiteRun run =
      RunSuite("--cases polling-backs-off --client '" + Python() + " " +
               NASFAKE_SOURCE_DIR "/conformance/clients/mutants/polls_at_fixed_interval.py'");
  ASSERT_TRUE(run.report.is_object()) << "no JSON report";
  ASSERT_EQ(run.report["cases"].size(), 1u);
  const json& verdict = run.report["cases"][0];
  EXPECT_FALSE(verdict["passed"].get<bool>());
  EXPECT_THAT(verdict["failures"].dump(), ::testing::HasSubstr("do not grow"));
  EXPECT_EQ(run.exit_code, 0) << "a RECOMMENDED case does not fail the run";
}

TEST(ConformanceSuiteTest, EveryMutantFileIsTested) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(NASFAKE_SOURCE_DIR) +
                                                               "/conformance/clients/mutants")) {
    const std::string name = entry.path().filename().string();
    files += entry.path().extension() == ".py" ||
             (name.rfind("grpc_", 0) == 0 && entry.path().extension() == ".cc");
  }
  EXPECT_EQ(files, 20u) << "add the new mutant to MutantTest's list";
}

}  // namespace
}  // namespace nasfake
