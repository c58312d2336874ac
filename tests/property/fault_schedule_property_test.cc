// The same random-fault seed gives the same schedule and the same journal,
// whatever the seed, rate and request sequence.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "fake/server/tenant.h"
#include "scenarios/scenario_json.h"

namespace nasfake {
namespace {

using nlohmann::json;

constexpr char kJob[] = "projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";

scenarios::Scenario FaultyScenario(uint64_t seed, double rate) {
  json document = {
      {"name", "random"},
      {"seed",
       {{"nasJobs", {{{"name", kJob}, {"displayName", "j"}, {"state", "JOB_STATE_RUNNING"}}}}}},
      {"lifecycle", {{"cancellingPolls", 2}}},
      {"randomFaults",
       {{"seed", seed},
        {"rate", rate},
        {"choices",
         {{{"fault", "reset"}}, {{"error", "UNAVAILABLE"}}, {{"html", 502}}, {{"pass", true}}}}}}};
  auto scenario = scenarios::ScenarioFromJson(document, "property");
  RC_ASSERT(scenario.ok());
  return *scenario;
}

// What a run looked like, request by request.
std::vector<std::string> JournalOf(const scenarios::Scenario& scenario,
                                   const std::vector<int>& requests) {
  Tenant tenant(FakeOptions{});
  RC_ASSERT(tenant.ApplyScenario(scenario).ok());
  for (int kind : requests) {
    api::Request request;
    request.target = std::string("/v1/") + kJob;
    request.method = "GET";
    if (kind == 1) {
      request.method = "POST";
      request.target += ":cancel";
    } else if (kind == 2) {
      request.target = "/v1/projects/123456789012/locations/us-central1/nasJobs";
    }
    tenant.Handle(request);
  }
  std::vector<std::string> seen;
  for (const auto& e : tenant.journal().Entries()) {
    seen.push_back(e.method + " " + e.target + " " + e.rule + " " + e.action + " " +
                   std::to_string(e.status) + " " + e.response_body);
  }
  return seen;
}

RC_GTEST_PROP(FaultScheduleProperty, SameSeedGivesTheSameJournal, ()) {
  auto seed = *rc::gen::arbitrary<uint32_t>();
  double rate = *rc::gen::inRange(0, 101) / 100.0;
  auto requests = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 3));
  auto scenario = FaultyScenario(seed, rate);
  RC_ASSERT(JournalOf(scenario, requests) == JournalOf(scenario, requests));
}

TEST(FaultScheduleTest, DifferentSeedsGiveDifferentSchedules) {
  std::vector<int> gets(200, 0);
  auto a = JournalOf(FaultyScenario(1, 0.5), gets);
  auto b = JournalOf(FaultyScenario(2, 0.5), gets);
  EXPECT_NE(a, b);
  size_t faults = 0;
  for (const auto& line : a) faults += line.find("random-fault") != std::string::npos;
  EXPECT_GT(faults, 60u);
  EXPECT_LT(faults, 140u);
}

}  // namespace
}  // namespace nasfake
