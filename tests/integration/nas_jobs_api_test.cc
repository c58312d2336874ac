// projects.locations.nasJobs and nasTrialDetails over real loopback sockets,
// compared with the reference's golden bodies where it gives them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake/testing/status_matchers.h"
#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::testing::EqualsJson;
using ::nasfake::testing::IsApiError;
using ::nasfake::testing::IsOk;
using ::nasfake::testing::ReadJsonFixture;
using ::nasfake::testing::ReadSourceFile;
using ::nasfake::testing::Reply;
using ::nasfake::testing::TestClient;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr char kParent[] = "/v1/projects/123456789012/locations/us-central1";
constexpr char kRunning[] =
    "/v1/projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";
constexpr char kSucceeded[] =
    "/v1/projects/123456789012/locations/us-central1/nasJobs/7045544066951413760";

class NasJobsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::StartFakeServer();
    ASSERT_NE(server_, nullptr);
    ASSERT_THAT(server_->SeedFromPath(std::string(NASFAKE_SOURCE_DIR) + "/fixtures/seed"), IsOk());
    client_ = std::make_unique<TestClient>(*server_);
  }
  json SeededJob(const std::string& state) {
    json job = ReadJsonFixture("fixtures/reference/nasjob-state-" + state + ".json");
    return job;
  }
  Reply Create() {
    return client_->Post(std::string(kParent) + "/nasJobs",
                         ReadSourceFile("fixtures/reference/nasjob-create-request.json"));
  }
  void Advance(std::chrono::milliseconds d) { server_->clock()->Advance(d); }

  std::unique_ptr<FakeServer> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(NasJobsApiTest, GetSeededJobReturnsTheGoldenBody) {
  Reply reply = client_->Get(kRunning);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Header("content-type"), "application/json; charset=UTF-8");
  json expected = SeededJob("running");
  expected["displayName"] = "mnasnet-running";
  EXPECT_THAT(reply.json(), EqualsJson(expected));
}

TEST_F(NasJobsApiTest, CreateReturnsAQueuedJobWithServerAssignedName) {
  Reply reply = Create();
  ASSERT_EQ(reply.status, 200) << reply.body;
  json job = reply.json();
  EXPECT_THAT(job["name"].get<std::string>(),
              MatchesRegex("projects/123456789012/locations/us-central1/nasJobs/[1-9][0-9]{18}"));
  // The create response is the request plus the output-only fields.
  json expected = ReadJsonFixture("fixtures/reference/nasjob-create-request.json");
  expected["name"] = job["name"];
  expected["state"] = "JOB_STATE_QUEUED";
  expected["createTime"] = expected["updateTime"] = "2026-01-01T00:00:00.000000Z";
  EXPECT_THAT(job, EqualsJson(expected));
}

// The deepest bodies and filters the API accepts run on a connection
// thread's bounded stack (http_transport.cc): parsed, stored, served again.
TEST_F(NasJobsApiTest, DeepestAcceptedBodyAndFilterAreServed) {
  auto create_with_depth = [&](size_t depth) {
    json nested = 1;
    for (size_t i = 0; i < depth; ++i) nested = json{{"x", std::move(nested)}};
    json body = ReadJsonFixture("fixtures/reference/nasjob-create-request.json");
    body["nasJobSpec"]["multiTrialAlgorithmSpec"]["searchTrialSpec"]["searchTrialJobSpec"]["x"] =
        nested;
    return std::make_pair(client_->Post(std::string(kParent) + "/nasJobs", body.dump()), nested);
  };
  // The body, nasJobSpec, multiTrialAlgorithmSpec, searchTrialSpec and
  // searchTrialJobSpec are 5 of the 100 levels model::kMaxJsonDepth allows.
  auto [created, nested] = create_with_depth(95);
  ASSERT_EQ(created.status, 200) << created.body.substr(0, 300);
  Reply got = client_->Get("/v1/" + created.json()["name"].get<std::string>());
  ASSERT_EQ(got.status, 200);
  EXPECT_THAT(got.json()["nasJobSpec"]["multiTrialAlgorithmSpec"]["searchTrialSpec"]
                        ["searchTrialJobSpec"]["x"],
              EqualsJson(nested));
  EXPECT_THAT(create_with_depth(96).first,
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("Message too deep")));

  const std::string filter =
      std::string(64, '(') + "state%3D%22JOB_STATE_RUNNING%22" + std::string(64, ')');
  Reply listed = client_->Get(std::string(kParent) + "/nasJobs?filter=" + filter);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json()["nasJobs"].size(), 1u) << listed.body;
}

TEST_F(NasJobsApiTest, CreateAcceptsSnakeCaseIntegerEnumsAndNulls) {
  json body = ReadJsonFixture("fixtures/reference/nasjob-create-request.json");
  json spec = body["nasJobSpec"];
  body.erase("nasJobSpec");
  spec["multiTrialAlgorithmSpec"]["multiTrialAlgorithm"] = 1;
  spec["multiTrialAlgorithmSpec"]["metric"]["goal"] = 1;
  spec["resume_nas_job_id"] = nullptr;
  body["nas_job_spec"] = spec;
  body["encryptionSpec"] = nullptr;
  Reply reply = client_->Post(std::string(kParent) + "/nasJobs", body.dump());
  ASSERT_EQ(reply.status, 200) << reply.body;
  Reply reference = Create();
  json a = reply.json(), b = reference.json();
  a.erase("name");
  b.erase("name");
  EXPECT_THAT(a, EqualsJson(b));
}

TEST_F(NasJobsApiTest, CreateRejectsUnknownFieldWithGooglesBadRequest) {
  json body = ReadJsonFixture("fixtures/reference/nasjob-create-request.json");
  body["displayNam"] = "typo";
  Reply reply = client_->Post(std::string(kParent) + "/nasJobs", body.dump());
  EXPECT_THAT(reply.json(),
              EqualsJson(ReadJsonFixture("fixtures/reference/error-400-unknown-field.json")));
}

TEST_F(NasJobsApiTest, CreateListsEveryMissingRequiredField) {
  Reply reply = client_->Post(std::string(kParent) + "/nasJobs", "{}");
  EXPECT_THAT(reply, IsApiError(400, "INVALID_ARGUMENT",
                                HasSubstr("1.Field: nas_job.display_name; Message: Required field "
                                          "is not set.")));
  EXPECT_THAT(reply.body, HasSubstr("2.Field: nas_job.nas_job_spec;"));
  json body = ReadJsonFixture("fixtures/reference/nasjob-create-request.json");
  body["nasJobSpec"]["multiTrialAlgorithmSpec"]["searchTrialSpec"].erase("maxTrialCount");
  reply = client_->Post(std::string(kParent) + "/nasJobs", body.dump());
  EXPECT_THAT(reply, IsApiError(400, "INVALID_ARGUMENT",
                                HasSubstr("nas_job.nas_job_spec.multi_trial_algorithm_spec."
                                          "search_trial_spec.max_trial_count")));
  EXPECT_EQ(server_->jobs().size(), 8u) << "a rejected create stores nothing";
}

TEST_F(NasJobsApiTest, CreateRejectsMalformedJsonAndKeepsServing) {
  Reply reply =
      client_->Post(std::string(kParent) + "/nasJobs", "{\"displayName\": \"x\" \"labels");
  EXPECT_THAT(reply, IsApiError(400, "INVALID_ARGUMENT",
                                ::testing::StartsWith("Invalid JSON payload received. ")));
  EXPECT_EQ(client_->Get(kRunning).status, 200);
}

TEST_F(NasJobsApiTest, CancelRunningJobGoesThroughCancellingToCancelled) {
  Reply created = Create();
  std::string name = "/v1/" + created.json()["name"].get<std::string>();
  Advance(std::chrono::seconds(2));
  ASSERT_EQ(client_->Get(name).json()["state"], "JOB_STATE_RUNNING");

  Reply cancel = client_->Post(name + ":cancel", "", "");  // 0-byte body, no Content-Type
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_EQ(cancel.body, "{}");
  json cancelling = client_->Get(name).json();
  EXPECT_EQ(cancelling["state"], "JOB_STATE_CANCELLING");
  EXPECT_FALSE(cancelling.contains("endTime"));
  EXPECT_FALSE(cancelling.contains("error"));

  Advance(std::chrono::seconds(1));
  json cancelled = client_->Get(name).json();
  EXPECT_EQ(cancelled["state"], "JOB_STATE_CANCELLED");
  EXPECT_EQ(cancelled["error"], (json{{"code", 1}, {"message", "CANCELED"}}));
  EXPECT_EQ(cancelled["endTime"], "2026-01-01T00:00:03.000000Z");
  EXPECT_EQ(cancelled["updateTime"], cancelled["endTime"]);
  EXPECT_EQ(cancelled["startTime"], "2026-01-01T00:00:01.500000Z");
}

TEST_F(NasJobsApiTest, CancelWithEmptyObjectBodyAsTheGeneratedClientSendsIt) {
  Reply cancel = client_->Post(std::string(kRunning) + ":cancel?$alt=json%3Benum-encoding=int",
                               "{}", "application/json");
  EXPECT_EQ(cancel.status, 200);
  EXPECT_EQ(cancel.body, "{}");
  EXPECT_EQ(client_->Get(kRunning).json()["state"], "JOB_STATE_CANCELLING");
}

TEST_F(NasJobsApiTest, CancelWithAFieldInTheBodyIsRejectedAndChangesNothing) {
  Reply cancel = client_->Post(std::string(kRunning) + ":cancel", "{\"force\": true}");
  EXPECT_THAT(
      cancel.json(),
      EqualsJson(ReadJsonFixture("fixtures/reference/error-400-unknown-field-cancel-body.json")));
  EXPECT_EQ(client_->Get(kRunning).json()["state"], "JOB_STATE_RUNNING");
}

TEST_F(NasJobsApiTest, CancelOfTerminalJobIsFailedPrecondition) {
  Reply cancel = client_->Post(std::string(kSucceeded) + ":cancel", "");
  json expected = ReadJsonFixture("fixtures/reference/error-400-cancel-terminal-state.json");
  std::string message = expected["error"]["message"];
  message.replace(message.find("2111217356469436416"), 19, "7045544066951413760");
  expected["error"]["message"] = message;
  EXPECT_THAT(cancel.json(), EqualsJson(expected));
}

TEST_F(NasJobsApiTest, CancelOfMissingJobIsNotFound) {
  Reply cancel = client_->Post(std::string(kParent) + "/nasJobs/1:cancel", "");
  EXPECT_THAT(cancel.json(),
              EqualsJson(ReadJsonFixture("fixtures/reference/error-404-nasjob-not-found.json")));
}

TEST_F(NasJobsApiTest, ListReturnsNewestFirstWithoutOutputAndPagesToTheEnd) {
  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    Reply reply = client_->Get(std::string(kParent) + "/nasJobs?pageSize=3" +
                               (token.empty() ? "" : "&pageToken=" + token));
    ASSERT_EQ(reply.status, 200) << reply.body;
    json page = reply.json();
    for (const auto& job : page["nasJobs"]) {
      EXPECT_FALSE(job.contains("nasJobOutput"));
      names.push_back(job["name"]);
    }
    token = page.value("nextPageToken", "");
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(names.size(), 8u);
  EXPECT_THAT(names.front(), HasSubstr("1000000000000000006"));  // seeded last
}

TEST_F(NasJobsApiTest, ListWithFilterAndReadMask) {
  Reply reply = client_->Get(std::string(kParent) +
                             "/nasJobs?filter=state%3D%22JOB_STATE_RUNNING%22%20AND%20"
                             "display_name%3A%22mnasnet-*%22&readMask=name%2Cstate");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(reply.json(), EqualsJson(json{{"nasJobs",
                                             {{{"name", std::string(kRunning).substr(4)},
                                               {"state", "JOB_STATE_RUNNING"}}}}}));
}

TEST_F(NasJobsApiTest, ListWithBadFilterOrTokenIsInvalidArgument) {
  EXPECT_THAT(client_->Get(std::string(kParent) + "/nasJobs?filter=colour%3Dred"),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("colour")));
  EXPECT_THAT(client_->Get(std::string(kParent) + "/nasJobs?pageToken=forged"),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("page_token")));
  json first = client_->Get(std::string(kParent) + "/nasJobs?pageSize=1").json();
  std::string token = first["nextPageToken"];
  EXPECT_THAT(
      client_->Get(std::string(kParent) +
                   "/nasJobs?pageSize=1&filter=state%3DJOB_STATE_RUNNING&pageToken=" + token),
      IsApiError(400, "INVALID_ARGUMENT", HasSubstr("page_token")));
  EXPECT_THAT(client_->Get(std::string(kParent) + "/nasJobs?pageSize=-1"),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("page_size")));
}

TEST_F(NasJobsApiTest, EmptyListIsAnEmptyObject) {
  Reply reply = client_->Get("/v1/projects/123456789012/locations/europe-west4/nasJobs");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "{}");
}

TEST_F(NasJobsApiTest, TrialDetailsGetAndList) {
  json list = ReadJsonFixture("fixtures/reference/nastrialdetail-list-response.json");
  Reply reply = client_->Get(std::string(kRunning) + "/nasTrialDetails");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(reply.json()["nasTrialDetails"], EqualsJson(list["nasTrialDetails"]));
  EXPECT_FALSE(reply.json().contains("nextPageToken"));

  Reply one = client_->Get(std::string(kRunning) + "/nasTrialDetails/1");
  EXPECT_THAT(one.json(),
              EqualsJson(ReadJsonFixture("fixtures/reference/nastrialdetail-get-response.json")));
  EXPECT_THAT(client_->Get(std::string(kRunning) + "/nasTrialDetails/2"),
              IsApiError(404, "NOT_FOUND", "The NasTrialDetail does not exist."));

  Reply paged = client_->Get(std::string(kRunning) + "/nasTrialDetails?pageSize=1");
  ASSERT_EQ(paged.json()["nasTrialDetails"].size(), 1u);
  std::string token = paged.json()["nextPageToken"];
  Reply last =
      client_->Get(std::string(kRunning) + "/nasTrialDetails?pageSize=1&pageToken=" + token);
  EXPECT_THAT(last.json()["nasTrialDetails"][0], EqualsJson(list["nasTrialDetails"][1]));
  EXPECT_FALSE(last.json().contains("nextPageToken"));
}

TEST_F(NasJobsApiTest, DeleteReturnsADoneOperationAndTheJobIsGone) {
  Reply reply = client_->Delete(kSucceeded);
  ASSERT_EQ(reply.status, 200) << reply.body;
  json op = reply.json();
  EXPECT_THAT(op["name"].get<std::string>(),
              MatchesRegex("projects/123456789012/locations/us-central1/operations/[0-9]{19}"));
  json expected = ReadJsonFixture("fixtures/reference/nasjob-delete-operation-done.json");
  expected["name"] = op["name"];
  expected["metadata"]["genericMetadata"]["createTime"] = "2026-01-01T00:00:00.000000Z";
  expected["metadata"]["genericMetadata"]["updateTime"] = "2026-01-01T00:00:00.000000Z";
  EXPECT_THAT(op, EqualsJson(expected));
  EXPECT_THAT(client_->Get(kSucceeded), IsApiError(404, "NOT_FOUND", "The NasJob does not exist."));
  EXPECT_THAT(client_->Delete(kSucceeded), IsApiError(404, "NOT_FOUND", ::testing::_));
  // Both paths a published client polls answer with the same operation.
  std::string op_name = op["name"];
  EXPECT_THAT(client_->Get("/v1/" + op_name).json(), EqualsJson(op));
  EXPECT_THAT(client_->Get("/ui/" + op_name + "?").json(), EqualsJson(op));
}

TEST_F(NasJobsApiTest, AcceptEncodingBrotliStillGetsPlainJson) {
  Reply reply = client_->Get(kRunning, {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Header("content-encoding"), "");
  EXPECT_TRUE(reply.json().is_object());
}

TEST_F(NasJobsApiTest, ManyRequestsOnOneKeepAliveConnection) {
  for (int i = 0; i < 25; ++i) ASSERT_EQ(client_->Get(kRunning).status, 200) << i;
}

}  // namespace
}  // namespace nasfake
