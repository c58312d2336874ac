// `nasfake serve` as a client in another language would run it: as a child
// process whose first stdout line names the endpoint.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::testing::TestClient;
using nlohmann::json;

class ServeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> args) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      static std::string binary = NASFAKE_BINARY;
      argv.push_back(binary.data());
      static std::string serve = "serve";
      argv.push_back(serve.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_ = fdopen(out[0], "r");
  }
  ~ServeProcess() {
    if (pid_ > 0 && !waited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_) fclose(stdout_);
  }
  // The first stdout line; the child writes it once it is serving (or exits).
  std::string FirstLine() {
    char buffer[512] = {0};
    if (!stdout_ || !fgets(buffer, sizeof buffer, stdout_)) return "";
    std::string line(buffer);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
  }
  int SignalAndWait(int signal_number) {
    kill(pid_, signal_number);
    return Wait();
  }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    waited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
  bool waited_ = false;
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
