// The toy client's own tests, against nasfake embedded in the test process:
// a named scenario from the installed library, the seed jobs, the virtual
// clock, and the request journal checked with nasfake's gmock matchers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "fake/journal/matchers.h"
#include "fake/server/fake_server.h"
#include "fake/testing/status_matchers.h"
#include "fake/version.h"
#include "scenarios/scenario_json.h"
#include "toy_nasjobs_client.h"

namespace {

using nasfake::journal::ContainsExactlyOnce;
using nasfake::journal::CountIs;
using nasfake::journal::HasBody;
using nasfake::journal::HasHeader;
using nasfake::journal::HasOperation;
using nasfake::journal::HasResponseBody;
using nasfake::journal::IsRequest;
using nasfake::journal::NoRequestsAfter;
using ::nasfake::testing::IsOk;
using ::testing::AllOf;
using ::testing::Each;
using ::testing::EndsWith;
using ::testing::HasSubstr;

constexpr char kJob[] = "projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";
constexpr char kParent[] = "projects/123456789012/locations/us-central1";
// Installed with nasfake: ${nasfake_DATA_DIR} from find_package(nasfake).
const std::string kDataDir = NASFAKE_DATA_DIR_FROM_CMAKE;

std::unique_ptr<nasfake::FakeServer> StartWithScenario(const std::string& name) {
  auto scenario =
      nasfake::scenarios::LoadScenarioFile(kDataDir + "/scenarios/library/" + name + ".json");
  EXPECT_THAT(scenario, IsOk());
  auto server = nasfake::FakeServer::Start().value();
  EXPECT_THAT(server->LoadScenario(*scenario), IsOk());
  return server;
}

TEST(ToyClientTest, BuiltAgainstTheInstalledVersion) {
  EXPECT_STREQ(nasfake::kVersion, NASFAKE_VERSION_FROM_CMAKE);
}

TEST(ToyClientTest, SlowCancellationIsAwaitedWithOneCancel) {
  auto server = StartWithScenario("slow-cancellation");  // CANCELLING for 10 reads
  toy::NasJobsClient client(server->endpoint(), "token", std::chrono::seconds(10),
                            std::chrono::milliseconds(1));
  toy::Result job = client.CancelAndWait(kJob);
  ASSERT_TRUE(job.ok()) << job.error_status << ": " << job.error_message;
  EXPECT_EQ((*job.value)["state"], "JOB_STATE_CANCELLED");
  EXPECT_EQ((*job.value)["error"]["code"], 1);

  auto entries = server->journal().Entries();
  EXPECT_THAT(entries,
              ContainsExactlyOnce(AllOf(IsRequest("POST", EndsWith(":cancel")), HasBody("{}"))));
  EXPECT_THAT(entries, CountIs(HasOperation("nasJobs.get"), size_t{11}));
  EXPECT_THAT(entries, NoRequestsAfter(AllOf(HasOperation("nasJobs.get"),
                                             HasResponseBody(HasSubstr("JOB_STATE_CANCELLED")))));
  EXPECT_THAT(entries, Each(HasHeader("authorization", "Bearer token")));
}

TEST(ToyClientTest, NotFoundIsReportedAndNotRetried) {
  auto server = StartWithScenario("not-found");
  toy::NasJobsClient client(server->endpoint(), "token");
  toy::Result job = client.Get(kJob);
  EXPECT_FALSE(job.ok());
  EXPECT_EQ(job.error_status, "NOT_FOUND");
  EXPECT_THAT(server->journal().Entries(), ContainsExactlyOnce(HasOperation("nasJobs.get")));
}

TEST(ToyClientTest, CreatedJobRunsOnTheVirtualClock) {
  auto server = nasfake::FakeServer::Start().value();
  ASSERT_THAT(server->SeedFromPath(kDataDir + "/fixtures/seed"), IsOk());
  toy::NasJobsClient client(server->endpoint(), "token");
  nlohmann::json spec = {{"displayName", "toy-search"},
                         {"nasJobSpec",
                          {{"searchSpaceSpec", "mnasnet"},
                           {"multiTrialAlgorithmSpec",
                            {{"searchTrialSpec",
                              {{"searchTrialJobSpec",
                                {{"workerPoolSpecs",
                                  {{{"machineSpec", {{"machineType", "n1-standard-4"}}},
                                    {"replicaCount", "1"},
                                    {"containerSpec", {{"imageUri", "gcr.io/p/trainer"}}}}}}}},
                               {"maxTrialCount", 2},
                               {"maxParallelTrialCount", 1}}}}}}}};
  toy::Result created = client.Create(kParent, spec);
  ASSERT_TRUE(created.ok()) << created.error_status << ": " << created.error_message;
  EXPECT_EQ((*created.value)["state"], "JOB_STATE_QUEUED");

  server->clock()->Advance(std::chrono::seconds(2));  // QUEUED → PENDING → RUNNING
  toy::Result job = client.Get((*created.value)["name"]);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ((*job.value)["state"], "JOB_STATE_RUNNING");

  toy::Result all = client.List(kParent);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all.value)["jobs"].size(), 9u);  // 8 seeded + 1 created
}

}  // namespace
