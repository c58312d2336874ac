// The reference NasJobs client (conformance/clients/reference) against an
// in-process FakeServer over loopback: every operation's happy path, and the
// library scenarios, asserting both what the client reports and what it sent
// (the fake's request journal). Timing assertions read the journal's real
// arrival times; only the client's own backoff sleeps (the rate-limited case
// takes ~2 s, the slow cancellation ~1.6 s).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "conformance/clients/reference/nas_jobs_client.h"
#include "fake/journal/matchers.h"
#include "fake/testing/status_matchers.h"
#include "scenarios/scenario_json.h"
#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::journal::ContainsExactlyOnce;
using ::nasfake::journal::CountIs;
using ::nasfake::journal::Entry;
using ::nasfake::journal::HasBody;
using ::nasfake::journal::HasHeader;
using ::nasfake::journal::HasOperation;
using ::nasfake::journal::HasResponseBody;
using ::nasfake::journal::HasTarget;
using ::nasfake::journal::IsRequest;
using ::nasfake::journal::NoRequestsAfter;
using ::nasfake::reference::EncodePath;
using ::nasfake::reference::EncodeQueryValue;
using ::nasfake::reference::NasJobsClient;
using ::nasfake::reference::StatusNameForHttp;
using ::nasfake::testing::IsOk;
using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::_;
using ::testing::AllOf;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kToken[] = "reference-test-token";
constexpr char kParent[] = "projects/123456789012/locations/us-central1";
constexpr char kJob[] = "projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";
constexpr char kJobPath[] =
    "/v1/projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";

// Milliseconds between the arrivals of two journal entries.
double GapMs(const Entry& earlier, const Entry& later) {
  return std::chrono::duration<double, std::milli>(later.real_time - earlier.real_time).count();
}

std::vector<Entry> Only(const std::vector<Entry>& entries, const std::string& operation) {
  std::vector<Entry> out;
  for (const Entry& e : entries) {
    if (e.operation == operation) out.push_back(e);
  }
  return out;
}

class ReferenceClientTest : public ::testing::Test {
 protected:
  // Starts a fake with scenarios/library/<name>.json applied, `extra_rules`
  // (a JSON array of scenario rules) tried before the file's own.
  void Load(const std::string& name, json extra_rules = json::array()) {
    json document = testing::ReadJsonFixture("scenarios/library/" + name + ".json");
    json rules = std::move(extra_rules);
    for (const json& rule : document.value("rules", json::array())) rules.push_back(rule);
    if (!rules.empty()) document["rules"] = rules;
    auto scenario = scenarios::ScenarioFromJson(document, name);
    ASSERT_THAT(scenario, IsOk());
    ASSERT_NO_FATAL_FAILURE(Start());
    ASSERT_THAT(server_->LoadScenario(*scenario), IsOk());
  }
  void Start() {
    server_ = testing::StartFakeServer();
    ASSERT_NE(server_, nullptr);
  }
  NasJobsClient Client(milliseconds deadline = milliseconds(10000)) {
    NasJobsClient::Options options;
    options.endpoint = server_->endpoint();
    options.token = kToken;
    options.deadline = deadline;
    return NasJobsClient(std::move(options));
  }
  std::vector<Entry> Entries() { return server_->journal().Entries(); }

  std::unique_ptr<FakeServer> server_;
};

// A matcher for the wire rules every request follows.
::testing::Matcher<const Entry&> Authorized() {
  return HasHeader("Authorization", std::string("Bearer ") + kToken);
}
::testing::Matcher<const Entry&> BodilessWithoutContentType() {
  return AllOf(HasBody(IsEmpty()), Not(HasHeader("Content-Type", _)));
}

// ---- Encoding and mapping (no server) ----

TEST(ReferenceEncodingTest, EncodesEachPathSegmentAndKeepsSeparators) {
  EXPECT_EQ(EncodePath(kJob), kJob);
  EXPECT_EQ(EncodePath("projects/my project/locations/us-central1"),
            "projects/my%20project/locations/us-central1");
  EXPECT_EQ(EncodePath("projects/a%2Fb/x?y#z:w"), "projects/a%252Fb/x%3Fy%23z%3Aw");
  EXPECT_EQ(EncodePath("projects/ü"), "projects/%C3%BC");
}

TEST(ReferenceEncodingTest, QueryValuesUsePercent20ForSpaces) {
  EXPECT_EQ(EncodeQueryValue("state=\"JOB_STATE_RUNNING\" AND display_name:\"a b\""),
            "state%3D%22JOB_STATE_RUNNING%22%20AND%20display_name%3A%22a%20b%22");
  EXPECT_EQ(EncodeQueryValue("a+b&c=d"), "a%2Bb%26c%3Dd");
}

TEST(ReferenceEncodingTest, HttpStatusMapsAsGaxDoes) {
  EXPECT_EQ(StatusNameForHttp(400), "INVALID_ARGUMENT");
  EXPECT_EQ(StatusNameForHttp(401), "UNAUTHENTICATED");
  EXPECT_EQ(StatusNameForHttp(403), "PERMISSION_DENIED");
  EXPECT_EQ(StatusNameForHttp(404), "NOT_FOUND");
  EXPECT_EQ(StatusNameForHttp(409), "ABORTED");
  EXPECT_EQ(StatusNameForHttp(412), "FAILED_PRECONDITION");
  EXPECT_EQ(StatusNameForHttp(429), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(StatusNameForHttp(499), "CANCELLED");
  EXPECT_EQ(StatusNameForHttp(500), "INTERNAL");
  EXPECT_EQ(StatusNameForHttp(501), "UNIMPLEMENTED");
  EXPECT_EQ(StatusNameForHttp(502), "INTERNAL");
  EXPECT_EQ(StatusNameForHttp(503), "UNAVAILABLE");
  EXPECT_EQ(StatusNameForHttp(504), "DEADLINE_EXCEEDED");
}

// ---- Happy paths ----

TEST_F(ReferenceClientTest, GetReturnsTheJobWithOneBodilessAuthorizedRequest) {
  ASSERT_NO_FATAL_FAILURE(Load("cancel-succeeds"));
  auto job = Client().Get(kJob);
  ASSERT_TRUE(job) << job.error().status << ": " << job.error().message;
  EXPECT_EQ((*job)["name"], kJob);
  EXPECT_EQ((*job)["state"], "JOB_STATE_RUNNING");
  EXPECT_THAT(Entries(), ElementsAre(AllOf(IsRequest("GET", kJobPath), Authorized(),
                                           BodilessWithoutContentType(),
                                           Not(HasHeader("Accept-Encoding", HasSubstr("gzip"))))));
}

TEST_F(ReferenceClientTest, CancelSendsBraceBodyOnce) {
  ASSERT_NO_FATAL_FAILURE(Load("cancel-succeeds"));
  auto answer = Client().Cancel(kJob);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(*answer, json::object());
  EXPECT_THAT(Entries(),
              ElementsAre(AllOf(IsRequest("POST", std::string(kJobPath) + ":cancel"), Authorized(),
                                HasBody("{}"), HasHeader("Content-Type", "application/json"))));
}

TEST_F(ReferenceClientTest, CreateGetListDeleteRoundTrip) {
  ASSERT_NO_FATAL_FAILURE(Start());
  NasJobsClient client = Client();
  json spec = testing::ReadJsonFixture("fixtures/reference/nasjob-create-request.json");
  auto created = client.Create(kParent, spec);
  ASSERT_TRUE(created) << created.error().status << ": " << created.error().message;
  const std::string name = (*created)["name"];
  EXPECT_THAT(name, StartsWith(std::string(kParent) + "/nasJobs/"));
  EXPECT_EQ((*created)["displayName"], spec["displayName"]);

  auto got = client.Get(name);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ((*got)["name"], name);

  auto listed = client.List(kParent);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_THAT(*listed, SizeIs(1));
  EXPECT_EQ((*listed)[0]["name"], name);

  auto deleted = client.Delete(name);
  ASSERT_TRUE(deleted) << deleted.error().status << ": " << deleted.error().message;
  EXPECT_EQ((*deleted)["done"], true);
  EXPECT_EQ((*deleted)["response"]["@type"], "type.googleapis.com/google.protobuf.Empty");

  auto gone = client.Get(name);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().status, "NOT_FOUND");

  const auto entries = Entries();
  EXPECT_THAT(entries, Each(Authorized()));
  EXPECT_THAT(
      entries,
      ElementsAre(AllOf(IsRequest("POST", std::string("/v1/") + kParent + "/nasJobs"),
                        HasHeader("Content-Type", "application/json"),
                        HasBody(HasSubstr("mnasnet-search-20240518"))),
                  AllOf(IsRequest("GET", "/v1/" + name), BodilessWithoutContentType()),
                  AllOf(IsRequest("GET", std::string("/v1/") + kParent + "/nasJobs?pageSize=100"),
                        BodilessWithoutContentType()),
                  AllOf(IsRequest("DELETE", "/v1/" + name), BodilessWithoutContentType()),
                  IsRequest("GET", "/v1/" + name)));
}

TEST_F(ReferenceClientTest, ListFollowsEveryPageToken) {
  ASSERT_NO_FATAL_FAILURE(Load("list-many-pages"));
  auto jobs = Client().List(kParent);
  ASSERT_TRUE(jobs) << jobs.error().message;
  std::set<std::string> names;
  for (const json& job : *jobs) names.insert(job["name"].get<std::string>());
  EXPECT_EQ(jobs->size(), 10u);
  EXPECT_EQ(names.size(), 10u);
  const auto entries = Entries();
  EXPECT_THAT(entries, SizeIs(4));
  EXPECT_THAT(entries, Each(AllOf(HasOperation("nasJobs.list"), BodilessWithoutContentType(),
                                  HasTarget(HasSubstr("?pageSize=100")))));
  EXPECT_THAT(entries[0].target, Not(HasSubstr("pageToken")));
  for (size_t i = 1; i < entries.size(); ++i) {
    EXPECT_THAT(entries[i].target, HasSubstr("&pageToken=")) << i;
  }
}

TEST_F(ReferenceClientTest, ListSendsTheFilterPercentEncoded) {
  ASSERT_NO_FATAL_FAILURE(Load("list-many-pages"));
  auto jobs =
      Client().List(kParent, "state=\"JOB_STATE_SUCCEEDED\" AND labels.search_space=\"mnasnet\"");
  ASSERT_TRUE(jobs) << jobs.error().message;
  EXPECT_EQ(jobs->size(), 5u);
  for (const json& job : *jobs) EXPECT_EQ(job["state"], "JOB_STATE_SUCCEEDED");
  EXPECT_THAT(Entries(), Each(HasTarget(HasSubstr(
                             "&filter=state%3D%22JOB_STATE_SUCCEEDED%22%20AND%20labels.search_space"
                             "%3D%22mnasnet%22"))));
}

TEST_F(ReferenceClientTest, NamesAreEncodedPerSegment) {
  ASSERT_NO_FATAL_FAILURE(Start());
  auto job = Client().Get("projects/my project/locations/us-central1/nasJobs/1");
  ASSERT_FALSE(job);
  EXPECT_THAT(Entries(), ElementsAre(IsRequest(
                             "GET", "/v1/projects/my%20project/locations/us-central1/nasJobs/1")));
}

// ---- CancelAndWait ----

TEST_F(ReferenceClientTest, CancelAndWaitEndsCancelledAndStopsPolling) {
  ASSERT_NO_FATAL_FAILURE(Load("cancel-succeeds"));
  auto job = Client().CancelAndWait(kJob);
  ASSERT_TRUE(job) << job.error().status << ": " << job.error().message;
  EXPECT_EQ((*job)["state"], "JOB_STATE_CANCELLED");
  EXPECT_EQ((*job)["error"]["code"], 1);
  const auto entries = Entries();
  EXPECT_THAT(entries, ContainsExactlyOnce(AllOf(HasOperation("nasJobs.cancel"), HasBody("{}"))));
  EXPECT_THAT(entries, CountIs(HasOperation("nasJobs.cancel"), 1u));
  EXPECT_THAT(entries, NoRequestsAfter(AllOf(HasOperation("nasJobs.get"),
                                             HasResponseBody(HasSubstr("JOB_STATE_CANCELLED")))));
  EXPECT_THAT(entries, SizeIs(4)) << "cancel, CANCELLING, CANCELLING, CANCELLED";
  EXPECT_EQ(entries[0].operation, "nasJobs.cancel");
}

TEST_F(ReferenceClientTest, CancelAndWaitReportsSucceededWhenTheJobFinishesFirst) {
  ASSERT_NO_FATAL_FAILURE(Load("job-finishes-first"));
  auto job = Client().CancelAndWait(kJob);
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ((*job)["state"], "JOB_STATE_SUCCEEDED");
  EXPECT_FALSE(job->contains("error"));
  const auto entries = Entries();
  EXPECT_THAT(entries, CountIs(HasOperation("nasJobs.cancel"), 1u));
  EXPECT_THAT(entries, NoRequestsAfter(AllOf(HasOperation("nasJobs.get"),
                                             HasResponseBody(HasSubstr("JOB_STATE_SUCCEEDED")))));
}

TEST_F(ReferenceClientTest, CancelAndWaitPollsASlowCancellationWithGrowingGaps) {
  ASSERT_NO_FATAL_FAILURE(Load("slow-cancellation"));
  auto job = Client().CancelAndWait(kJob);
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ((*job)["state"], "JOB_STATE_CANCELLED");
  const auto entries = Entries();
  EXPECT_THAT(entries, CountIs(HasOperation("nasJobs.cancel"), 1u));
  const auto gets = Only(entries, "nasJobs.get");
  ASSERT_GE(gets.size(), 11u);
  EXPECT_THAT(entries, NoRequestsAfter(AllOf(HasOperation("nasJobs.get"),
                                             HasResponseBody(HasSubstr("JOB_STATE_CANCELLED")))));
  // Poll k is sent delay_k (20 ms ×1.5, capped at 250 ms) after the previous
  // answer, so the server sees gaps >= delay_k; beyond that only scheduling
  // noise, so the gaps never shrink by more than that noise.
  double delay = 20, previous_gap = 0;
  for (size_t i = 0; i < entries.size() - 1; ++i) {
    const double gap = GapMs(entries[i], entries[i + 1]);
    EXPECT_GE(gap, delay - 1) << "gap " << i;
    EXPECT_GE(gap, previous_gap - 25) << "gap " << i << " shrank";
    previous_gap = gap;
    delay = std::min(delay * 1.5, 250.0);
  }
}

TEST_F(ReferenceClientTest, CancelAndWaitSurfacesNotFoundAfterOneRequest) {
  ASSERT_NO_FATAL_FAILURE(Load("not-found"));
  auto job = Client().CancelAndWait(kJob);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "NOT_FOUND");
  EXPECT_EQ(job.error().message, "The NasJob does not exist.");
  EXPECT_THAT(Entries(), ElementsAre(HasOperation("nasJobs.cancel")));
}

TEST_F(ReferenceClientTest, GetSurfacesNotFoundWithoutRetrying) {
  ASSERT_NO_FATAL_FAILURE(Load("not-found"));
  auto job = Client().Get(kJob);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "NOT_FOUND");
  EXPECT_THAT(Entries(), SizeIs(1));
}

TEST_F(ReferenceClientTest, CancelAndWaitSurfacesFailedPreconditionForATerminalJob) {
  ASSERT_NO_FATAL_FAILURE(Load("already-terminal"));
  auto job = Client().CancelAndWait(kJob);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "FAILED_PRECONDITION");
  EXPECT_THAT(job.error().message, HasSubstr("JOB_STATE_SUCCEEDED"));
  EXPECT_THAT(Entries(), ElementsAre(AllOf(HasOperation("nasJobs.cancel"), HasBody("{}"))));
}

TEST_F(ReferenceClientTest, CancelAndWaitGivesUpAtTheDeadline) {
  ASSERT_NO_FATAL_FAILURE(Load("slow-cancellation"));
  const auto started = std::chrono::steady_clock::now();
  auto job = Client(milliseconds(200)).CancelAndWait(kJob);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "DEADLINE_EXCEEDED");
  EXPECT_GE(elapsed, milliseconds(195));
  EXPECT_LT(elapsed, milliseconds(600));
  EXPECT_THAT(Entries(), CountIs(HasOperation("nasJobs.cancel"), 1u));
}

TEST_F(ReferenceClientTest, CancelAndWaitReadsIntegerStates) {
  json rules = json::array({{{"id", "int-state"},
                             {"match", {{"operation", "nasJobs.get"}}},
                             {"action",
                              {{"answer",
                                {{"status", 200},
                                 {"json",
                                  {{"name", kJob},
                                   {"state", 7},
                                   {"error", {{"code", 1}, {"message", "CANCELED"}}},
                                   {"someFutureField", {{"x", 1}}}}}}}}}}});
  ASSERT_NO_FATAL_FAILURE(Load("cancel-succeeds", rules));
  auto job = Client().CancelAndWait(kJob);
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ((*job)["state"], "JOB_STATE_CANCELLED");
  EXPECT_EQ((*job)["someFutureField"]["x"], 1) << "unknown fields are kept";
  EXPECT_THAT(Entries(), SizeIs(2));
}

// ---- Retries ----

TEST_F(ReferenceClientTest, GetRetriesATransientUnavailable) {
  ASSERT_NO_FATAL_FAILURE(Load("transient-unavailable"));
  auto job = Client().Get(kJob);
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ((*job)["state"], "JOB_STATE_RUNNING");
  const auto entries = Entries();
  ASSERT_THAT(entries, SizeIs(2));
  EXPECT_EQ(entries[0].status, 503);
  EXPECT_EQ(entries[1].status, 200);
  EXPECT_GE(GapMs(entries[0], entries[1]), 49.0) << "initial backoff 50 ms";
}

TEST_F(ReferenceClientTest, GetRetriesAfterAConnectionReset) {
  ASSERT_NO_FATAL_FAILURE(Load("connection-reset-on-get"));
  auto job = Client().Get(kJob);
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ((*job)["state"], "JOB_STATE_RUNNING");
  const auto entries = Entries();
  ASSERT_THAT(entries, SizeIs(2));
  EXPECT_EQ(entries[0].action, "fault:reset");
  EXPECT_EQ(entries[1].action, "pass");
}

TEST_F(ReferenceClientTest, RateLimitedGetWaitsTheRetryInfoDelay) {
  ASSERT_NO_FATAL_FAILURE(Load("rate-limited"));
  auto job = Client().Get(kJob);
  ASSERT_TRUE(job) << job.error().message;
  const auto entries = Entries();
  ASSERT_THAT(entries, SizeIs(2));
  EXPECT_EQ(entries[0].status, 429);
  EXPECT_GE(GapMs(entries[0], entries[1]), 2000.0) << "RetryInfo.retryDelay is 2s";
}

TEST_F(ReferenceClientTest, RateLimitedGetGivesUpWhenTheDelayOutlastsTheDeadline) {
  ASSERT_NO_FATAL_FAILURE(Load("rate-limited"));
  const auto started = std::chrono::steady_clock::now();
  auto job = Client(milliseconds(500)).Get(kJob);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "RESOURCE_EXHAUSTED");
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(400));
  EXPECT_THAT(Entries(), SizeIs(1));
}

TEST_F(ReferenceClientTest, HtmlErrorPageIsRetriedNotParsed) {
  ASSERT_NO_FATAL_FAILURE(Load("html-error-page"));
  auto job = Client().Get(kJob);
  ASSERT_TRUE(job) << job.error().message;
  const auto entries = Entries();
  ASSERT_THAT(entries, SizeIs(2));
  EXPECT_EQ(entries[0].status, 502);
  EXPECT_GE(GapMs(entries[0], entries[1]), 49.0);
}

TEST_F(ReferenceClientTest, PersistentUnavailableStopsAfterMaxAttempts) {
  ASSERT_NO_FATAL_FAILURE(
      Load("transient-unavailable", json::array({{{"id", "always-503"},
                                                  {"match", {{"operation", "nasJobs.get"}}},
                                                  {"action", {{"error", "UNAVAILABLE"}}}}})));
  auto job = Client().Get(kJob);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "UNAVAILABLE");
  const auto entries = Entries();
  ASSERT_THAT(entries, SizeIs(5));
  const double backoffs[] = {50, 75, 112.5, 168.75};
  for (size_t i = 0; i < 4; ++i) EXPECT_GE(GapMs(entries[i], entries[i + 1]), backoffs[i] - 1) << i;
}

TEST_F(ReferenceClientTest, CancelIsNeverRetried) {
  ASSERT_NO_FATAL_FAILURE(
      Load("cancel-succeeds", json::array({{{"id", "cancel-503"},
                                            {"match", {{"operation", "nasJobs.cancel"}}},
                                            {"action", {{"error", "UNAVAILABLE"}}}}})));
  auto job = Client().CancelAndWait(kJob);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "UNAVAILABLE");
  EXPECT_THAT(Entries(), ElementsAre(HasOperation("nasJobs.cancel")));
}

// ---- Errors that are surfaced as they are ----

TEST_F(ReferenceClientTest, PermissionDeniedIsSurfacedWithoutRetry) {
  ASSERT_NO_FATAL_FAILURE(Load("permission-denied"));
  auto job = Client().Get(kJob);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "PERMISSION_DENIED");
  EXPECT_THAT(Entries(), SizeIs(1));
}

TEST_F(ReferenceClientTest, UnauthenticatedIsSurfacedWithoutRetry) {
  ASSERT_NO_FATAL_FAILURE(Load("unauthenticated"));
  auto jobs = Client().List(kParent);
  ASSERT_FALSE(jobs);
  EXPECT_EQ(jobs.error().status, "UNAUTHENTICATED");
  EXPECT_THAT(Entries(), ElementsAre(HasOperation("nasJobs.list")));
}

TEST_F(ReferenceClientTest, MalformedSuccessIsUnknownAndNotRetried) {
  ASSERT_NO_FATAL_FAILURE(Load("malformed-response"));
  auto job = Client().Get(kJob);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "UNKNOWN");
  EXPECT_THAT(Entries(), SizeIs(1));
}

// ---- Deadlines ----

TEST_F(ReferenceClientTest, StalledResponseEndsAtTheDeadline) {
  ASSERT_NO_FATAL_FAILURE(Load("stalled-response"));
  const auto started = std::chrono::steady_clock::now();
  auto job = Client(milliseconds(300)).Get(kJob);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "DEADLINE_EXCEEDED");
  EXPECT_GE(elapsed, milliseconds(295));
  EXPECT_LT(elapsed, milliseconds(1000));
  EXPECT_THAT(Entries(), SizeIs(1));
}

TEST_F(ReferenceClientTest, DribbledResponseIsCutAtTheDeadline) {
  // One byte every 100 ms would take minutes; each read succeeds within the
  // read timeout, so only the overall deadline stops it.
  ASSERT_NO_FATAL_FAILURE(Load(
      "cancel-succeeds",
      json::array({{{"id", "dribble"},
                    {"match", {{"operation", "nasJobs.get"}}},
                    {"action", {{"fault", "dribble"}, {"bytes", 1}, {"duration", "0.1s"}}}}})));
  const auto started = std::chrono::steady_clock::now();
  auto job = Client(milliseconds(500)).Get(kJob);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().status, "DEADLINE_EXCEEDED");
  EXPECT_LT(elapsed, milliseconds(1000));
  EXPECT_THAT(Entries(), SizeIs(1));
}

// ---- Delete ----

TEST_F(ReferenceClientTest, DeletePollsTheOperationUntilDone) {
  ASSERT_NO_FATAL_FAILURE(Load("delete-operation-slow"));
  auto operation = Client().Delete(kJob);
  ASSERT_TRUE(operation) << operation.error().status << ": " << operation.error().message;
  EXPECT_EQ((*operation)["done"], true);
  EXPECT_EQ((*operation)["response"]["@type"], "type.googleapis.com/google.protobuf.Empty");
  const auto entries = Entries();
  ASSERT_THAT(entries, SizeIs(4));
  EXPECT_THAT(entries[0], AllOf(IsRequest("DELETE", kJobPath), BodilessWithoutContentType()));
  const std::string op_path = "/v1/" + (*operation)["name"].get<std::string>();
  for (size_t i = 1; i < entries.size(); ++i) {
    EXPECT_THAT(entries[i],
                AllOf(IsRequest("GET", op_path), BodilessWithoutContentType(), Authorized()))
        << i;
  }
  EXPECT_GE(GapMs(entries[1], entries[2]), GapMs(entries[0], entries[1]) - 25);
}

TEST_F(ReferenceClientTest, DeleteOperationErrorIsReported) {
  const std::string op = std::string(kParent) + "/operations/1234567890123456789";
  json rules = json::array({{{"id", "op-not-done"},
                             {"match", {{"operation", "nasJobs.delete"}}},
                             {"action", {{"answer", {{"status", 200}, {"json", {{"name", op}}}}}}}},
                            {{"id", "op-error"},
                             {"match", {{"operation", "operations.get"}}},
                             {"action",
                              {{"answer",
                                {{"status", 200},
                                 {"json",
                                  {{"name", op},
                                   {"done", true},
                                   {"error", {{"code", 9}, {"message", "in use"}}}}}}}}}}});
  ASSERT_NO_FATAL_FAILURE(Load("delete-operation-slow", rules));
  auto operation = Client().Delete(kJob);
  ASSERT_FALSE(operation);
  EXPECT_EQ(operation.error().status, "FAILED_PRECONDITION");
  EXPECT_EQ(operation.error().message, "in use");
  EXPECT_THAT(Entries(),
              ElementsAre(HasOperation("nasJobs.delete"), IsRequest("GET", "/v1/" + op)));
}

}  // namespace
}  // namespace nasfake
