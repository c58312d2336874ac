// `nasfake serve` as a client in another language would run it: as a child
// process whose first stdout line names the endpoint.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

#include "tests/support/nasfake_process.h"
#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::testing::TestClient;
using nlohmann::json;

// `nasfake serve ARGS…` as a child process.
class ServeProcess : public testing::NasfakeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> args)
      : NasfakeProcess(WithCommand(std::move(args))) {}

 private:
  static std::vector<std::string> WithCommand(std::vector<std::string> args) {
    args.insert(args.begin(), "serve");
    return args;
  }
};

TEST(ServeCommandTest, PrintsEndpointServesSeedsAndStopsCleanlyOnSigterm) {
  ServeProcess serve({"--seed", std::string(NASFAKE_SOURCE_DIR) + "/fixtures/seed"});
  std::string line = serve.FirstLine();
  ASSERT_THAT(line, ::testing::MatchesRegex("NASFAKE_ENDPOINT=http://127\\.0\\.0\\.1:[0-9]+"));
  int port = std::stoi(line.substr(line.rfind(':') + 1));
  TestClient client("127.0.0.1", port);
  auto reply =
      client.Get("/v1/projects/123456789012/locations/us-central1/nasJobs/2111217356469436416");
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.json()["state"], "JOB_STATE_RUNNING");
  EXPECT_EQ(serve.SignalAndWait(SIGTERM), 0);
}

TEST(ServeCommandTest, StopsOnSigintWhileAClientHoldsAKeepAliveConnection) {
  ServeProcess serve({});
  std::string line = serve.FirstLine();
  ASSERT_FALSE(line.empty());
  TestClient client("127.0.0.1", std::stoi(line.substr(line.rfind(':') + 1)));
  ASSERT_EQ(client.Get("/v1/projects/123456789012/locations/us-central1/nasJobs").status, 200);
  EXPECT_EQ(serve.SignalAndWait(SIGINT), 0);
}

TEST(ServeCommandTest, RequireAuthFlagAnswers401) {
  ServeProcess serve({"--require-auth"});
  std::string line = serve.FirstLine();
  ASSERT_FALSE(line.empty());
  TestClient client("127.0.0.1", std::stoi(line.substr(line.rfind(':') + 1)));
  EXPECT_EQ(client.Get("/v1/projects/123456789012/locations/us-central1/nasJobs").status, 401);
  EXPECT_EQ(client
                .Get("/v1/projects/123456789012/locations/us-central1/nasJobs",
                     {{"Authorization", "Bearer t"}})
                .status,
            200);
}

TEST(ServeCommandTest, BadSeedFileIsRefusedWithExitCode3) {
  ServeProcess serve({"--seed", std::string(NASFAKE_SOURCE_DIR) +
                                    "/fixtures/reference/"
                                    "error-404-nasjob-not-found.json"});
  EXPECT_EQ(serve.FirstLine(), "");
  EXPECT_EQ(serve.Wait(), 3);
}

TEST(ServeCommandTest, UnknownFlagIsAUsageError) {
  ServeProcess serve({"--prot", "80"});
  EXPECT_EQ(serve.FirstLine(), "");
  EXPECT_EQ(serve.Wait(), 2);
}

}  // namespace
}  // namespace nasfake
