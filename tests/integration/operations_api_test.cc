// projects.locations.operations over loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake/testing/status_matchers.h"
#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::testing::EqualsJson;
using ::nasfake::testing::IsApiError;
using ::nasfake::testing::IsOk;
using ::nasfake::testing::TestClient;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kParent[] = "/v1/projects/123456789012/locations/us-central1";

class OperationsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::StartFakeServer();
    ASSERT_NE(server_, nullptr);
    ASSERT_THAT(server_->SeedFromPath(std::string(NASFAKE_SOURCE_DIR) + "/fixtures/seed"), IsOk());
    client_ = std::make_unique<TestClient>(*server_);
  }
  std::string DeleteJob(const std::string& id) {
    auto reply = client_->Delete(std::string(kParent) + "/nasJobs/" + id);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json()["name"];
  }

  std::unique_ptr<FakeServer> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(OperationsApiTest, SlowDeleteIsNotDoneUntilPolledEnough) {
  server_->env().operations().SetDeletePollsUntilDone(2);
  std::string job = std::string(kParent) + "/nasJobs/7045544066951413760";
  auto reply = client_->Delete(job);
  json op = reply.json();
  EXPECT_FALSE(op.contains("done"));
  EXPECT_FALSE(op.contains("response"));
  EXPECT_EQ(client_->Get(job).status, 200) << "the job exists until the operation is done";
  std::string name = op["name"];
  EXPECT_FALSE(client_->Get("/ui/" + name).json().contains("done"));
  json done = client_->Get("/v1/" + name).json();
  EXPECT_EQ(done["done"], true);
  EXPECT_EQ(done["response"]["@type"], "type.googleapis.com/google.protobuf.Empty");
  EXPECT_EQ(client_->Get(job).status, 404);
}

TEST_F(OperationsApiTest, ListPagesOperationsAndFiltersByDone) {
  std::vector<std::string> names;
  for (const char* id : {"1000000000000000001", "1000000000000000002", "1000000000000000003"}) {
    names.push_back(DeleteJob(id));
  }
  json page = client_->Get(std::string(kParent) + "/operations?pageSize=2").json();
  ASSERT_EQ(page["operations"].size(), 2u);
  EXPECT_EQ(page["operations"][0]["name"], names[0]);
  json rest = client_
                  ->Get(std::string(kParent) + "/operations?pageSize=2&pageToken=" +
                        page["nextPageToken"].get<std::string>())
                  .json();
  ASSERT_EQ(rest["operations"].size(), 1u);
  EXPECT_FALSE(rest.contains("nextPageToken"));
  EXPECT_EQ(client_->Get(std::string(kParent) + "/operations?filter=done%3Dfalse").body, "{}");
  EXPECT_EQ(client_->Get(std::string(kParent) + "/operations?filter=done%3Dtrue")
                .json()["operations"]
                .size(),
            3u);
  EXPECT_THAT(client_->Get(std::string(kParent) + "/operations?filter=metadata.x%3D1"),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("done")));
}

TEST_F(OperationsApiTest, CancelDoneOperationIsNotCancellable) {
  std::string name = DeleteJob("1000000000000000001");
  EXPECT_THAT(client_->Post("/v1/" + name + ":cancel", ""),
              IsApiError(400, "FAILED_PRECONDITION", "Operation " + name + " is not cancellable."));
}

TEST_F(OperationsApiTest, WaitReturnsTheOperationAndValidatesTimeout) {
  std::string name = DeleteJob("1000000000000000001");
  auto waited = client_->Post("/v1/" + name + ":wait?timeout=10s", "");
  ASSERT_EQ(waited.status, 200) << waited.body;
  EXPECT_EQ(waited.json()["done"], true);
  EXPECT_THAT(client_->Post("/v1/" + name + ":wait?timeout=soon", ""),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("timeout")));
}

TEST_F(OperationsApiTest, DeleteOperationForgetsIt) {
  std::string name = DeleteJob("1000000000000000001");
  auto deleted = client_->Delete("/v1/" + name);
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body, "{}");
  EXPECT_THAT(client_->Get("/v1/" + name),
              IsApiError(404, "NOT_FOUND", "The Operation does not exist."));
}

}  // namespace
}  // namespace nasfake
