// `nasfake serve` as a client in another language would run it: as a child
// process whose first stdout line names the endpoint.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fake/tls/certificates.h"
#include "tests/support/nasfake_process.h"
#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::testing::TestClient;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

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

TEST(ServeCommandTest, VirtualClockStandsStillUntilTheControlApiAdvancesIt) {
  ServeProcess serve({"--clock", "virtual"});
  int port = testing::NasfakeProcess::PortOf(serve.FirstLine());
  ASSERT_NE(port, 0);
  TestClient client("127.0.0.1", port);
  auto created =
      client.Post("/v1/projects/123456789012/locations/us-central1/nasJobs",
                  testing::ReadSourceFile("fixtures/reference/nasjob-create-request.json"));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string job = "/v1/" + created.json()["name"].get<std::string>();
  EXPECT_EQ(client.Get(job).json()["state"], "JOB_STATE_QUEUED");
  EXPECT_EQ(client.Get(job).json()["state"], "JOB_STATE_QUEUED");  // no time passes by itself
  ASSERT_EQ(client.Post("/__nasfake/v1/clock:advance", R"({"by":"2s"})").status, 200);
  EXPECT_EQ(client.Get(job).json()["state"], "JOB_STATE_RUNNING");
  EXPECT_EQ(serve.SignalAndWait(SIGTERM), 0);
}

TEST(ServeCommandTest, JsonRequestLogHasOneLinePerRequestWithStatusActionAndTestId) {
  ServeProcess serve({"--log", "json"});
  int port = testing::NasfakeProcess::PortOf(serve.FirstLine());
  ASSERT_NE(port, 0);
  TestClient client("127.0.0.1", port);
  ASSERT_EQ(client.Get("/v1/projects/123456789012/locations/us-central1/nasJobs/1").status, 404);
  ASSERT_EQ(client.Get("/__nasfake/v1/clock", {{"x-nasfake-test-id", "t1"}}).status, 200);
  ASSERT_EQ(serve.SignalAndWait(SIGTERM), 0);
  std::vector<json> lines;
  std::istringstream text(serve.Stderr());
  for (std::string line; std::getline(text, line);) {
    if (!line.empty() && line[0] == '{') lines.push_back(json::parse(line));
  }
  ASSERT_EQ(lines.size(), 2u) << serve.Stderr();
  EXPECT_EQ(lines[0]["method"], "GET");
  EXPECT_EQ(lines[0]["target"], "/v1/projects/123456789012/locations/us-central1/nasJobs/1");
  EXPECT_EQ(lines[0]["status"], 404);
  EXPECT_EQ(lines[0]["action"], "pass");
  EXPECT_FALSE(lines[0].contains("testId"));
  EXPECT_EQ(lines[1]["action"], "control");
  EXPECT_EQ(lines[1]["testId"], "t1");
}

TEST(ServeCommandTest, PortInUseSaysToPassPortZero) {
  ServeProcess first({});
  int port = testing::NasfakeProcess::PortOf(first.FirstLine());
  ASSERT_NE(port, 0);
  ServeProcess second({"--port", std::to_string(port)});
  EXPECT_EQ(second.FirstLine(), "");
  EXPECT_EQ(second.Wait(), 3);
  EXPECT_THAT(second.Stderr(), ::testing::HasSubstr("pass --port 0 for any free port"));
}

TEST(ServeCommandTest, TlsServesHttpsPrintsTheCaFileAndRemovesItOnStop) {
  ServeProcess serve({"--tls", "--seed", std::string(NASFAKE_SOURCE_DIR) + "/fixtures/seed"});
  std::string endpoint = serve.FirstLine();
  ASSERT_THAT(endpoint, MatchesRegex("NASFAKE_ENDPOINT=https://127\\.0\\.0\\.1:[0-9]+"))
      << serve.Stderr();
  EXPECT_THAT(serve.FirstLine(), MatchesRegex("NASFAKE_GRPC_ENDPOINT=127\\.0\\.0\\.1:[0-9]+"));
  std::string ca_line = serve.FirstLine();
  ASSERT_THAT(ca_line, StartsWith("NASFAKE_CA_FILE="));
  const std::filesystem::path ca_file = ca_line.substr(std::string("NASFAKE_CA_FILE=").size());
  const std::filesystem::path dir = ca_file.parent_path();

  // A private directory holding the CA's certificate and nothing else.
  auto others = std::filesystem::perms::group_all | std::filesystem::perms::others_all;
  EXPECT_EQ(std::filesystem::status(dir).permissions() & others, std::filesystem::perms::none);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
  std::ifstream in(ca_file);
  std::stringstream ca_pem;
  ca_pem << in.rdbuf();
  EXPECT_THAT(ca_pem.str(), StartsWith("-----BEGIN CERTIFICATE-----"));

  TestClient client("127.0.0.1", testing::NasfakeProcess::PortOf(endpoint), ca_pem.str());
  auto reply =
      client.Get("/v1/projects/123456789012/locations/us-central1/nasJobs/2111217356469436416");
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.json()["state"], "JOB_STATE_RUNNING");
  EXPECT_EQ(serve.SignalAndWait(SIGTERM), 0);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(ServeCommandTest, TlsCertAndKeyFilesAreServedAndMustBeAPair) {
  auto identity = tls::MakeTestIdentity({"127.0.0.1"});
  auto other = tls::MakeTestIdentity({"127.0.0.1"});
  ASSERT_TRUE(identity.ok() && other.ok());
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / ("serve-tls-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "cert.pem") << identity->cert_pem;
  std::ofstream(dir / "key.pem") << identity->key_pem;
  std::ofstream(dir / "other-key.pem") << other->key_pem;
  const std::string cert = (dir / "cert.pem").string();

  {
    ServeProcess serve({"--no-grpc", "--tls-cert", cert, "--tls-key", (dir / "key.pem").string()});
    std::string endpoint = serve.FirstLine();
    ASSERT_THAT(endpoint, StartsWith("NASFAKE_ENDPOINT=https://")) << serve.Stderr();
    TestClient client("127.0.0.1", testing::NasfakeProcess::PortOf(endpoint), identity->ca_pem);
    EXPECT_EQ(client.Get("/v1/projects/123456789012/locations/us-central1/nasJobs").status, 200);
    EXPECT_EQ(serve.SignalAndWait(SIGTERM), 0);
    EXPECT_EQ(serve.FirstLine(), "");  // no NASFAKE_CA_FILE: the CA is not the fake's
  }
  ServeProcess no_key({"--tls-cert", cert});
  EXPECT_EQ(no_key.Wait(), 2);
  EXPECT_THAT(no_key.Stderr(), HasSubstr("--tls-cert and --tls-key go together"));
  ServeProcess wrong_key({"--tls-cert", cert, "--tls-key", (dir / "other-key.pem").string()});
  EXPECT_EQ(wrong_key.FirstLine(), "");
  EXPECT_EQ(wrong_key.Wait(), 3);
  EXPECT_THAT(wrong_key.Stderr(), HasSubstr("not the key of the certificate"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nasfake
