// AdapterProcess with small shell adapters: capabilities, exit statuses, and
// the persistent mode's reuse and replacement of its processes.
#include "conformance/runner/adapter_process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace nasfake::conformance {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Writes `script` to a file of its own; the adapter command that runs it.
std::string Adapter(const std::string& name, const std::string& script) {
  std::filesystem::path path = std::filesystem::path(::testing::TempDir()) /
                               ("adapter-" + name + "-" + std::to_string(getpid()) + ".sh");
  std::ofstream(path) << script;
  return "sh " + path.string();
}

const ClientEnv kEnv{"http://127.0.0.1:1", "t", std::chrono::milliseconds(5000),
                     api::Transport::kGrpc, "127.0.0.1:2"};

// Answers capabilities with get and cancel; persistent, answers each request
// line with its own pid and the line, or exits 7 on a request naming "crash",
// or never answers one naming "hang".
constexpr char kLineAdapter[] = R"(
case "$1" in
  capabilities) echo '{"operations":["get","cancel"]}' ;;
  persistent)
    while IFS= read -r line; do
      case "$line" in
        *capabilities*) echo '{"operations":["get","cancel"]}' ;;
        *crash*) echo "dying" >&2; exit 7 ;;
        *hang*) sleep 30 ;;
        *) echo "{\"pid\":$$,\"request\":$line}" ;;
      esac
    done ;;
  get) echo "{\"job\":{\"endpoint\":\"$NASFAKE_ENDPOINT\",\"grpc\":\"$NASFAKE_GRPC_ENDPOINT\",\"transport\":\"$NASFAKE_TRANSPORT\",\"deadline\":\"$NASFAKE_DEADLINE_MS\"}}" ;;
  cancel) echo '{"error":{"status":"NOT_FOUND","message":"m"}}'; exit 1 ;;
  *) kill -SEGV $$ ;;
esac
)";

TEST(AdapterProcessTest, AsksCapabilitiesOnceAndRunsOneProcessPerCase) {
  AdapterProcess adapter(Adapter("per-case", kLineAdapter));
  ASSERT_TRUE(adapter.Capabilities().operations.has_value());
  EXPECT_EQ(*adapter.Capabilities().operations, (std::set<std::string>{"get", "cancel"}));
  EXPECT_TRUE(adapter.Supports("get"));
  EXPECT_FALSE(adapter.Supports("delete"));
  // No "transports": REST alone.
  EXPECT_TRUE(adapter.SupportsTransport(api::Transport::kRest));
  EXPECT_FALSE(adapter.SupportsTransport(api::Transport::kGrpc));

  ClientResult got = adapter.Run("get", {"n"}, kEnv);
  EXPECT_EQ(got.exit_code, 0) << got.stderr_text;
  EXPECT_EQ(json::parse(got.stdout_text)["job"], (json{{"endpoint", "http://127.0.0.1:1"},
                                                       {"grpc", "127.0.0.1:2"},
                                                       {"transport", "grpc"},
                                                       {"deadline", "5000"}}));
  EXPECT_EQ(adapter.Run("cancel", {"n"}, kEnv).exit_code, 1);
  // A signal it did not get from the runner is a crash, as a shell reports it.
  EXPECT_EQ(adapter.Run("list", {"p"}, kEnv).exit_code, 128 + SIGSEGV);
}

TEST(AdapterProcessTest, AnAdapterWithoutCapabilitiesPerformsEveryOperation) {
  AdapterProcess v1(Adapter("v1", "echo 'usage: adapter get NAME' >&2; exit 2\n"));
  EXPECT_FALSE(v1.Capabilities().operations.has_value());
  EXPECT_TRUE(v1.Supports("delete"));
  EXPECT_TRUE(v1.SupportsTransport(api::Transport::kRest));
  EXPECT_FALSE(v1.SupportsTransport(api::Transport::kGrpc));
  AdapterProcess garbled(
      Adapter("garbled", "echo '{\"operations\":\"get\",\"transports\":[\"grpc\"]}'\n"));
  EXPECT_FALSE(garbled.Capabilities().operations.has_value());
  EXPECT_FALSE(garbled.SupportsTransport(api::Transport::kGrpc));
}

TEST(AdapterProcessTest, TransportsAreDeclaredBesideOrWithoutOperations) {
  AdapterProcess both(
      Adapter("both", "echo '{\"operations\":[\"get\"],\"transports\":[\"rest\",\"grpc\"]}'\n"));
  EXPECT_TRUE(both.SupportsTransport(api::Transport::kRest));
  EXPECT_TRUE(both.SupportsTransport(api::Transport::kGrpc));
  EXPECT_FALSE(both.Supports("list"));
  // Transports alone: every operation; a name the runner does not know is ignored.
  AdapterProcess grpc_only(Adapter("grpc-only", "echo '{\"transports\":[\"grpc\",\"h3\"]}'\n"));
  EXPECT_TRUE(grpc_only.Supports("list"));
  EXPECT_FALSE(grpc_only.SupportsTransport(api::Transport::kRest));
  EXPECT_TRUE(grpc_only.SupportsTransport(api::Transport::kGrpc));
}

TEST(AdapterProcessTest, PersistentReusesOneProcessForCaseAfterCase) {
  AdapterProcess adapter(Adapter("persistent", kLineAdapter), {.persistent = true});
  EXPECT_FALSE(adapter.Supports("list"));  // asked of the persistent process itself
  ClientResult first = adapter.Run("get", {"a"}, kEnv);
  ClientResult second = adapter.Run("get", {"b"}, kEnv);
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  json one = json::parse(first.stdout_text), two = json::parse(second.stdout_text);
  EXPECT_EQ(one["pid"], two["pid"]);
  EXPECT_EQ(one["request"], (json{{"operation", "get"},
                                  {"args", {"a"}},
                                  {"endpoint", "http://127.0.0.1:1"},
                                  {"grpcEndpoint", "127.0.0.1:2"},
                                  {"transport", "grpc"},
                                  {"token", "t"},
                                  {"deadlineMs", 5000}}));
  EXPECT_EQ(two["request"]["args"], json({"b"}));
}

TEST(AdapterProcessTest, PersistentReplacesAProcessThatCrashedOrHung) {
  AdapterProcess adapter(Adapter("persistent-crash", kLineAdapter),
                         {.persistent = true, .grace = std::chrono::milliseconds(100)});
  json before = json::parse(adapter.Run("get", {"a"}, kEnv).stdout_text);
  ClientResult crashed = adapter.Run("get", {"crash"}, kEnv);
  EXPECT_EQ(crashed.exit_code, 7);
  EXPECT_THAT(crashed.stderr_text, HasSubstr("dying"));
  ClientEnv short_deadline = kEnv;
  short_deadline.deadline = std::chrono::milliseconds(100);
  ClientResult hung = adapter.Run("get", {"hang"}, short_deadline);
  EXPECT_EQ(hung.exit_code, -1);
  ClientResult after = adapter.Run("get", {"b"}, kEnv);
  ASSERT_EQ(after.exit_code, 0) << after.stderr_text;
  EXPECT_NE(json::parse(after.stdout_text)["pid"], before["pid"]);
}

TEST(AdapterProcessTest, PersistentThatNeverAnswersIsAnErrorForTheCase) {
  AdapterProcess adapter(Adapter("persistent-mute", "read line; exit 4\n"), {.persistent = true});
  ClientResult result = adapter.Run("get", {"a"}, kEnv);
  EXPECT_EQ(result.exit_code, 127);
  EXPECT_THAT(result.stderr_text, HasSubstr("missing: it exited with status 4"));
}

}  // namespace
}  // namespace nasfake::conformance
