// Every named scenario of scenarios/library, driven by a real HTTP client over
// loopback, asserting the exact sequence of answers. No sleeps: scenarios that
// move jobs do it by reads (cancellingPolls) or the virtual clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <set>

#include "fake/journal/matchers.h"
#include "fake/testing/status_matchers.h"
#include "scenarios/scenario_json.h"
#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::journal::HasAction;
using ::nasfake::journal::HasOperation;
using ::nasfake::journal::HasStatus;
using ::nasfake::testing::IsApiError;
using ::nasfake::testing::IsOk;
using ::nasfake::testing::Reply;
using ::nasfake::testing::TestClient;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kJob[] =
    "/v1/projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";
constexpr char kJobs[] = "/v1/projects/123456789012/locations/us-central1/nasJobs";

class ScenarioLibraryTest : public ::testing::Test {
 protected:
  void Load(const std::string& name, FakeServerOptions options = {}) {
    auto scenario = scenarios::LoadScenarioFile(std::string(NASFAKE_SOURCE_DIR) +
                                                "/scenarios/library/" + name + ".json");
    ASSERT_THAT(scenario, IsOk());
    EXPECT_FALSE(scenario->description.empty());
    server_ = testing::StartFakeServer(std::move(options));
    ASSERT_NE(server_, nullptr);
    ASSERT_THAT(server_->LoadScenario(*scenario), IsOk());
    client_ = std::make_unique<TestClient>(*server_);
  }
  std::string State(const Reply& reply) { return reply.json().value("state", "<none>"); }
  std::string GetState() { return State(client_->Get(kJob)); }

  std::unique_ptr<FakeServer> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(ScenarioLibraryTest, CancelSucceeds) {
  Load("cancel-succeeds");
  EXPECT_EQ(GetState(), "JOB_STATE_RUNNING");
  Reply cancel = client_->Post(std::string(kJob) + ":cancel", "", "");
  EXPECT_EQ(cancel.status, 200);
  EXPECT_EQ(cancel.body, "{}");
  EXPECT_EQ(GetState(), "JOB_STATE_CANCELLING");
  EXPECT_EQ(GetState(), "JOB_STATE_CANCELLING");
  json job = client_->Get(kJob).json();
  EXPECT_EQ(job["state"], "JOB_STATE_CANCELLED");
  EXPECT_EQ(job["error"], (json{{"code", 1}, {"message", "CANCELED"}}));
  EXPECT_TRUE(job.contains("endTime"));
}

TEST_F(ScenarioLibraryTest, JobFinishesFirst) {
  Load("job-finishes-first");
  EXPECT_EQ(client_->Post(std::string(kJob) + ":cancel", "{}").body, "{}");
  EXPECT_EQ(GetState(), "JOB_STATE_RUNNING");
  json job = client_->Get(kJob).json();
  EXPECT_EQ(job["state"], "JOB_STATE_SUCCEEDED");
  EXPECT_FALSE(job.contains("error"));
  EXPECT_THAT(client_->Post(std::string(kJob) + ":cancel", ""),
              IsApiError(400, "FAILED_PRECONDITION", HasSubstr("JOB_STATE_SUCCEEDED")));
}

TEST_F(ScenarioLibraryTest, NotFound) {
  Load("not-found");
  EXPECT_THAT(client_->Get(kJob), IsApiError(404, "NOT_FOUND", "The NasJob does not exist."));
  EXPECT_THAT(client_->Post(std::string(kJob) + ":cancel", ""),
              IsApiError(404, "NOT_FOUND", "The NasJob does not exist."));
  EXPECT_THAT(client_->Delete(kJob), IsApiError(404, "NOT_FOUND", "The NasJob does not exist."));
}

TEST_F(ScenarioLibraryTest, NonEmptyBodyRejected) {
  Load("non-empty-body-rejected");
  EXPECT_THAT(client_->Post(std::string(kJob) + ":cancel", "{\"force\":true}"),
              IsApiError(400, "INVALID_ARGUMENT",
                         "Invalid JSON payload received. Unknown name \"force\": Cannot find "
                         "field."));
  EXPECT_EQ(GetState(), "JOB_STATE_RUNNING");
  EXPECT_EQ(client_->Post(std::string(kJob) + ":cancel", "{}").status, 200);
  EXPECT_EQ(GetState(), "JOB_STATE_CANCELLING");
}

TEST_F(ScenarioLibraryTest, AlreadyTerminal) {
  Load("already-terminal");
  EXPECT_THAT(client_->Post(std::string(kJob) + ":cancel", ""),
              IsApiError(400, "FAILED_PRECONDITION",
                         "The NasJob \"" + std::string(kJob).substr(4) +
                             "\" is in state JOB_STATE_SUCCEEDED and cannot be canceled."));
  EXPECT_EQ(GetState(), "JOB_STATE_SUCCEEDED");
}

TEST_F(ScenarioLibraryTest, SlowCancellation) {
  Load("slow-cancellation");
  ASSERT_EQ(client_->Post(std::string(kJob) + ":cancel", "").status, 200);
  for (int read = 1; read <= 10; ++read) EXPECT_EQ(GetState(), "JOB_STATE_CANCELLING") << read;
  EXPECT_EQ(GetState(), "JOB_STATE_CANCELLED");
  // Time alone does not end it: only reads do.
}

TEST_F(ScenarioLibraryTest, CancelWhileQueued) {
  Load("cancel-while-queued");
  server_->clock()->Advance(std::chrono::hours(1));
  EXPECT_EQ(GetState(), "JOB_STATE_QUEUED") << "a queued job with queuedFor null never starts";
  ASSERT_EQ(client_->Post(std::string(kJob) + ":cancel", "").status, 200);
  EXPECT_EQ(GetState(), "JOB_STATE_CANCELLING");
  json job = client_->Get(kJob).json();
  EXPECT_EQ(job["state"], "JOB_STATE_CANCELLED");
  EXPECT_FALSE(job.contains("startTime"));
}

TEST_F(ScenarioLibraryTest, TransientUnavailable) {
  Load("transient-unavailable");
  EXPECT_THAT(client_->Get(kJob), IsApiError(503, "UNAVAILABLE", ::testing::_));
  EXPECT_EQ(GetState(), "JOB_STATE_RUNNING");
  EXPECT_THAT(server_->journal().Entries(),
              ElementsAre(AllOf(HasOperation("nasJobs.get"), HasStatus(503), HasAction("answer")),
                          AllOf(HasOperation("nasJobs.get"), HasStatus(200), HasAction("pass"))));
}

TEST_F(ScenarioLibraryTest, RateLimited) {
  Load("rate-limited");
  Reply limited = client_->Get(kJob);
  EXPECT_THAT(limited, IsApiError(429, "RESOURCE_EXHAUSTED", ::testing::_));
  EXPECT_EQ(limited.Header("retry-after"), "2");
  json details = limited.json()["error"]["details"];
  ASSERT_EQ(details.size(), 1u);
  EXPECT_EQ(details[0]["@type"], "type.googleapis.com/google.rpc.RetryInfo");
  EXPECT_EQ(details[0]["retryDelay"], "2s");
  EXPECT_EQ(GetState(), "JOB_STATE_RUNNING");
}

TEST_F(ScenarioLibraryTest, PermissionDenied) {
  Load("permission-denied");
  for (int i = 0; i < 3; ++i) {
    Reply reply = client_->Get(kJob);
    EXPECT_THAT(reply, IsApiError(403, "PERMISSION_DENIED", HasSubstr("denied on resource")));
    EXPECT_EQ(reply.json()["error"]["details"][0]["reason"], "IAM_PERMISSION_DENIED");
  }
  EXPECT_THAT(client_->Post(std::string(kJob) + ":cancel", ""),
              IsApiError(403, "PERMISSION_DENIED", ::testing::_));
}

TEST_F(ScenarioLibraryTest, Unauthenticated) {
  Load("unauthenticated");
  EXPECT_THAT(client_->Get(kJob),
              IsApiError(401, "UNAUTHENTICATED", HasSubstr("invalid authentication credentials")));
  EXPECT_THAT(client_->Get(kJobs), IsApiError(401, "UNAUTHENTICATED", ::testing::_));
}

TEST_F(ScenarioLibraryTest, ConnectionResetOnGet) {
  Load("connection-reset-on-get");
  Reply reset = client_->Get(kJob);
  EXPECT_EQ(reset.status, 0) << "the client's read fails: " << reset.body;
  EXPECT_FALSE(reset.error.empty());
  TestClient fresh(*server_);
  EXPECT_EQ(State(fresh.Get(kJob)), "JOB_STATE_RUNNING");
  EXPECT_THAT(server_->journal().Entries(),
              ElementsAre(AllOf(HasAction("fault:reset"), HasStatus(0)), HasAction("pass")));
}

TEST_F(ScenarioLibraryTest, StalledResponse) {
  Load("stalled-response");
  // The client's own deadline fires; the server answers nothing.
  auto started = std::chrono::steady_clock::now();
  httplib::Client client("127.0.0.1", server_->port());
  client.set_read_timeout(std::chrono::milliseconds(300));
  auto result = client.Get(std::string(kJob));
  EXPECT_FALSE(result);
  EXPECT_EQ(result.error(), httplib::Error::Read);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  // Stop ends the stall at once.
  server_->Stop();
}

TEST_F(ScenarioLibraryTest, MalformedResponse) {
  Load("malformed-response");
  Reply bad = client_->Get(kJob);
  EXPECT_EQ(bad.status, 200);
  EXPECT_TRUE(bad.json().is_discarded()) << bad.body;
  EXPECT_EQ(GetState(), "JOB_STATE_RUNNING");
}

TEST_F(ScenarioLibraryTest, HtmlErrorPage) {
  Load("html-error-page");
  Reply page = client_->Get(kJob);
  EXPECT_EQ(page.status, 502);
  EXPECT_THAT(page.Header("content-type"), HasSubstr("text/html"));
  EXPECT_THAT(page.body, HasSubstr("<title>Error 502 (Server Error)!!1</title>"));
  EXPECT_EQ(GetState(), "JOB_STATE_RUNNING");
}

TEST_F(ScenarioLibraryTest, DeleteOperationSlow) {
  Load("delete-operation-slow");
  json op = client_->Delete(kJob).json();
  EXPECT_FALSE(op.contains("done"));
  std::string name = op["name"];
  EXPECT_FALSE(client_->Get("/v1/" + name).json().contains("done"));
  EXPECT_EQ(GetState(), "JOB_STATE_SUCCEEDED") << "the job exists until the operation is done";
  EXPECT_FALSE(client_->Get("/ui/" + name + "?").json().contains("done"));
  json done = client_->Get("/v1/" + name).json();
  EXPECT_EQ(done["done"], true);
  EXPECT_EQ(done["response"]["@type"], "type.googleapis.com/google.protobuf.Empty");
  EXPECT_THAT(client_->Get(kJob), IsApiError(404, "NOT_FOUND", ::testing::_));
}

TEST_F(ScenarioLibraryTest, ListManyPages) {
  Load("list-many-pages");
  std::set<std::string> names;
  std::string token;
  int pages = 0;
  do {
    json page = client_
                    ->Get(std::string(kJobs) + "?pageSize=50" +
                          (token.empty() ? "" : "&pageToken=" + token))
                    .json();
    ASSERT_LE(page["nasJobs"].size(), 3u);
    for (const auto& job : page["nasJobs"]) EXPECT_TRUE(names.insert(job["name"]).second);
    token = page.value("nextPageToken", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(names.size(), 10u);
}

}  // namespace
}  // namespace nasfake
