// The conformance reports: well-formed for tools (JSON, JUnit XML) whatever
// bytes a client prints, and saying what a user needs to act on a verdict.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "conformance/runner/report.h"
#include "fake/utf8.h"

namespace nasfake::conformance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ReportTest : public ::testing::Test {
 protected:
  ReportTest() {
    test_case_.id = "cancel<&>\"quoted\"";
    test_case_.title = "A & B";
    verdict_.test_case = &test_case_;
    verdict_.outcome = Outcome::kFailed;
    verdict_.failures = {"stdout is \"\xFF\", expected <ok>"};
    verdict_.result.exit_code = 1;
    verdict_.result.stdout_text = "half a sequence \xC3";
    verdict_.result.stderr_text = std::string("bell\x07\0nul", 9) + " \xEF\xBF\xBF end";
    journal::Entry entry;
    entry.id = 1;
    entry.method = "GET";
    entry.target = "/v1/\xFF<x>";
    verdict_.journal = {entry};
  }

  Case test_case_;
  Verdict verdict_;
};

TEST_F(ReportTest, JUnitXmlIsValidUtf8WithMarkupEscapedAndNoForbiddenCharacters) {
  const std::string xml = JUnitXml({verdict_});
  EXPECT_EQ(ValidUtf8(xml), xml);
  for (unsigned char c : xml) {
    EXPECT_TRUE(c >= 0x20 || c == '\n' || c == '\t') << "control byte " << int{c};
  }
  EXPECT_THAT(xml, Not(HasSubstr("\xEF\xBF\xBF")));  // U+FFFF is not an XML character
  EXPECT_THAT(xml, HasSubstr("name=\"cancel&lt;&amp;&gt;&quot;quoted&quot;\""));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"stdout is &quot;\xEF\xBF\xBD&quot;, expected "
                             "&lt;ok&gt;\" type=\"REQUIRED\">A &amp; B\n"));
  EXPECT_THAT(xml, HasSubstr("half a sequence \xEF\xBF\xBD"));
  EXPECT_THAT(xml, HasSubstr("bell  nul \xEF\xBF\xBD end"));
  EXPECT_THAT(xml, HasSubstr("GET /v1/\xEF\xBF\xBD&lt;x&gt;"));
  EXPECT_THAT(xml, HasSubstr("tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\""));
}

TEST_F(ReportTest, JsonReportDumpsWhateverTheClientPrinted) {
  const nlohmann::json report = JsonReport({verdict_});
  std::string text;
  ASSERT_NO_THROW(text = report.dump());
  const auto& c = report["cases"][0];
  EXPECT_EQ(c["stdout"], "half a sequence \xEF\xBF\xBD");
  EXPECT_EQ(c["failures"][0], "stdout is \"\xEF\xBF\xBD\", expected <ok>");
  EXPECT_EQ(c["id"], test_case_.id);
  EXPECT_EQ(report["failed"], 1);
}

// A catalogue of one case per level and verdicts of every outcome.
class RunReportTest : public ::testing::Test {
 protected:
  RunReportTest() {
    const Level levels[] = {Level::kRequired, Level::kRecommended, Level::kOptional,
                            Level::kRequired, Level::kRequired};
    const char* ids[] = {"cancel-succeeds", "polling-backs-off", "user-agent-sent", "list-paging",
                         "create"};
    for (int i = 0; i < 5; ++i) {
      cases_[i].id = ids[i];
      cases_[i].title = std::string("title of ") + ids[i];
      cases_[i].level = levels[i];
      verdicts_[i].test_case = &cases_[i];
      verdicts_[i].result.exit_code = 0;
      verdicts_[i].result.stdout_text = "{}";
    }
    verdicts_[0].outcome = Outcome::kPassed;
    verdicts_[1].outcome = Outcome::kFailed;
    verdicts_[1].failures = {"wire: polls back off: the gaps do not grow"};
    verdicts_[1].result.stderr_text = "adapter says hello";
    journal::Entry cancel;
    cancel.id = 1;
    cancel.method = "POST";
    cancel.target = "/v1/projects/p/locations/l/nasJobs/1:cancel";
    cancel.body = R"({"force":true})";
    cancel.status = 400;
    cancel.completed = true;
    cancel.response_body =
        "{\n  \"error\": {\n    \"code\": 400,\n    \"message\": \"Invalid JSON "
        "payload received. Unknown name \\\"force\\\": Cannot find field.\",\n" +
        std::string(300, ' ') + "\"status\": \"INVALID_ARGUMENT\"" + std::string(300, 'x') +
        "\n  }\n}\n";
    verdicts_[1].journal = {cancel};
    verdicts_[2].outcome = Outcome::kFailed;
    verdicts_[2].failures = {"wire: a User-Agent is sent"};
    verdicts_[3].outcome = Outcome::kError;
    verdicts_[3].failures = {"the client crashed: exit status 3"};
    verdicts_[3].result.exit_code = 3;
    verdicts_[3].result.stdout_text = "";
    verdicts_[3].result.stderr_text = "Traceback (most recent call last)";
    verdicts_[4].outcome = Outcome::kSkipped;
    verdicts_[4].failures = {"the client does not declare the operation \"create\""};
    run_.client = "python3 adapter.py";
    run_.started = std::chrono::sys_days(std::chrono::year(2026) / 5 / 18) +
                   std::chrono::hours(10) + std::chrono::minutes(2) + std::chrono::seconds(3) +
                   std::chrono::milliseconds(456);
    run_.rerun = "nasfake conformance --client 'python3 adapter.py'";
  }
  std::vector<Verdict> Verdicts() const { return {verdicts_, verdicts_ + 5}; }

  Case cases_[5];
  Verdict verdicts_[5];
  RunInfo run_;
};

TEST_F(RunReportTest, TextShowsAnswerBodiesShortenedAndHowToRerunEachFailure) {
  const std::string text = TextReport(Verdicts(), false, run_);
  // The journal excerpt shows the fake's answer on one line, cut.
  EXPECT_THAT(text, HasSubstr("→ 400\n        answer: { \"error\": { \"code\": 400, \"message\": "
                              "\"Invalid JSON payload received. Unknown name \\\"force\\\""));
  EXPECT_THAT(text, HasSubstr("…\n"));
  EXPECT_THAT(text, Not(HasSubstr(std::string(300, 'x'))));
  EXPECT_THAT(text, HasSubstr("  rerun: nasfake conformance --client 'python3 adapter.py' --cases "
                              "polling-backs-off\n"));
  EXPECT_THAT(text, HasSubstr("--cases list-paging\n"));
  EXPECT_THAT(text, Not(HasSubstr("--cases cancel-succeeds")));
  EXPECT_THAT(text, HasSubstr("\nERROR list-paging over rest (REQUIRED)"));
  EXPECT_THAT(text, HasSubstr("skip create over rest (REQUIRED): the client does not declare"));
  EXPECT_THAT(text, HasSubstr("\n1 passed, 2 failed, 1 error, 1 skipped; 1 REQUIRED failed; "
                              "1 REQUIRED skipped: not conformant until they run and pass\n"));
}

TEST_F(RunReportTest, ProgressLinesCountFinishedCases) {
  EXPECT_EQ(ProgressLine(verdicts_[0], 3, 31, false),
            "[ 3/31] PASS  rest cancel-succeeds (REQUIRED, 0 ms)");
  EXPECT_EQ(ProgressLine(verdicts_[3], 12, 31, false),
            "[12/31] ERROR rest list-paging (REQUIRED, 0 ms)");
  EXPECT_EQ(ProgressLine(verdicts_[4], 1, 5, false), "[1/5] SKIP  rest create (REQUIRED, 0 ms)");
}

// A case run over both transports is two verdicts, and every report tells
// them apart: the table, the progress, the rerun command, the counts, the
// JSON cases and the JUnit testcases.
TEST_F(RunReportTest, EveryReportSaysWhichTransportEachVerdictIsFor) {
  Verdict over_grpc = verdicts_[1];
  over_grpc.transport = api::Transport::kGrpc;
  std::vector<Verdict> both = {verdicts_[0], verdicts_[1], over_grpc};
  run_.transports = kEveryTransport;

  const std::string text = TextReport(both, false, run_);
  EXPECT_THAT(text, HasSubstr("CASE               TRANSPORT  LEVEL"));
  EXPECT_THAT(text, HasSubstr("\npolling-backs-off  grpc       RECOMMENDED  FAIL"));
  EXPECT_THAT(text, HasSubstr("\nFAIL polling-backs-off over grpc (RECOMMENDED)"));
  EXPECT_THAT(text, HasSubstr("rerun: nasfake conformance --client 'python3 adapter.py' "
                              "--transport grpc --cases polling-backs-off\n"));
  EXPECT_THAT(text, HasSubstr("\nrest: 1 passed, 1 failed\ngrpc: 0 passed, 1 failed\n"
                              "in all: 1 passed, 2 failed\n"));
  EXPECT_EQ(ProgressLine(over_grpc, 3, 62, false),
            "[ 3/62] FAIL  grpc polling-backs-off (RECOMMENDED, 0 ms)");

  const nlohmann::json report = JsonReport(both, run_);
  EXPECT_EQ(report["transport"], "both");
  EXPECT_EQ(report["cases"][1]["transport"], "rest");
  EXPECT_EQ(report["cases"][2]["transport"], "grpc");
  EXPECT_EQ(report["cases"][2]["rerun"],
            "nasfake conformance --client 'python3 adapter.py' --transport grpc --cases "
            "polling-backs-off");

  const std::string xml = JUnitXml(both, run_);
  EXPECT_THAT(xml, HasSubstr("<property name=\"transport\" value=\"both\"/>"));
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"nasfake.conformance.rest.RECOMMENDED\" "
                             "name=\"polling-backs-off\""));
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"nasfake.conformance.grpc.RECOMMENDED\" "
                             "name=\"polling-backs-off\""));
  EXPECT_THAT(xml, HasSubstr("<property name=\"transport\" value=\"grpc\"/>"));
}

TEST_F(RunReportTest, JsonSaysSchemaClientTransportTimeAndEachOutcome) {
  const nlohmann::json report = JsonReport(Verdicts(), run_);
  EXPECT_EQ(report["schemaVersion"], kJsonReportSchemaVersion);
  EXPECT_EQ(report["client"], "python3 adapter.py");
  EXPECT_EQ(report["transport"], "rest");
  EXPECT_EQ(report["timestamp"], "2026-05-18T10:02:03Z");
  EXPECT_EQ(report["passed"], 1);
  EXPECT_EQ(report["failed"], 2);
  EXPECT_EQ(report["errors"], 1);
  EXPECT_EQ(report["skipped"], 1);
  EXPECT_EQ(report["requiredFailed"], 1);
  EXPECT_EQ(report["requiredSkipped"], 1);
  EXPECT_EQ(report["cases"][3]["outcome"], "error");
  EXPECT_EQ(report["cases"][4]["outcome"], "skipped");
  EXPECT_EQ(report["cases"][1]["rerun"],
            "nasfake conformance --client 'python3 adapter.py' --cases polling-backs-off");
  EXPECT_FALSE(report["cases"][0].contains("rerun"));
  EXPECT_EQ(report["cases"][0]["transport"], "rest");
  run_.transports = {api::Transport::kGrpc};
  EXPECT_EQ(JsonReport(Verdicts(), run_)["transport"], "grpc");
}

TEST_F(RunReportTest, JUnitHasErrorsSkippedTimestampOutputAndLevels) {
  const std::string xml = JUnitXml(Verdicts(), run_);
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"nasfake-conformance\" tests=\"5\" failures=\"2\" "
                             "errors=\"1\" skipped=\"1\" time=\""));
  EXPECT_THAT(xml, HasSubstr("timestamp=\"2026-05-18T10:02:03\">"));
  EXPECT_THAT(xml, HasSubstr("<property name=\"client\" value=\"python3 adapter.py\"/>"));
  EXPECT_THAT(xml, HasSubstr("<property name=\"transport\" value=\"rest\"/>"));
  EXPECT_THAT(xml, HasSubstr("<error message=\"the client crashed: exit status 3\" "
                             "type=\"REQUIRED\">"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"wire: polls back off: the gaps do not grow\" "
                             "type=\"RECOMMENDED\">"));
  EXPECT_THAT(xml, HasSubstr("<property name=\"level\" value=\"RECOMMENDED\"/>"));
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"the client does not declare the operation "
                             "&quot;create&quot;\"/>"));
  EXPECT_THAT(xml, HasSubstr("<system-out>{}</system-out>"));
  EXPECT_THAT(xml, HasSubstr("<system-err>Traceback (most recent call last)</system-err>"));
  EXPECT_THAT(xml, HasSubstr("rerun: nasfake conformance"));
}

TEST_F(RunReportTest, JUnitFailLevelTurnsLessStrictFailuresIntoSkipped) {
  const std::string xml = JUnitXml(Verdicts(), run_, Level::kRequired);
  EXPECT_THAT(xml, HasSubstr("tests=\"5\" failures=\"0\" errors=\"1\" skipped=\"3\""));
  EXPECT_THAT(xml, Not(HasSubstr("<failure")));
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"failed (RECOMMENDED, below --junit-fail-level "
                             "REQUIRED): wire: polls back off"));
  EXPECT_THAT(xml, HasSubstr("<property name=\"outcome\" value=\"failed\"/>"));
  EXPECT_THAT(xml, HasSubstr("<error message=\"the client crashed"));  // REQUIRED stays
  EXPECT_THAT(JUnitXml(Verdicts(), run_, Level::kRecommended),
              HasSubstr("failures=\"1\" errors=\"1\" skipped=\"2\""));
}

}  // namespace
}  // namespace nasfake::conformance
