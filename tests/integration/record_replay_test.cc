// Transcripts, the Replayer, and `nasfake record` / `nasfake replay` as child
// processes over loopback: what record writes, replay serves byte for byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fake/journal/journal.h"
#include "fake/server/control_api.h"
#include "fake/testing/status_matchers.h"
#include "scenarios/replayer.h"
#include "scenarios/scenario_json.h"
#include "scenarios/transcript.h"
#include "scenarios/transcript_scenario.h"
#include "tests/support/nasfake_process.h"
#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::testing::BeginEntry;
using ::nasfake::testing::CompleteEntry;
using ::nasfake::testing::EqualsJson;
using ::nasfake::testing::IsApiError;
using ::nasfake::testing::IsOk;
using ::nasfake::testing::NasfakeProcess;
using ::nasfake::testing::Reply;
using ::nasfake::testing::StatusIs;
using ::nasfake::testing::TestClient;
using nlohmann::json;
using scenarios::Exchange;
using scenarios::LooseReplayKey;
using scenarios::Replayer;
using scenarios::ReplayKey;
using scenarios::Transcript;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// --- Transcript JSON ----------------------------------------------------------

Exchange MakeExchange(std::string method, std::string target, int status, std::string body) {
  Exchange e;
  e.request.method = std::move(method);
  e.request.target = std::move(target);
  e.response.status = status;
  e.response.body = std::move(body);
  return e;
}

json ExampleDocument() {
  return json::parse(R"({"nasfakeTranscript": 1, "exchanges": [
    {"request": {"method": "POST", "target": "/v1/p/nasJobs/1:cancel?alt=json",
                 "headers": {"content-type": "application/json", "x-a": "1"}, "body": "{}"},
     "response": {"status": 200, "contentType": "application/json; charset=UTF-8",
                  "headers": {"x-b": "2"}, "body": "{}\n"}},
    {"request": {"method": "GET", "target": "/v1/p/nasJobs/1", "headers": {}, "body": ""},
     "response": {"status": 0, "contentType": "", "headers": {}, "body": "",
                  "fault": {"kind": "partial", "bytes": 10, "durationMs": 0}}}]})");
}

TEST(TranscriptJsonTest, ReadsAndWritesTheSameDocument) {
  auto transcript = scenarios::TranscriptFromJson(ExampleDocument(), "t.json");
  ASSERT_THAT(transcript, IsOk());
  ASSERT_EQ(transcript->exchanges.size(), 2u);
  const Exchange& cancel = transcript->exchanges[0];
  EXPECT_EQ(cancel.request.method, "POST");
  EXPECT_EQ(cancel.request.body, "{}");
  EXPECT_EQ(cancel.request.Header("X-A"), "1");
  EXPECT_EQ(cancel.response.body, "{}\n");
  const auto& fault = transcript->exchanges[1].response.fault;
  ASSERT_TRUE(fault.has_value());
  EXPECT_EQ(fault->kind, api::WireFault::Kind::kPartialThenClose);
  EXPECT_EQ(fault->bytes, 10u);
  EXPECT_THAT(scenarios::TranscriptToJson(*transcript), EqualsJson(ExampleDocument()));
}

TEST(TranscriptJsonTest, AgreesWithTheControlApisTranscriptOfAJournal) {
  journal::Journal journal;
  journal::Entry request;
  request.method = "GET";
  request.target = "/v1/projects/1/locations/l/nasJobs?pageSize=2";
  request.headers = {{"host", "127.0.0.1:1"}, {"x-goog-api-client", "gl-cpp"}};
  uint64_t first = BeginEntry(journal, request);
  journal::Entry outcome;
  outcome.status = 200;
  outcome.response_content_type = "application/json; charset=UTF-8";
  outcome.response_headers = {{"x-nasfake-rule", "r1"}};
  outcome.response_body = R"({"nasJobs":[]})";
  CompleteEntry(journal, first, outcome);
  request.method = "POST";
  request.target = "/v1/projects/1/locations/l/nasJobs/2:cancel?access_token=T";
  request.headers = {{"authorization", "Bearer T"}};
  request.body = "{}";
  uint64_t second = BeginEntry(journal, request);
  outcome = journal::Entry{};
  outcome.fault = api::WireFault{api::WireFault::Kind::kStall, 0, std::chrono::milliseconds(250)};
  CompleteEntry(journal, second, outcome);
  BeginEntry(journal, request);  // never completed: not part of a transcript

  json of_journal = server::TranscriptOf(journal);
  auto transcript = scenarios::TranscriptFromJson(of_journal, "transcript");
  ASSERT_THAT(transcript, IsOk());
  EXPECT_EQ(transcript->exchanges.size(), 2u);
  EXPECT_THAT(scenarios::TranscriptToJson(*transcript), EqualsJson(of_journal));
  // The control API's transcript holds no credential either.
  const api::Request& cancel = transcript->exchanges[1].request;
  EXPECT_EQ(cancel.target,
            "/v1/projects/1/locations/l/nasJobs/2:cancel?access_token=%3Credacted%3E");
  EXPECT_EQ(cancel.Header("authorization"), "<redacted>");
}

TEST(TranscriptJsonTest, NamesThePathOfTheFirstViolation) {
  auto error = [](const json& document) {
    auto t = scenarios::TranscriptFromJson(document, "t.json");
    EXPECT_THAT(t, StatusIs(StatusCode::kInvalidArgument));
    return t.status().message();
  };
  json doc = ExampleDocument();
  doc["exchanges"][1]["response"]["status"] = 42;
  EXPECT_EQ(error(doc),
            "t.json: exchanges[1].response.status: expected an integer from 100 to 599, got 42");
  doc = ExampleDocument();
  doc["exchanges"][0]["response"]["statusCode"] = 200;
  EXPECT_THAT(error(doc), HasSubstr("t.json: exchanges[0].response.statusCode: unknown key"));
  doc = ExampleDocument();
  doc["exchanges"][1]["response"].erase("fault");
  EXPECT_THAT(error(doc), HasSubstr("exchanges[1].response.status: 0 (no response) needs"));
  doc = ExampleDocument();
  doc["exchanges"][0]["request"].erase("target");
  EXPECT_THAT(error(doc), HasSubstr("exchanges[0].request.target: required"));
  doc = ExampleDocument();
  doc["exchanges"][0]["response"]["headers"]["x-b"] = "a\r\nx-evil: 1";
  EXPECT_THAT(error(doc), HasSubstr("exchanges[0].response.headers[\"x-b\"]: "));
  doc = ExampleDocument();
  doc["exchanges"][1]["response"]["fault"]["kind"] = "rst";
  EXPECT_THAT(error(doc), HasSubstr("exchanges[1].response.fault.kind: unknown fault \"rst\""));
  doc = ExampleDocument();
  doc["nasfakeTranscript"] = 2;
  EXPECT_THAT(error(doc), HasSubstr("t.json: nasfakeTranscript: expected 1"));
  EXPECT_THAT(error(json::array()), HasSubstr("t.json: (root): expected an object"));
}

TEST(TranscriptJsonTest, LoadTranscriptFileNamesTheFile) {
  auto missing = scenarios::LoadTranscriptFile("/nonexistent/t.json");
  EXPECT_THAT(missing, StatusIs(StatusCode::kInvalidArgument,
                                "/nonexistent/t.json: cannot read: No such file or directory"));
}

// --- ReplayKey and Replayer ----------------------------------------------------

api::Request Req(std::string method, std::string target, std::string body = "") {
  return api::Request{std::move(method), std::move(target), {}, std::move(body), ""};
}

TEST(ReplayKeyTest, KeepsWhatChangesTheAnswerInOneSpelling) {
  EXPECT_EQ(ReplayKey(Req("GET", "/v1/x")), "GET /v1/x");
  // Who asks and how the answer is spaced do not change it; $alt=json is the default.
  EXPECT_EQ(ReplayKey(Req("GET",
                          "/v1/x?key=k&access_token=t&quotaUser=q&prettyPrint=false&"
                          "%24prettyPrint=true&alt=json&%24alt=json")),
            "GET /v1/x");
  // Integer enums, partial answers and paging do change it.
  EXPECT_NE(ReplayKey(Req("GET", "/v1/x?%24alt=json%3Benum-encoding%3Dint")),
            ReplayKey(Req("GET", "/v1/x")));
  EXPECT_NE(ReplayKey(Req("GET", "/v1/x?fields=name")), ReplayKey(Req("GET", "/v1/x")));
  EXPECT_NE(ReplayKey(Req("GET", "/v1/x?pageSize=2")), ReplayKey(Req("GET", "/v1/x?pageSize=3")));
  // Order and spelling of the parameters do not.
  EXPECT_EQ(ReplayKey(Req("GET", "/v1/x?pageSize=2&filter=state%3DJOB_STATE_RUNNING")),
            ReplayKey(Req("GET", "/v1/x?filter=state=JOB_STATE_RUNNING&pageSize=2")));
  EXPECT_EQ(ReplayKey(Req("GET", "/v1/x?filter=a+b")), ReplayKey(Req("GET", "/v1/x?filter=a%20b")));
  // Bodies are compared as JSON.
  EXPECT_EQ(ReplayKey(Req("POST", "/v1/x:cancel", "{ }")), "POST /v1/x:cancel {}");
  EXPECT_EQ(ReplayKey(Req("POST", "/v1/j", R"({"b": 1, "a": [1, 2]})")),
            ReplayKey(Req("POST", "/v1/j", R"({"a":[1,2],"b":1})")));
  EXPECT_NE(ReplayKey(Req("POST", "/v1/x:cancel", R"({"force":true})")),
            ReplayKey(Req("POST", "/v1/x:cancel", "{}")));
  EXPECT_NE(ReplayKey(Req("POST", "/v1/x:cancel", "{}")), ReplayKey(Req("POST", "/v1/x:cancel")));
  // The method and the path are exact.
  EXPECT_NE(ReplayKey(Req("DELETE", "/v1/x")), ReplayKey(Req("GET", "/v1/x")));
  EXPECT_NE(ReplayKey(Req("GET", "/v1/X")), ReplayKey(Req("GET", "/v1/x")));
  EXPECT_NE(ReplayKey(Req("GET", "/v1/projects%2Fp")), ReplayKey(Req("GET", "/v1/projects/p")));
}

TEST(LooseReplayKeyTest, DropsOnlyTheVolatileSystemParameters) {
  EXPECT_EQ(LooseReplayKey("GET", "/v1/x"), "GET /v1/x");
  EXPECT_EQ(LooseReplayKey("GET", "/v1/x?alt=json"), "GET /v1/x");
  EXPECT_EQ(LooseReplayKey("GET", "/v1/x?%24alt=json%3Benum-encoding%3Dint&prettyPrint=false"),
            "GET /v1/x");
  EXPECT_EQ(LooseReplayKey("GET",
                           "/v1/x?key=k&pageSize=2&$alt=json&access_token=t&quotaUser=q&fields=a,b&"
                           "$prettyPrint=true&filter=state%3DJOB_STATE_RUNNING"),
            "GET /v1/x?pageSize=2&filter=state%3DJOB_STATE_RUNNING");
  // Everything else is exact: other parameters, their order and spelling, the method.
  EXPECT_NE(LooseReplayKey("GET", "/v1/x?pageSize=2"), LooseReplayKey("GET", "/v1/x?pageSize=3"));
  EXPECT_NE(LooseReplayKey("GET", "/v1/x?a=1&b=2"), LooseReplayKey("GET", "/v1/x?b=2&a=1"));
  EXPECT_NE(LooseReplayKey("GET", "/v1/x?keys=1"), LooseReplayKey("GET", "/v1/x"));
  EXPECT_NE(LooseReplayKey("DELETE", "/v1/x"), LooseReplayKey("GET", "/v1/x"));
  EXPECT_NE(LooseReplayKey("GET", "/v1/X"), LooseReplayKey("GET", "/v1/x"));
}

// The error body of a request the transcript has no answer for.
void ExpectUnmatched(const api::Response& response, const std::string& message) {
  EXPECT_EQ(response.status, 501);
  json body = json::parse(response.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << response.body;
  EXPECT_EQ(body["error"]["status"], "UNIMPLEMENTED");
  EXPECT_EQ(body["error"]["message"], message);
  EXPECT_EQ(body["error"]["details"][0]["reason"], "NASFAKE_REPLAY_UNMATCHED");
}

TEST(RedactCredentialsTest, ReplacesEveryCredentialValueAndNothingElse) {
  Exchange e =
      MakeExchange("GET", "/v1/x?alt=json&key=K1&%6Bey=K2&access_token=T&keys=k&a=key", 200, "{}");
  e.request.headers = {{"authorization", "Bearer T"}, {"proxy-authorization", "Basic P"},
                       {"x-goog-api-key", "K3"},      {"cookie", "SID=S"},
                       {"x-goog-api-client", "gl/1"}, {"x-goog-request-params", "name=x"}};
  e.response.headers = {{"set-cookie", "SID=S2"}, {"x-b", "2"}};
  scenarios::RedactCredentials(e);
  EXPECT_EQ(e.request.target,
            "/v1/x?alt=json&key=%3Credacted%3E&%6Bey=%3Credacted%3E&access_token=%3Credacted%3E"
            "&keys=k&a=key");
  EXPECT_EQ(e.request.headers, (api::HeaderList{{"authorization", "<redacted>"},
                                                {"proxy-authorization", "<redacted>"},
                                                {"x-goog-api-key", "<redacted>"},
                                                {"cookie", "<redacted>"},
                                                {"x-goog-api-client", "gl/1"},
                                                {"x-goog-request-params", "name=x"}}));
  EXPECT_EQ(e.response.headers, (api::HeaderList{{"set-cookie", "<redacted>"}, {"x-b", "2"}}));
  // Replay matching ignores key and access_token: a redacted exchange still matches.
  EXPECT_EQ(ReplayKey(Req("GET", e.request.target)), ReplayKey(Req("GET", "/v1/x?keys=k&a=key")));
  Exchange plain = MakeExchange("GET", "/v1/x", 200, "{}");
  scenarios::RedactCredentials(plain);
  EXPECT_EQ(plain.request.target, "/v1/x");
}

TEST(TranscriptScenarioTest, OneRulePerOperationAndResourceAnsweringInRecordedOrder) {
  const std::string job = "/v1/projects/p/locations/l/nasJobs/1";
  Transcript transcript;
  transcript.exchanges = {
      MakeExchange("GET", job + "?alt=json", 200, R"({"state": "JOB_STATE_RUNNING"})"),
      MakeExchange("POST", job + ":cancel", 200, "{}"),
      MakeExchange("GET", "/favicon.ico", 404, "<html>not found</html>"),
      MakeExchange("GET", job, 200, R"({"state": "JOB_STATE_CANCELLED"})"),
      MakeExchange("GET", job + "/nasTrialDetails/7", 503, "upstream down"),
  };
  transcript.exchanges[4].response.content_type = "text/plain";
  transcript.exchanges[4].response.headers = {{"retry-after", "2"}, {"content-length", "13"}};
  transcript.exchanges[1].response.status = 0;
  transcript.exchanges[1].response.fault =
      api::WireFault{api::WireFault::Kind::kStall, 0, std::chrono::milliseconds(1500)};
  std::vector<std::string> skipped;
  json document = scenarios::TranscriptToScenarioJson(transcript, "recorded", "", &skipped);
  EXPECT_EQ(skipped, std::vector<std::string>{"GET /favicon.ico"});
  EXPECT_THAT(document, EqualsJson(json::parse(R"({"name": "recorded", "rules": [
    {"id": "nasJobs.get projects/p/locations/l/nasJobs/1",
     "match": {"operation": "nasJobs.get", "resource": "projects/p/locations/l/nasJobs/1"},
     "sequence": [{"answer": {"status": 200, "json": {"state": "JOB_STATE_RUNNING"}}},
                  {"answer": {"status": 200, "json": {"state": "JOB_STATE_CANCELLED"}}}]},
    {"id": "nasJobs.cancel projects/p/locations/l/nasJobs/1",
     "match": {"operation": "nasJobs.cancel", "resource": "projects/p/locations/l/nasJobs/1"},
     "action": {"fault": "stall", "duration": "1.500s"}, "times": 1},
    {"id": "nasTrialDetails.get projects/p/locations/l/nasJobs/1/nasTrialDetails/7",
     "match": {"operation": "nasTrialDetails.get",
               "resource": "projects/p/locations/l/nasJobs/1/nasTrialDetails/7"},
     "action": {"answer": {"status": 503, "contentType": "text/plain",
                           "headers": [["retry-after", "2"]], "body": "upstream down"}},
     "times": 1}]})")));
  auto scenario = scenarios::ScenarioFromJson(document, "recorded");
  ASSERT_THAT(scenario, IsOk());
  ASSERT_EQ(scenario->rules.size(), 3u);
  EXPECT_EQ(scenario->rules[0].actions.size(), 2u);
  EXPECT_EQ(scenario->rules[0].actions[1].answer.body, R"({"state":"JOB_STATE_CANCELLED"})");
}

Transcript PollingTranscript() {
  Transcript t;
  t.exchanges.push_back(MakeExchange("GET", "/v1/jobs/1?alt=json", 200, "running"));
  t.exchanges.push_back(MakeExchange("POST", "/v1/jobs/1:cancel", 200, "{}"));
  t.exchanges.back().request.body = "{}";
  t.exchanges.push_back(MakeExchange("GET", "/v1/jobs/1", 200, "cancelling"));
  t.exchanges.push_back(MakeExchange("GET", "/v1/jobs/1", 200, "cancelled"));
  t.exchanges.push_back(MakeExchange("GET", "/v1/jobs?pageSize=2", 200, "list"));
  return t;
}

TEST(ReplayerTest, ServesEachKeysAnswersInRecordedOrderThen501) {
  Replayer replayer(PollingTranscript());
  auto get = [&](const std::string& target) { return replayer.Answer(Req("GET", target)); };
  EXPECT_EQ(get("/v1/jobs/1").body, "running");
  EXPECT_EQ(get("/v1/jobs/1?prettyPrint=false").body, "cancelling");
  EXPECT_EQ(replayer.Answer(Req("POST", "/v1/jobs/1:cancel", "{ }")).body, "{}");
  EXPECT_EQ(get("/v1/jobs/1").body, "cancelled");
  ExpectUnmatched(get("/v1/jobs/1"),
                  "nasfake replay: no recorded answer for GET /v1/jobs/1: the 3 recorded answers "
                  "for it were used up");
  ExpectUnmatched(get("/v1/jobs?pageSize=1"),
                  "nasfake replay: no recorded answer for GET /v1/jobs?pageSize=1: the closest "
                  "recorded request is GET /v1/jobs?pageSize=2 (exchanges[4])");

  scenarios::ReplayReport report = replayer.Report();
  EXPECT_EQ(report.answered, 4u);
  EXPECT_THAT(report.unmatched,
              ::testing::ElementsAre("GET /v1/jobs/1", "GET /v1/jobs?pageSize=1"));
  ASSERT_EQ(report.unused.size(), 1u);
  EXPECT_EQ(report.unused[0].index, 4u);
  EXPECT_EQ(report.unused[0].request, "GET /v1/jobs?pageSize=2");
  EXPECT_FALSE(report.complete());
}

TEST(ReplayerTest, MatchesBodiesAndEnumEncodingUnlessLoose) {
  Transcript t = PollingTranscript();
  Replayer strict(t);
  ExpectUnmatched(strict.Answer(Req("POST", "/v1/jobs/1:cancel", R"({"force":true})")),
                  "nasfake replay: no recorded answer for POST /v1/jobs/1:cancel "
                  "body={\"force\":true}: the closest recorded request is POST /v1/jobs/1:cancel "
                  "body={} (exchanges[1])");
  EXPECT_EQ(strict.Answer(Req("GET", "/v1/jobs/1?%24alt=json%3Benum-encoding%3Dint")).status, 501);

  Replayer loose(t, {.loose = true});
  EXPECT_EQ(loose.Answer(Req("POST", "/v1/jobs/1:cancel", R"({"force":true})")).body, "{}");
  EXPECT_EQ(loose.Answer(Req("GET", "/v1/jobs/1?%24alt=json%3Benum-encoding%3Dint")).body,
            "running");
}

TEST(ReplayerTest, StrictOrderAnswersOnlyTheNextRecordedExchange) {
  Replayer replayer(PollingTranscript(), {.strict_order = true});
  EXPECT_EQ(replayer.Answer(Req("GET", "/v1/jobs/1")).body, "running");
  // A poll before the recorded cancel: out of order, though a poll was recorded later.
  ExpectUnmatched(replayer.Answer(Req("GET", "/v1/jobs/1")),
                  "nasfake replay: no recorded answer for GET /v1/jobs/1: it is out of the "
                  "recorded order: the next recorded request is POST /v1/jobs/1:cancel body={} "
                  "(exchanges[1])");
  EXPECT_EQ(replayer.Answer(Req("POST", "/v1/jobs/1:cancel", "{}")).body, "{}");
  EXPECT_EQ(replayer.Answer(Req("GET", "/v1/jobs/1")).body, "cancelling");
  EXPECT_EQ(replayer.Answer(Req("GET", "/v1/jobs/1")).body, "cancelled");
  EXPECT_EQ(replayer.Answer(Req("GET", "/v1/jobs?pageSize=2")).body, "list");
  ExpectUnmatched(replayer.Answer(Req("GET", "/v1/jobs/1")),
                  "nasfake replay: no recorded answer for GET /v1/jobs/1: every recorded exchange "
                  "was served");
  EXPECT_TRUE(replayer.Report().unused.empty());
}

TEST(ReplayerTest, AnEmptyTranscriptSaysSo) {
  Replayer replayer{Transcript{}};
  ExpectUnmatched(replayer.Answer(Req("GET", "/v1/x")),
                  "nasfake replay: no recorded answer for GET /v1/x: the transcript has no "
                  "exchanges");
}

TEST(ReplayerTest, ReplaysRecordedHeadersContentTypeAndFaults) {
  Transcript t;
  Exchange e = MakeExchange("GET", "/v1/jobs/1", 503, "<html>");
  e.response.content_type = "text/html; charset=UTF-8";
  e.response.headers = {{"retry-after", "2"}};
  t.exchanges.push_back(e);
  e.response.fault = api::WireFault{api::WireFault::Kind::kReset, 0, {}};
  t.exchanges.push_back(e);
  Replayer replayer(std::move(t));
  api::Response first = replayer.Answer({"GET", "/v1/jobs/1", {}, "", ""});
  EXPECT_EQ(first.status, 503);
  EXPECT_EQ(first.content_type, "text/html; charset=UTF-8");
  EXPECT_EQ(first.headers, (api::HeaderList{{"retry-after", "2"}}));
  EXPECT_FALSE(first.fault.has_value());
  api::Response second = replayer.Answer({"GET", "/v1/jobs/1", {}, "", ""});
  ASSERT_TRUE(second.fault.has_value());
  EXPECT_EQ(second.fault->kind, api::WireFault::Kind::kReset);
  EXPECT_TRUE(replayer.Report().complete());
}

TEST(ReplayerTest, ConcurrentRequestsEachGetOneRecordedAnswer) {
  constexpr int kAnswers = 400;
  Transcript t;
  for (int i = 0; i < kAnswers; ++i) {
    t.exchanges.push_back(MakeExchange("GET", "/v1/jobs/1", 200, std::to_string(i)));
  }
  Replayer replayer(std::move(t));
  std::vector<std::vector<std::string>> seen(4);
  std::vector<std::thread> threads;
  for (auto& mine : seen) {
    threads.emplace_back([&replayer, &mine] {
      for (int i = 0; i < kAnswers / 4 + 10; ++i) {
        api::Response r = replayer.Answer({"GET", "/v1/jobs/1", {}, "", ""});
        if (r.status == 200) mine.push_back(r.body);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& mine : seen) {
    // Each thread sees the answers in recorded order.
    for (size_t i = 1; i < mine.size(); ++i) EXPECT_LT(std::stoi(mine[i - 1]), std::stoi(mine[i]));
    all.insert(mine.begin(), mine.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kAnswers));
  scenarios::ReplayReport report = replayer.Report();
  EXPECT_EQ(report.answered, static_cast<size_t>(kAnswers));
  EXPECT_EQ(report.unmatched.size(), 40u);
  EXPECT_TRUE(report.unused.empty());
}

// --- nasfake record / replay ---------------------------------------------------

constexpr char kJobs[] = "/v1/projects/123456789012/locations/us-central1/nasJobs";
const std::string kJob = std::string(kJobs) + "/2111217356469436416";

// A fresh path under the test temp directory (removed by the destructor).
class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_(std::filesystem::path(::testing::TempDir()) /
              (name + "-" + std::to_string(getpid()) + ".json")) {
    std::filesystem::remove(path_);
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string Read() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::filesystem::path path_;
};

struct Sent {
  std::string method, target, body;
};

// get / cancel / (the upstream's clock moves on) / get / list.
const std::vector<Sent> kScript = {{"GET", kJob, ""},
                                   {"POST", kJob + ":cancel", "{}"},
                                   {"GET", kJob, ""},
                                   {"GET", std::string(kJobs) + "?pageSize=2", ""}};

Reply SendScripted(TestClient& client, const Sent& sent) {
  if (sent.method == "POST") {
    return client.Post(sent.target, sent.body, "application/json",
                       {{"Accept-Encoding", "gzip"}, {"x-goog-api-client", "gl-test"}});
  }
  return client.Get(sent.target);
}

class RecordReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_ = testing::StartFakeServer();
    ASSERT_NE(upstream_, nullptr);
    ASSERT_THAT(upstream_->SeedFromPath(NASFAKE_SOURCE_DIR "/fixtures/seed"), IsOk());
  }

  // Runs kScript through `nasfake record` into `out`; the replies.
  std::vector<Reply> Record(const TempFile& out) {
    NasfakeProcess record(
        {"record", "--upstream", upstream_->endpoint(), "--out", out.path().string()});
    int port = NasfakeProcess::PortOf(record.FirstLine());
    EXPECT_NE(port, 0) << record.Stderr();
    std::vector<Reply> replies;
    if (port == 0) return replies;
    TestClient client("127.0.0.1", port);
    for (size_t i = 0; i < kScript.size(); ++i) {
      if (i == 2) upstream_->clock()->Advance(std::chrono::seconds(5));  // cancel takes effect
      replies.push_back(SendScripted(client, kScript[i]));
    }
    EXPECT_EQ(record.SignalAndWait(SIGTERM), 0) << record.Stderr();
    EXPECT_THAT(record.Stderr(), HasSubstr("4 exchanges written to " + out.path().string()));
    return replies;
  }

  std::unique_ptr<FakeServer> upstream_;
};

TEST_F(RecordReplayTest, RecordsThroughTheProxyThenReplaysByteForByte) {
  TempFile out("record-replay");
  std::vector<Reply> recorded = Record(out);
  ASSERT_EQ(recorded.size(), kScript.size());
  EXPECT_EQ(recorded[0].json()["state"], "JOB_STATE_RUNNING");
  EXPECT_EQ(recorded[1].status, 200);
  EXPECT_EQ(recorded[1].body, "{}");
  EXPECT_EQ(recorded[2].json()["state"], "JOB_STATE_CANCELLED");
  EXPECT_EQ(recorded[3].json()["nasJobs"].size(), 2u);

  // The upstream saw the client's requests, minus Accept-Encoding.
  std::vector<journal::Entry> seen = upstream_->journal().Entries();
  ASSERT_EQ(seen.size(), kScript.size());
  EXPECT_EQ(seen[1].body, "{}");
  EXPECT_EQ(seen[1].target, kJob + ":cancel");
  auto header = [](const journal::Entry& e, const std::string& name) {
    for (const auto& [n, v] : e.headers) {
      if (n == name) return v;
    }
    return std::string("(absent)");
  };
  EXPECT_EQ(header(seen[1], "x-goog-api-client"), "gl-test");
  EXPECT_EQ(header(seen[1], "content-type"), "application/json");
  EXPECT_EQ(header(seen[1], "accept-encoding"), "(absent)");

  // The transcript: each request as received, each answer as returned.
  json document = json::parse(out.Read(), nullptr, false);
  auto transcript = scenarios::TranscriptFromJson(document, out.path().string());
  ASSERT_THAT(transcript, IsOk()) << out.Read();
  ASSERT_EQ(transcript->exchanges.size(), kScript.size());
  json upstream_transcript = server::TranscriptOf(upstream_->journal());
  for (size_t i = 0; i < kScript.size(); ++i) {
    SCOPED_TRACE("exchange " + std::to_string(i));
    const Exchange& e = transcript->exchanges[i];
    EXPECT_EQ(e.request.method, kScript[i].method);
    EXPECT_EQ(e.request.target, kScript[i].target);
    EXPECT_EQ(e.request.body, kScript[i].body);
    EXPECT_EQ(e.response.status, recorded[i].status);
    EXPECT_EQ(e.response.body, recorded[i].body);
    EXPECT_EQ(e.response.content_type, recorded[i].Header("content-type"));
    const json& upstream_response = upstream_transcript["exchanges"][i]["response"];
    EXPECT_EQ(e.response.body, upstream_response["body"]);
    EXPECT_EQ(e.response.content_type, upstream_response["contentType"]);
    for (const auto& [name, value] : e.response.headers) {
      EXPECT_NE(name, "connection");
      EXPECT_NE(name, "content-length");
    }
  }
  EXPECT_EQ(transcript->exchanges[1].request.Header("accept-encoding"), "gzip");

  // Replay: the same requests get the same answers, byte for byte.
  NasfakeProcess replay({"replay", out.path().string()});
  int port = NasfakeProcess::PortOf(replay.FirstLine());
  ASSERT_NE(port, 0) << replay.Stderr();
  TestClient client("127.0.0.1", port);
  for (size_t i = 0; i < kScript.size(); ++i) {
    SCOPED_TRACE("request " + std::to_string(i));
    Reply reply = SendScripted(client, kScript[i]);
    EXPECT_EQ(reply.status, recorded[i].status) << reply.error;
    EXPECT_EQ(reply.body, recorded[i].body);
    EXPECT_EQ(reply.Header("content-type"), recorded[i].Header("content-type"));
  }
  EXPECT_EQ(replay.SignalAndWait(SIGTERM), 0) << replay.Stderr();
  EXPECT_THAT(replay.Stderr(), HasSubstr("4 requests answered from the transcript, 0 unmatched, "
                                         "0 of 4 exchanges unused"));
  EXPECT_THAT(replay.Stderr(), Not(HasSubstr("unmatched:")));
}

TEST_F(RecordReplayTest, ReplayAnswers501ToAnUnrecordedRequestAndExitsWithItListed) {
  TempFile out("record-replay-unmatched");
  ASSERT_EQ(Record(out).size(), kScript.size());
  NasfakeProcess replay({"replay", out.path().string()});
  int port = NasfakeProcess::PortOf(replay.FirstLine());
  ASSERT_NE(port, 0) << replay.Stderr();
  TestClient client("127.0.0.1", port);
  for (size_t i = 0; i < kScript.size(); ++i) SendScripted(client, kScript[i]);
  // Not a NOT_FOUND a client would take for "no such job": 501, naming what was recorded.
  std::string unknown = std::string(kJobs) + "/999";
  EXPECT_THAT(client.Get(unknown),
              IsApiError(501, "UNIMPLEMENTED",
                         "nasfake replay: no recorded answer for GET " + unknown +
                             ": the closest recorded request is GET " + kJob + " (exchanges[0])"));
  // The recorded polls of the job are used up: one more is unmatched too.
  EXPECT_THAT(client.Get(kJob), IsApiError(501, "UNIMPLEMENTED", HasSubstr("were used up")));
  EXPECT_EQ(replay.SignalAndWait(SIGINT), 1);
  std::string report = replay.Stderr();
  EXPECT_THAT(report, HasSubstr("4 requests answered from the transcript, 2 unmatched"));
  EXPECT_THAT(report, HasSubstr("  unmatched: GET " + unknown + "\n"));
  EXPECT_THAT(report, HasSubstr("  unmatched: GET " + kJob + "\n"));
}

TEST_F(RecordReplayTest, ReplayLooseIgnoresBodiesAndStrictOrderFollowsTheRecording) {
  TempFile out("record-replay-flags");
  ASSERT_EQ(Record(out).size(), kScript.size());
  {
    NasfakeProcess replay({"replay", out.path().string(), "--loose"});
    int port = NasfakeProcess::PortOf(replay.FirstLine());
    ASSERT_NE(port, 0) << replay.Stderr();
    TestClient client("127.0.0.1", port);
    EXPECT_EQ(client.Post(kJob + ":cancel", R"({"force":true})", "application/json").status, 200);
  }
  NasfakeProcess replay({"replay", out.path().string(), "--strict-order"});
  int port = NasfakeProcess::PortOf(replay.FirstLine());
  ASSERT_NE(port, 0) << replay.Stderr();
  TestClient client("127.0.0.1", port);
  EXPECT_THAT(client.Post(kJob + ":cancel", "{}", "application/json"),
              IsApiError(501, "UNIMPLEMENTED", HasSubstr("out of the recorded order")));
  for (size_t i = 0; i < kScript.size(); ++i) {
    EXPECT_EQ(SendScripted(client, kScript[i]).status, 200) << i;
  }
}

TEST_F(RecordReplayTest, RecordAndReplayAnswerTheControlApisHealth) {
  TempFile out("record-replay-health");
  NasfakeProcess record(
      {"record", "--upstream", upstream_->endpoint(), "--out", out.path().string()});
  int record_port = NasfakeProcess::PortOf(record.FirstLine());
  ASSERT_NE(record_port, 0) << record.Stderr();
  Reply recording = TestClient("127.0.0.1", record_port).Get("/__nasfake/v1/health");
  EXPECT_EQ(recording.status, 200);
  EXPECT_EQ(recording.json()["ok"], true);
  EXPECT_EQ(record.SignalAndWait(SIGTERM), 0) << record.Stderr();
  EXPECT_THAT(record.Stderr(), HasSubstr("0 exchanges written"));  // health is not recorded

  NasfakeProcess replay({"replay", out.path().string()});
  int replay_port = NasfakeProcess::PortOf(replay.FirstLine());
  ASSERT_NE(replay_port, 0) << replay.Stderr();
  Reply replaying = TestClient("127.0.0.1", replay_port).Get("/__nasfake/v1/health");
  EXPECT_EQ(replaying.status, 200);
  EXPECT_EQ(replaying.json()["ok"], true);
  EXPECT_EQ(replay.SignalAndWait(SIGTERM), 0) << replay.Stderr();
}

TEST_F(RecordReplayTest, ReplayListsUnusedExchangesAndExits1) {
  TempFile out("record-replay-unused");
  ASSERT_EQ(Record(out).size(), kScript.size());
  NasfakeProcess replay({"replay", out.path().string()});
  int port = NasfakeProcess::PortOf(replay.FirstLine());
  ASSERT_NE(port, 0) << replay.Stderr();
  TestClient client("127.0.0.1", port);
  EXPECT_EQ(client.Get(kJob + "?alt=json").json()["state"], "JOB_STATE_RUNNING");
  EXPECT_EQ(replay.SignalAndWait(SIGTERM), 1);
  std::string report = replay.Stderr();
  EXPECT_THAT(report, HasSubstr("1 request answered from the transcript, 0 unmatched, 3 of 4 "
                                "exchanges unused"));
  EXPECT_THAT(report, HasSubstr("  unused: exchanges[1] POST " + kJob + ":cancel\n"));
  EXPECT_THAT(report,
              HasSubstr("  unused: exchanges[3] GET " + std::string(kJobs) + "?pageSize=2\n"));
}

TEST_F(RecordReplayTest, UnreachableUpstreamIsAnsweredAndRecordedAs502) {
  std::string endpoint;
  {
    auto gone = testing::StartFakeServer();
    ASSERT_NE(gone, nullptr);
    endpoint = gone->endpoint();
  }  // stopped: its port now refuses connections
  TempFile out("record-502");
  NasfakeProcess record({"record", "--upstream", endpoint, "--out", out.path().string()});
  int port = NasfakeProcess::PortOf(record.FirstLine());
  ASSERT_NE(port, 0) << record.Stderr();
  TestClient client("127.0.0.1", port);
  Reply reply = client.Get(kJob);
  EXPECT_EQ(reply.status, 502);
  EXPECT_THAT(reply.Header("content-type"), HasSubstr("text/html"));
  EXPECT_THAT(reply.body, HasSubstr("502"));
  // Written after the exchange, before any stop.
  auto transcript = scenarios::LoadTranscriptFile(out.path());
  ASSERT_THAT(transcript, IsOk());
  ASSERT_EQ(transcript->exchanges.size(), 1u);
  EXPECT_EQ(transcript->exchanges[0].response.status, 502);
  EXPECT_EQ(transcript->exchanges[0].response.body, reply.body);
  EXPECT_EQ(record.SignalAndWait(SIGTERM), 0) << record.Stderr();
}

TEST_F(RecordReplayTest, ATranscriptBecomesAScenarioThatAnswersAsRecorded) {
  TempFile out("to-scenario-transcript");
  std::vector<Reply> recorded = Record(out);
  ASSERT_EQ(recorded.size(), kScript.size());
  TempFile scenario_file("to-scenario");
  NasfakeProcess convert(
      {"replay", out.path().string(), "--to-scenario", scenario_file.path().string()});
  EXPECT_EQ(convert.FirstLine(), "");  // nothing is served
  EXPECT_EQ(convert.Wait(), 0) << convert.Stderr();
  EXPECT_THAT(convert.Stderr(), HasSubstr("(3 rules from 4 exchanges)"));
  auto scenario = scenarios::LoadScenarioFile(scenario_file.path());
  ASSERT_THAT(scenario, IsOk()) << scenario_file.Read();
  EXPECT_EQ(scenario->name, scenario_file.path().stem().string());
  // For people to read: JSON answers are JSON, not strings.
  json document = json::parse(scenario_file.Read());
  EXPECT_EQ(document["rules"][0]["id"], "nasJobs.get " + kJob.substr(4));
  EXPECT_EQ(document["rules"][0]["sequence"][1]["answer"]["json"]["state"], "JOB_STATE_CANCELLED");

  // A fake without jobs, scripted by it, answers the script as recorded…
  auto fake = testing::StartFakeServer();
  ASSERT_NE(fake, nullptr);
  ASSERT_THAT(fake->LoadScenario(*scenario), IsOk());
  TestClient client(*fake);
  for (size_t i = 0; i < kScript.size(); ++i) {
    SCOPED_TRACE("request " + std::to_string(i));
    Reply reply = SendScripted(client, kScript[i]);
    EXPECT_EQ(reply.status, recorded[i].status) << reply.error;
    EXPECT_THAT(reply.json(), EqualsJson(recorded[i].json()));
  }
  // …then lets the requests through to its own API, which has no such job.
  EXPECT_EQ(client.Get(kJob).status, 404);
}

// --- Recording an https upstream (the real service's case) ---------------------

// A fake over TLS that wants a bearer token, as the real service does, and
// its CA's certificate in a file.
class RecordHttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeServerOptions options;
    options.tls = true;
    options.fake.require_auth = true;
    upstream_ = testing::StartFakeServer(options);
    ASSERT_NE(upstream_, nullptr);
    ASSERT_THAT(upstream_->SeedFromPath(NASFAKE_SOURCE_DIR "/fixtures/seed"), IsOk());
    std::ofstream(ca_.path()) << upstream_->ca_pem();
  }

  std::unique_ptr<FakeServer> upstream_;
  TempFile ca_{"upstream-ca"};
};

// The value of a header in a journal entry, or "(absent)".
std::string HeaderOf(const journal::Entry& entry, const std::string& name) {
  for (const auto& [n, v] : entry.headers) {
    if (n == name) return v;
  }
  return "(absent)";
}

TEST_F(RecordHttpsTest, ForwardsCredentialsNeverWritesThemAndReplaysOverTls) {
  const std::string secret = "must-not-leak";
  TempFile out("record-https");
  NasfakeProcess record({"record", "--upstream", upstream_->endpoint(), "--upstream-ca",
                         ca_.path().string(), "--out", out.path().string()});
  int port = NasfakeProcess::PortOf(record.FirstLine());
  ASSERT_NE(port, 0) << record.Stderr();
  TestClient client("127.0.0.1", port);
  Reply authorized = client.Get(kJob + "?alt=json&key=AIza-" + secret,
                                {{"Authorization", "Bearer ya29." + secret},
                                 {"X-Goog-Api-Key", "AIza-header-" + secret},
                                 {"Cookie", "SID=" + secret}});
  ASSERT_EQ(authorized.status, 200) << authorized.error << authorized.body << record.Stderr();
  EXPECT_EQ(authorized.json()["state"], "JOB_STATE_RUNNING");
  Reply anonymous = client.Get(kJob);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(record.SignalAndWait(SIGTERM), 0) << record.Stderr();

  // The upstream got the credentials…
  std::vector<journal::Entry> seen = upstream_->journal().Entries();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(HeaderOf(seen[0], "authorization"), "Bearer ya29." + secret);
  EXPECT_EQ(HeaderOf(seen[0], "x-goog-api-key"), "AIza-header-" + secret);
  EXPECT_EQ(seen[0].target, kJob + "?alt=json&key=AIza-" + secret);
  // …the transcript holds none of them.
  EXPECT_THAT(out.Read(), Not(HasSubstr(secret)));
  auto transcript = scenarios::LoadTranscriptFile(out.path());
  ASSERT_THAT(transcript, IsOk());
  ASSERT_EQ(transcript->exchanges.size(), 2u);
  const api::Request& first = transcript->exchanges[0].request;
  EXPECT_EQ(first.target, kJob + "?alt=json&key=%3Credacted%3E");
  EXPECT_EQ(first.Header("authorization"), "<redacted>");
  EXPECT_EQ(first.Header("x-goog-api-key"), "<redacted>");
  EXPECT_EQ(first.Header("cookie"), "<redacted>");
  EXPECT_EQ(transcript->exchanges[0].response.body, authorized.body);
  EXPECT_EQ(transcript->exchanges[1].response.status, 401);

  // Replayed over TLS, to a client that trusts the CA file replay prints.
  NasfakeProcess replay({"replay", out.path().string(), "--tls"});
  std::string endpoint = replay.FirstLine();
  ASSERT_THAT(endpoint, StartsWith("NASFAKE_ENDPOINT=https://127.0.0.1:")) << replay.Stderr();
  std::string ca_line = replay.FirstLine();
  ASSERT_THAT(ca_line, StartsWith("NASFAKE_CA_FILE="));
  std::filesystem::path ca_file = ca_line.substr(std::string("NASFAKE_CA_FILE=").size());
  std::ifstream in(ca_file);
  std::stringstream ca_pem;
  ca_pem << in.rdbuf();
  TestClient over_tls("127.0.0.1", NasfakeProcess::PortOf(endpoint), ca_pem.str());
  Reply replayed = over_tls.Get(kJob + "?key=another");  // keys are not matched
  EXPECT_EQ(replayed.status, 200) << replayed.error;
  EXPECT_EQ(replayed.body, authorized.body);
  EXPECT_EQ(over_tls.Get(kJob).status, 401);
  EXPECT_EQ(replay.SignalAndWait(SIGTERM), 0) << replay.Stderr();
  EXPECT_FALSE(std::filesystem::exists(ca_file.parent_path()));
}

TEST_F(RecordHttpsTest, AnUntrustedUpstreamIsAnswered502AndTheWarningSaysWhy) {
  TempFile out("record-https-untrusted");
  NasfakeProcess record({"record", "--upstream", upstream_->endpoint(), "--out",
                         out.path().string()});  // the system's CAs: not the fake's
  int port = NasfakeProcess::PortOf(record.FirstLine());
  ASSERT_NE(port, 0) << record.Stderr();
  TestClient client("127.0.0.1", port);
  EXPECT_EQ(client.Get(kJob, {{"Authorization", "Bearer t"}}).status, 502);
  EXPECT_EQ(record.SignalAndWait(SIGTERM), 0);
  EXPECT_THAT(record.Stderr(), HasSubstr("SSLServerVerification: unable to get local issuer"));
  EXPECT_THAT(record.Stderr(), HasSubstr("--upstream-ca FILE"));
  EXPECT_TRUE(upstream_->journal().Entries().empty());  // nothing reached it
}

TEST(RecordCommandTest, RefusesOtherSchemesMissingFlagsAndABadUpstreamCa) {
  NasfakeProcess ftp({"record", "--upstream", "ftp://example.com", "--out", "/tmp/never.json"});
  EXPECT_EQ(ftp.FirstLine(), "");
  EXPECT_EQ(ftp.Wait(), 2);
  EXPECT_THAT(ftp.Stderr(), HasSubstr("--upstream must be an http:// or https:// URL"));
  EXPECT_FALSE(std::filesystem::exists("/tmp/never.json"));

  NasfakeProcess no_out({"record", "--upstream", "http://127.0.0.1:9"});
  EXPECT_EQ(no_out.Wait(), 2);
  EXPECT_THAT(no_out.Stderr(), HasSubstr("--out is required"));

  NasfakeProcess ca_for_http({"record", "--upstream", "http://127.0.0.1:9", "--upstream-ca",
                              "/etc/hostname", "--out", "/tmp/never.json"});
  EXPECT_EQ(ca_for_http.Wait(), 2);
  EXPECT_THAT(ca_for_http.Stderr(), HasSubstr("--upstream-ca is for an https:// upstream"));

  NasfakeProcess not_a_ca({"record", "--upstream", "https://127.0.0.1:9", "--upstream-ca",
                           "/etc/hostname", "--out", "/tmp/never.json"});
  EXPECT_EQ(not_a_ca.FirstLine(), "");
  EXPECT_EQ(not_a_ca.Wait(), 3);
  EXPECT_THAT(not_a_ca.Stderr(), HasSubstr("/etc/hostname: no PEM certificate"));
  EXPECT_FALSE(std::filesystem::exists("/tmp/never.json"));
}

TEST(RecordCommandTest, UnwritableOutIsExitCode3) {
  NasfakeProcess record(
      {"record", "--upstream", "http://127.0.0.1:9", "--out", "/nonexistent-dir/t.json"});
  EXPECT_EQ(record.FirstLine(), "");
  EXPECT_EQ(record.Wait(), 3);
  EXPECT_THAT(record.Stderr(),
              HasSubstr("/nonexistent-dir/t.json: cannot write: No such file or directory"));
}

TEST(ReplayCommandTest, BadTranscriptIsExitCode3AndMissingArgumentIs2) {
  TempFile bad("replay-bad");
  std::ofstream(bad.path()) << R"({"nasfakeTranscript": 1, "exchanges": [{"request": {}}]})";
  NasfakeProcess replay({"replay", bad.path().string()});
  EXPECT_EQ(replay.FirstLine(), "");
  EXPECT_EQ(replay.Wait(), 3);
  EXPECT_THAT(replay.Stderr(), HasSubstr(": exchanges[0].request.method: required"));

  NasfakeProcess missing({"replay"});
  EXPECT_EQ(missing.Wait(), 2);
}

}  // namespace
}  // namespace nasfake
