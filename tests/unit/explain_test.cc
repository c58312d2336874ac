// A scenario in words (`nasfake scenario explain`): every part and every kind
// of rule and action is said, in the engine's order.
#include "scenarios/explain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "scenarios/scenario_json.h"

namespace nasfake::scenarios {
namespace {

Scenario Load(const std::string& text) {
  auto scenario = ScenarioFromJson(nlohmann::json::parse(text), "t.json");
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  return scenario.ok() ? *scenario : Scenario{};
}

TEST(ExplainTest, SaysEachPartAndEachRuleInOrder) {
  Scenario scenario = Load(R"({
    "name": "flaky-get-then-slow-cancel",
    "description": "The first get is reset; cancellation takes 5 reads.",
    "seed": {"nasJobs": [{"name": "projects/123456789012/locations/us-central1/nasJobs/1",
                          "displayName": "j", "state": "JOB_STATE_RUNNING"}]},
    "lifecycle": {"cancellingPolls": 5},
    "operations": {"deletePollsUntilDone": 3},
    "pagination": {"maxPageSize": 2},
    "rules": [
      {"id": "reset-first-get", "match": {"operation": "nasJobs.get"}, "times": 1,
       "action": {"fault": "reset"}},
      {"id": "hold-cancel", "match": {"method": "POST", "operation": "nasJobs.cancel",
                                      "resource": "*/nasJobs/1", "transport": "grpc"},
       "after": 1, "action": {"hold": "cancel"}},
      {"id": "flaky-list", "match": {"operation": "nasJobs.list", "headers": {"x-a": "*"}},
       "sequence": [{"error": "UNAVAILABLE"}, {"html": 502},
                    {"fault": "partial", "bytes": 40}, {"pass": true}]},
      {"id": "slow", "match": {"body": "*force*"}, "times": 2,
       "action": {"delay": "2s", "clock": "real"}}
    ]})");
  EXPECT_EQ(
      ExplainScenario(scenario),
      "scenario \"flaky-get-then-slow-cancel\": The first get is reset; cancellation takes 5 "
      "reads.\n"
      "seed: 1 job: projects/123456789012/locations/us-central1/nasJobs/1 (JOB_STATE_RUNNING)\n"
      "every job: QUEUED for 0.500s, PENDING for 1s, RUNNING for 14400s, then "
      "JOB_STATE_SUCCEEDED; a cancel makes it CANCELLING, then CANCELLED at the 5th read of the "
      "job after the cancel\n"
      "delete: the operation is done at its 3rd read\n"
      "list: a page holds at most 2 jobs\n"
      "rules, tried in order (the first that applies wins):\n"
      "  1. reset-first-get: nasJobs.get requests: the first gets a TCP reset (nothing is "
      "sent); later ones fall through\n"
      "  2. hold-cancel: POST nasJobs.cancel requests over gRPC on resources matching "
      "\"*/nasJobs/1\": the first passes untouched, then each gets held until the test releases "
      "hold \"cancel\" (at most 30s), then the API's own answer\n"
      "  3. flaky-list: nasJobs.list requests with header x-a: in turn, the 1st gets an answer "
      "503 UNAVAILABLE \"The service is currently unavailable.\"; 2nd gets Google's HTML error "
      "page with status 502; 3rd gets the first 40 bytes of the API's answer, then the "
      "connection closed; 4th gets the API's own answer; later ones fall through\n"
      "  4. slow: requests with a body matching \"*force*\": the first 2 get the API's own "
      "answer after 2s of real time; later ones fall through\n"
      "any other request: the API's own answer\n");
}

TEST(ExplainTest, SaysHowACancelEndsAndWhatIsRandom) {
  Scenario scenario = Load(R"({
    "name": "x",
    "lifecycle": {"runningFor": null, "cancellingFor": "3s", "outcome": "JOB_STATE_FAILED",
                  "failureError": {"code": 13, "message": "boom"},
                  "cancelEffect": "FINISHES_FIRST"},
    "jobLifecycles": {},
    "randomFaults": {"seed": 42, "rate": 0.25, "match": {"operation": "nasJobs.get"},
                     "choices": [{"fault": "stall", "duration": "30s"},
                                 {"fault": "dribble", "bytes": 10, "duration": "0.1s"}]}})");
  EXPECT_EQ(ExplainScenario(scenario),
            "scenario \"x\"\n"
            "every job: QUEUED for 0.500s, PENDING for 1s, RUNNING until a test moves it; a "
            "cancel is answered {} but loses the race: the job never becomes CANCELLING and ends "
            "JOB_STATE_FAILED (error 13 \"boom\") 3s after the cancel\n"
            "random faults (seed 42): nasJobs.get requests that no rule took get, each with "
            "probability 0.25, one of: nothing for 30s, then the connection closed; 10 bytes of "
            "the API's answer at a time, 0.100s apart\n"
            "any other request: the API's own answer\n");
}

TEST(ExplainTest, AScenarioOfNoRulesLeavesEveryRequestToTheApi) {
  EXPECT_EQ(ExplainScenario(Load(R"({"name": "n", "description": "Nothing."})")),
            "scenario \"n\": Nothing.\nevery request: the API's own answer\n");
}

}  // namespace
}  // namespace nasfake::scenarios
