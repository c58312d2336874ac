// The control API over loopback, as a test in another language would use it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::testing::IsApiError;
using ::nasfake::testing::Reply;
using ::nasfake::testing::TestClient;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kJob[] =
    "/v1/projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";
constexpr char kControl[] = "/__nasfake/v1";

json RunningJobSeed() {
  return {{"nasJobs",
           {{{"name", std::string(kJob).substr(4)},
             {"displayName", "j"},
             {"state", "JOB_STATE_RUNNING"}}}}};
}

class ControlApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::StartFakeServer();
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<TestClient>(*server_);
  }
  Reply Control(const std::string& method, const std::string& path, const json& body = nullptr,
                const std::string& test_id = "") {
    std::map<std::string, std::string> headers;
    if (!test_id.empty()) headers["x-nasfake-test-id"] = test_id;
    if (!body.is_null()) headers["Content-Type"] = "application/json";
    return client_->Send(method, std::string(kControl) + path, body.is_null() ? "" : body.dump(),
                         headers);
  }
  Reply Get(const std::string& target, const std::string& test_id = "") {
    std::map<std::string, std::string> headers;
    if (!test_id.empty()) headers["x-nasfake-test-id"] = test_id;
    return client_->Get(target, headers);
  }

  std::unique_ptr<FakeServer> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(ControlApiTest, HealthAnswers) {
  Reply health = Control("GET", "/health");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.json()["ok"], true);
}

TEST_F(ControlApiTest, ScenarioRulesApplyAndResetForgetsThem) {
  json scenario = {{"name", "t"},
                   {"seed", RunningJobSeed()},
                   {"rules",
                    {{{"id", "get-503"},
                      {"match", {{"operation", "nasJobs.get"}}},
                      {"times", 1},
                      {"action", {{"error", "UNAVAILABLE"}}}}}}};
  Reply loaded = Control("POST", "/scenario", scenario);
  ASSERT_EQ(loaded.status, 200) << loaded.body;
  EXPECT_EQ(Get(kJob).status, 503);
  EXPECT_EQ(Get(kJob).status, 200);
  ASSERT_EQ(Control("POST", "/reset").status, 200);
  EXPECT_EQ(Get(kJob).status, 404);
}

TEST_F(ControlApiTest, BadScenarioIsRefusedWholeWithItsPath) {
  json scenario = {{"name", "t"},
                   {"seed", RunningJobSeed()},
                   {"rules", {{{"id", "r"}, {"action", {{"fault", "rst"}}}}}}};
  Reply refused = Control("POST", "/scenario", scenario);
  EXPECT_THAT(refused, IsApiError(400, "INVALID_ARGUMENT", HasSubstr("rules[0].action")));
  EXPECT_EQ(Get(kJob).status, 404) << "nothing of a refused scenario is loaded";
}

TEST_F(ControlApiTest, TestIdsIsolateStateRulesAndJournals) {
  ASSERT_EQ(Control("POST", "/seed", RunningJobSeed(), "a").status, 200);
  EXPECT_EQ(Get(kJob, "a").status, 200);
  EXPECT_EQ(Get(kJob, "b").status, 404);
  EXPECT_EQ(Get(kJob).status, 404);
  json a = Control("GET", "/journal", nullptr, "a").json();
  json b = Control("GET", "/journal", nullptr, "b").json();
  EXPECT_EQ(a["entries"].size(), 1u);
  EXPECT_EQ(b["entries"].size(), 1u);
  EXPECT_EQ(a["entries"][0]["status"], 200);
  EXPECT_EQ(b["entries"][0]["status"], 404);
}

TEST_F(ControlApiTest, ClockAdvanceMovesJobsAndIsPerTestId) {
  ASSERT_EQ(Control("POST", "/seed",
                    {{"nasJobs",
                      {{{"name", std::string(kJob).substr(4)},
                        {"displayName", "j"},
                        {"state", "JOB_STATE_QUEUED"}}}}},
                    "t")
                .status,
            200);
  EXPECT_EQ(Get(kJob, "t").json()["state"], "JOB_STATE_QUEUED");
  Reply advanced = Control("POST", "/clock:advance", {{"by", "2s"}}, "t");
  ASSERT_EQ(advanced.status, 200) << advanced.body;
  EXPECT_EQ(advanced.json()["now"], "2026-01-01T00:00:02.000000Z");
  EXPECT_EQ(Get(kJob, "t").json()["state"], "JOB_STATE_RUNNING");
  EXPECT_EQ(Control("GET", "/clock").json()["now"], "2026-01-01T00:00:00.000000Z");
  EXPECT_THAT(Control("POST", "/clock:advance", {{"by", "soon"}}),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("duration")));
}

TEST_F(ControlApiTest, ClockNeverGoesBackAndBadDurationsSayTheFormat) {
  ASSERT_EQ(Control("POST", "/clock:advance", {{"by", "10s"}}).status, 200);
  EXPECT_THAT(Control("POST", "/clock:advance", {{"to", "2026-01-01T00:00:05Z"}}),
              IsApiError(400, "INVALID_ARGUMENT",
                         "to: 2026-01-01T00:00:05.000000Z is before the clock's now, "
                         "2026-01-01T00:00:10.000000Z; time never goes back"));
  EXPECT_EQ(Control("GET", "/clock").json()["now"], "2026-01-01T00:00:10.000000Z");
  EXPECT_EQ(Control("POST", "/clock:advance", {{"to", "2026-01-01T00:00:10Z"}}).status, 200);
  EXPECT_THAT(Control("POST", "/clock:advance", {{"by", "2m"}}),
              IsApiError(400, "INVALID_ARGUMENT",
                         "by: expected a duration >= 0s such as \"5s\" or \"0.5s\", got \"2m\""));
  EXPECT_THAT(Control("POST", "/journal:wait", {{"timeout", 5}}),
              IsApiError(400, "INVALID_ARGUMENT",
                         "timeout: expected a duration >= 0s such as \"5s\" or \"0.5s\", got 5"));
}

TEST_F(ControlApiTest, HeldRequestIsReleasedByTheTest) {
  json scenario = {{"name", "hold"},
                   {"seed", RunningJobSeed()},
                   {"rules",
                    {{{"id", "hold-cancel"},
                      {"match", {{"operation", "nasJobs.cancel"}}},
                      {"action", {{"hold", "cancel"}}}}}}};
  ASSERT_EQ(Control("POST", "/scenario", scenario).status, 200);
  Reply cancelled;
  std::thread caller([&] {
    TestClient other(*server_);
    cancelled = other.Post(std::string(kJob) + ":cancel", "");
  });
  Reply waited = Control("POST", "/holds/cancel:wait", {{"count", 1}, {"timeout", "10s"}});
  ASSERT_EQ(waited.json()["met"], true) << waited.body;
  EXPECT_EQ(waited.json()["reason"], "met: 1 request on hold \"cancel\"");
  EXPECT_EQ(Control("GET", "/holds").json()["holds"]["cancel"], 1);
  json held = Control("GET", "/journal").json()["entries"];
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0]["state"], "pending") << held;
  EXPECT_FALSE(held[0].contains("status")) << "not answered yet";
  EXPECT_EQ(Get(kJob).json()["state"], "JOB_STATE_RUNNING") << "the cancel has not happened yet";
  EXPECT_EQ(Control("POST", "/holds/cancel:release").json()["released"], 1);
  caller.join();
  EXPECT_EQ(cancelled.status, 200);
  EXPECT_EQ(Get(kJob).json()["state"], "JOB_STATE_CANCELLING");
  json answered = Control("GET", "/journal?operation=nasJobs.cancel").json()["entries"];
  ASSERT_EQ(answered.size(), 1u);
  EXPECT_EQ(answered[0]["state"], "completed");
  EXPECT_EQ(answered[0]["status"], 200);
}

json HoldCancelScenario() {
  return {{"name", "hold"},
          {"seed", RunningJobSeed()},
          {"rules",
           {{{"id", "hold-cancel"},
             {"match", {{"operation", "nasJobs.cancel"}}},
             {"action", {{"hold", "cancel"}}}}}}};
}

TEST_F(ControlApiTest, AReleaseBeforeTheRequestArrivesIsKeptForIt) {
  ASSERT_EQ(Control("POST", "/scenario", HoldCancelScenario()).status, 200);
  Reply ahead = Control("POST", "/holds/cancel:release", {{"count", 1}});
  ASSERT_EQ(ahead.status, 200) << ahead.body;
  EXPECT_EQ(ahead.json(), json({{"released", 0}, {"banked", 1}}));
  EXPECT_EQ(Control("GET", "/holds").json()["banked"], json({{"cancel", 1}}));
  // Answered at once (a lost release would hold it for 30 s).
  EXPECT_EQ(client_->Post(std::string(kJob) + ":cancel", "").status, 200);
  EXPECT_EQ(Control("GET", "/holds").json(),
            json({{"holds", json::object()}, {"banked", json::object()}}));
}

TEST_F(ControlApiTest, AHoldNameNoRuleHasIsNotFound) {
  ASSERT_EQ(Control("POST", "/scenario", HoldCancelScenario()).status, 200);
  const std::string message =
      "No scenario rule holds requests on \"cancle\" (known holds: \"cancel\").";
  EXPECT_THAT(Control("POST", "/holds/cancle:release"), IsApiError(404, "NOT_FOUND", message));
  EXPECT_THAT(Control("POST", "/holds/cancle:wait", {{"timeout", "10s"}}),
              IsApiError(404, "NOT_FOUND", message));
}

TEST_F(ControlApiTest, HoldWaitNotMetIsDeadlineExceededWithWhatItSaw) {
  ASSERT_EQ(Control("POST", "/scenario", HoldCancelScenario()).status, 200);
  EXPECT_THAT(Control("POST", "/holds/cancel:wait", {{"count", 2}, {"timeout", "0.05s"}}),
              IsApiError(504, "DEADLINE_EXCEEDED",
                         "timed out after 50 ms waiting for 2 requests on hold \"cancel\"; 0 "
                         "waiting on \"cancel\"; no other hold has waiters"));
}

TEST_F(ControlApiTest, JournalWaitNotMetIsDeadlineExceededWithWhatItSaw) {
  Get(kJob);
  Reply met = Control("POST", "/journal:wait", {{"operation", "nasJobs.get"}, {"count", 1}});
  EXPECT_EQ(met.status, 200);
  EXPECT_EQ(met.json()["met"], true);
  EXPECT_THAT(Control("POST", "/journal:wait",
                      {{"operation", "nasJobs.cancel"}, {"count", 1}, {"timeout", "0.05s"}}),
              IsApiError(504, "DEADLINE_EXCEEDED",
                         ::testing::StartsWith("timed out after 50 ms waiting for 1 request(s) "
                                               "nasJobs.cancel; the journal holds 1 request")));
  EXPECT_THAT(Control("POST", "/journal:wait", {{"operaton", "nasJobs.get"}}),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("unknown key \"operaton\"")));
  ASSERT_EQ(Control("DELETE", "/journal").status, 200);
  EXPECT_TRUE(Control("GET", "/journal").json()["entries"].empty());
}

TEST_F(ControlApiTest, JournalQueryFiltersAndRefusesUnknownParameters) {
  ASSERT_EQ(Control("POST", "/seed", RunningJobSeed()).status, 200);
  Get(kJob);
  ASSERT_EQ(client_->Post(std::string(kJob) + ":cancel", "").status, 200);
  Get("/v1/projects/123456789012/locations/us-central1/nasJobs/1");
  auto operations = [&](const std::string& query) {
    std::vector<std::string> found;
    Reply reply = Control("GET", "/journal?" + query);
    EXPECT_EQ(reply.status, 200) << reply.body;
    const json entries = reply.json()["entries"];
    for (const auto& entry : entries) found.push_back(entry["operation"]);
    return found;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(operations("operation=nasJobs.get"), ElementsAre("nasJobs.get", "nasJobs.get"));
  EXPECT_THAT(operations("method=POST"), ElementsAre("nasJobs.cancel"));
  EXPECT_THAT(operations("operation=nasJobs.get&resource=*/nasJobs/2111217356469436416"),
              ElementsAre("nasJobs.get"));
  EXPECT_THAT(operations("resource=*%2FnasJobs%2F1"), ElementsAre("nasJobs.get"));
  EXPECT_THAT(Control("GET", "/journal?operations=nasJobs.get"),
              IsApiError(400, "INVALID_ARGUMENT",
                         "unknown query parameter \"operations\"; GET journal takes operation, "
                         "method and resource"));
  EXPECT_THAT(Control("GET", "/holds?name=x"),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("unknown query parameter \"name\"")));
}

TEST_F(ControlApiTest, SetStateAndPeekDoNotCountAsReads) {
  ASSERT_EQ(Control("POST", "/seed", RunningJobSeed()).status, 200);
  Reply set = Control("POST", "/jobs/" + std::string(kJob).substr(4) + ":setState",
                      {{"state", "JOB_STATE_FAILED"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json()["state"], "JOB_STATE_FAILED");
  EXPECT_EQ(Control("GET", "/jobs/" + std::string(kJob).substr(4)).json()["state"],
            "JOB_STATE_FAILED");
  EXPECT_TRUE(Control("GET", "/journal").json()["entries"].empty())
      << "control calls are not API requests";
}

TEST_F(ControlApiTest, TranscriptHoldsRequestsAndAnswers) {
  ASSERT_EQ(Control("POST", "/seed", RunningJobSeed()).status, 200);
  Get(kJob);
  json transcript = Control("GET", "/transcript").json();
  ASSERT_EQ(transcript["exchanges"].size(), 1u);
  EXPECT_EQ(transcript["exchanges"][0]["request"]["target"], kJob);
  EXPECT_EQ(transcript["exchanges"][0]["response"]["status"], 200);
  EXPECT_EQ(transcript["exchanges"][0]["response"]["contentType"],
            "application/json; charset=UTF-8");
}

TEST_F(ControlApiTest, UnknownControlCallIsNotFound) {
  EXPECT_THAT(Control("GET", "/nope"), IsApiError(404, "NOT_FOUND", HasSubstr("/nope")));
}

TEST(ControlApiOptionsTest, OffMeansGooglesHtml404) {
  FakeServerOptions options;
  options.control_api = false;
  auto server = testing::StartFakeServer(options);
  TestClient client(*server);
  Reply reply = client.Get("/__nasfake/v1/health");
  EXPECT_EQ(reply.status, 404);
  EXPECT_THAT(reply.Header("content-type"), HasSubstr("text/html"));
}

TEST(ControlApiOptionsTest, TokenIsRequiredWhenSet) {
  FakeServerOptions options;
  options.control_token = "s3cret";
  auto server = testing::StartFakeServer(options);
  TestClient client(*server);
  EXPECT_EQ(client.Get("/__nasfake/v1/health").status, 403);
  EXPECT_EQ(client.Get("/__nasfake/v1/health", {{"x-nasfake-control-token", "s3cret"}}).status,
            200);
}

}  // namespace
}  // namespace nasfake
