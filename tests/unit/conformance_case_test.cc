// The conformance runner's case loader and checks, on synthetic results and
// journals: each check must fail for the behaviour it exists to catch.
#include "conformance/runner/conformance_case.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "conformance/runner/runner.h"
#include "fake/testing/status_matchers.h"

namespace nasfake::conformance {
namespace {

using ::nasfake::testing::IsOk;
using ::nasfake::testing::StatusIs;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kScenarios = std::string(NASFAKE_SOURCE_DIR) + "/scenarios/library";

Case Parse(const json& document) {
  auto c = CaseFromJson(document, "t.json", kScenarios);
  EXPECT_THAT(c, IsOk());
  return c.ok() ? *c : Case{};
}

journal::Entry Request(std::string method, std::string operation, int status, std::string body = "",
                       int at_ms = 0, std::string response = "") {
  journal::Entry e;
  static uint64_t id = 0;
  e.id = ++id;
  e.method = std::move(method);
  e.operation = std::move(operation);
  e.target = "/v1/projects/1/locations/l/nasJobs/1";
  e.status = status;
  e.body = std::move(body);
  e.response_body = std::move(response);
  e.real_time = std::chrono::system_clock::time_point(std::chrono::milliseconds(at_ms));
  e.headers = {{"authorization", "Bearer tok"}};
  e.completed = true;
  return e;
}

ClientResult Printed(int exit_code, const json& output) {
  return ClientResult{exit_code, output.dump(), "", std::chrono::milliseconds(5)};
}

json BaseCase() {
  return {{"id", "c"},
          {"title", "t"},
          {"level", "REQUIRED"},
          {"scenario", "cancel-succeeds"},
          {"operation", "cancel-and-wait"},
          {"args", {"projects/1/locations/l/nasJobs/1"}}};
}

TEST(ConformanceCaseTest, EveryBundledCaseLoads) {
  auto cases = LoadCases(std::string(NASFAKE_SOURCE_DIR) + "/conformance/cases", kScenarios);
  ASSERT_THAT(cases, IsOk());
  EXPECT_GE(cases->size(), 25u);
  int required = 0;
  for (const auto& c : *cases) required += c.level == Level::kRequired;
  EXPECT_GE(required, 15);
}

TEST(ConformanceCaseTest, BadCaseNamesThePath) {
  json doc = BaseCase();
  doc["expect"] = {{"wire", {{{"what", "x"}, {"count", {{"operation", "nasJobs.get"}}}}}}};
  auto c = CaseFromJson(doc, "t.json", kScenarios);
  EXPECT_THAT(c, StatusIs(StatusCode::kInvalidArgument,
                          HasSubstr("t.json: expect.wire[0]: count needs min, max")));
  doc = BaseCase();
  doc["colour"] = 1;
  EXPECT_THAT(CaseFromJson(doc, "t.json", kScenarios),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("colour: unknown key")));
  doc = BaseCase();
  doc["scenario"] = "../etc/passwd";
  EXPECT_THAT(CaseFromJson(doc, "t.json", kScenarios), Not(IsOk()));
}

TEST(ConformanceCaseTest, ExitStatusAndOutcome) {
  json doc = BaseCase();
  doc["expect"] = {{"exit", 0},
                   {"outcome",
                    {{{"pointer", "/job/state"}, {"equals", "JOB_STATE_CANCELLED"}},
                     {{"pointer", "/job/startTime"}, {"absent", true}}}}};
  Case c = Parse(doc);
  EXPECT_THAT(Evaluate(c, Printed(0, {{"job", {{"state", "JOB_STATE_CANCELLED"}}}}), {}, "tok"),
              IsEmpty());
  EXPECT_THAT(Evaluate(c, Printed(0, {{"job", {{"state", "JOB_STATE_CANCELLING"}}}}), {}, "tok"),
              ElementsAre(HasSubstr("/job/state is \"JOB_STATE_CANCELLING\", expected "
                                    "\"JOB_STATE_CANCELLED\"")));
  EXPECT_THAT(
      Evaluate(
          c,
          Printed(0, {{"job",
                       {{"state", "JOB_STATE_CANCELLED"}, {"startTime", "2026-01-01T00:00:00Z"}}}}),
          {}, "tok"),
      ElementsAre(HasSubstr("/job/startTime should be absent")));
  EXPECT_THAT(Evaluate(c, Printed(1, {{"error", {{"status", "UNKNOWN"}}}}), {}, "tok"),
              ::testing::Contains(HasSubstr("exit status 1 (API error), expected 0")));
  EXPECT_THAT(Evaluate(c, ClientResult{3, "Traceback", "", {}}, {}, "tok"),
              ElementsAre(HasSubstr("crashed: exit status 3")));
  EXPECT_THAT(Evaluate(c, ClientResult{0, "not json", "", {}}, {}, "tok"),
              ElementsAre(HasSubstr("not one JSON object")));
  EXPECT_THAT(Evaluate(c, ClientResult{-1, "", "", std::chrono::milliseconds(13000)}, {}, "tok"),
              ElementsAre(HasSubstr("did not finish")));
}

TEST(ConformanceCaseTest, CountEveryAndNoneAfter) {
  json doc = BaseCase();
  doc["expect"] = {
      {"wire",
       {{{"what", "one cancel"},
         {"count", {{"operation", "nasJobs.cancel"}}},
         {"min", 1},
         {"max", 1}},
        {{"what", "empty body"},
         {"every", {{"operation", "nasJobs.cancel"}}},
         {"bodyIn", {"", "{}"}}},
        {{"what", "token"},
         {"every", json::object()},
         {"headers", {{"Authorization", "Bearer {token}"}}}},
        {{"what", "stop"},
         {"noneAfter", {{"operation", "nasJobs.get"}, {"responseContains", "CANCELLED"}}},
         {"select", {{"operation", "nasJobs.get"}}}}}}};
  Case c = Parse(doc);
  ClientResult ok = Printed(0, {{"job", {{"state", "JOB_STATE_CANCELLED"}}}});
  std::vector<journal::Entry> good = {Request("POST", "nasJobs.cancel", 200, "{}"),
                                      Request("GET", "nasJobs.get", 200, "", 0, "CANCELLING"),
                                      Request("GET", "nasJobs.get", 200, "", 0, "CANCELLED")};
  EXPECT_THAT(Evaluate(c, ok, good, "tok"), IsEmpty());

  auto twice = good;
  twice.push_back(Request("POST", "nasJobs.cancel", 200, "{}"));
  EXPECT_THAT(Evaluate(c, ok, twice, "tok"),
              ::testing::Contains(HasSubstr("one cancel: expected 1 nasJobs.cancel, saw 2")));
  auto body = good;
  body[0].body = "{\"force\":true}";
  EXPECT_THAT(Evaluate(c, ok, body, "tok"), ElementsAre(HasSubstr("empty body: request #")));
  auto unread_body = good;
  unread_body[0].body = "";
  unread_body[0].headers.emplace_back("content-length", "7");
  EXPECT_THAT(Evaluate(c, ok, unread_body, "tok"), ElementsAre(HasSubstr("(content-length: 7)")));
  auto no_token = good;
  no_token[1].headers.clear();
  EXPECT_THAT(Evaluate(c, ok, no_token, "tok"),
              ElementsAre(HasSubstr("header authorization is missing")));
  auto extra = good;
  extra.push_back(Request("GET", "nasJobs.get", 200, "", 0, "CANCELLED"));
  EXPECT_THAT(Evaluate(c, ok, extra, "tok"), ElementsAre(HasSubstr("stop: request #")));
}

TEST(ConformanceCaseTest, RateAndGapUseRealTime) {
  json doc = BaseCase();
  doc["expect"] = {
      {"wire",
       {{{"what", "backoff"}, {"rate", {{"operation", "nasJobs.get"}}}, {"maxPerSecond", 20}},
        {{"what", "retry delay"},
         {"gap", {{"operation", "nasJobs.get"}}},
         {"after", {{"status", 429}}},
         {"atLeastMs", 1950}}}}};
  Case c = Parse(doc);
  ClientResult ok = Printed(0, {{"job", json::object()}});
  std::vector<journal::Entry> slow = {Request("GET", "nasJobs.get", 429, "", 0),
                                      Request("GET", "nasJobs.get", 200, "", 2000),
                                      Request("GET", "nasJobs.get", 200, "", 2100)};
  EXPECT_THAT(Evaluate(c, ok, slow, "tok"), IsEmpty());
  std::vector<journal::Entry> hammering = {Request("GET", "nasJobs.get", 429, "", 0)};
  for (int i = 1; i <= 10; ++i) hammering.push_back(Request("GET", "nasJobs.get", 200, "", i));
  EXPECT_THAT(Evaluate(c, ok, hammering, "tok"),
              ElementsAre(HasSubstr("backoff: 11 nasJobs.get in 10 ms"),
                          HasSubstr("retry delay: request #")));
}

// Polls at `gaps_ms` intervals, starting at 0.
std::vector<journal::Entry> PolledAt(const std::vector<int>& gaps_ms) {
  std::vector<journal::Entry> polls = {Request("GET", "nasJobs.get", 200, "", 0)};
  int at = 0;
  for (int gap : gaps_ms) polls.push_back(Request("GET", "nasJobs.get", 200, "", at += gap));
  return polls;
}

TEST(ConformanceCaseTest, BackoffFailsAFixedIntervalUnlessItMeetsTheFloor) {
  json doc = BaseCase();
  doc["expect"] = {{"wire",
                    {{{"what", "backs off"},
                      {"backoff", {{"operation", "nasJobs.get"}}},
                      {"growth", 1.5},
                      {"floorMs", 5000}}}}};
  Case c = Parse(doc);
  ClientResult ok = Printed(0, {{"job", json::object()}});
  // The reference client's schedule (20 ms ×1.5 up to 250 ms) and a doubling one pass.
  EXPECT_THAT(Evaluate(c, ok, PolledAt({30, 45, 67, 101, 151, 227, 250, 250, 250, 250}), "tok"),
              IsEmpty());
  EXPECT_THAT(Evaluate(c, ok, PolledAt({100, 200, 400}), "tok"), IsEmpty());
  // Every 200 ms forever fails, and the verdict lists the gaps.
  EXPECT_THAT(Evaluate(c, ok, PolledAt({200, 201, 199, 200, 200, 202, 200, 199, 200, 200}), "tok"),
              ElementsAre(AllOf(HasSubstr("backs off: the gaps between nasJobs.get do not grow: "
                                          "200, 201, 199, 200"),
                                HasSubstr("1.00x the earlier half's; expected at least 1.50x"),
                                HasSubstr("or no gap under 5000 ms"))));
  // Growing, but not enough, fails too; shrinking gaps fail.
  EXPECT_THAT(Evaluate(c, ok, PolledAt({200, 220, 240, 260}), "tok"), Not(IsEmpty()));
  EXPECT_THAT(Evaluate(c, ok, PolledAt({400, 200, 100}), "tok"), Not(IsEmpty()));
  // A fixed interval at the floor or beyond passes; one gap is nothing to judge.
  EXPECT_THAT(Evaluate(c, ok, PolledAt({5000, 5000, 5001}), "tok"), IsEmpty());
  EXPECT_THAT(Evaluate(c, ok, PolledAt({200}), "tok"), IsEmpty());

  doc["expect"]["wire"][0]["growth"] = 0.5;
  EXPECT_THAT(CaseFromJson(doc, "t.json", kScenarios),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("growth: expected a number of at")));
}

// A case runs over both transports unless it names one; a wire check is
// checked over the case's transports unless it names some of them; and a
// request over the other transport is a failure of its own.
TEST(ConformanceCaseTest, TransportsOfACaseAndOfItsChecks) {
  json doc = BaseCase();
  doc["expect"] = {{"wire",
                    {{{"what", "sent as JSON"},
                      {"transports", {"rest"}},
                      {"every", json::object()},
                      {"headers", {{"content-type", "application/json*"}}}},
                     {{"what", "routing header agrees"},
                      {"transports", {"grpc"}},
                      {"count", {{"actionContains", "x-goog-request-params"}}},
                      {"max", 0}}}}};
  Case c = Parse(doc);
  EXPECT_EQ(c.transports, kEveryTransport);
  ClientResult ok = Printed(0, {{"job", json::object()}});

  journal::Entry rest = Request("POST", "nasJobs.cancel", 200, "{}");
  EXPECT_THAT(Evaluate(c, ok, {rest}, "tok", api::Transport::kRest),
              ElementsAre(HasSubstr("sent as JSON: request #")));
  journal::Entry grpc = rest;
  grpc.transport = api::Transport::kGrpc;
  grpc.headers.emplace_back("content-type", "application/grpc");
  EXPECT_THAT(Evaluate(c, ok, {grpc}, "tok", api::Transport::kGrpc), IsEmpty());
  grpc.action = "pass (x-goog-request-params name=\"x\" is not the request's \"y\")";
  EXPECT_THAT(Evaluate(c, ok, {grpc}, "tok", api::Transport::kGrpc),
              ElementsAre(HasSubstr("routing header agrees: expected at most 0 requests whose "
                                    "action says \"x-goog-request-params\", saw 1")));
  // A client asked for gRPC that talks REST fails, whatever else it does.
  rest.headers.emplace_back("content-type", "application/json");
  EXPECT_THAT(Evaluate(c, ok, {rest}, "tok", api::Transport::kGrpc),
              ElementsAre(HasSubstr("came over rest; the case runs over grpc")));

  doc["transports"] = {"grpc"};
  EXPECT_THAT(CaseFromJson(doc, "t.json", kScenarios),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("expect.wire[0].transports: rest is not a transport the case "
                                 "runs on")));
  doc["transports"] = {"grpc", "grpc"};
  EXPECT_THAT(CaseFromJson(doc, "t.json", kScenarios),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("transports: names grpc twice")));
  doc["transports"] = {"http3"};
  EXPECT_THAT(
      CaseFromJson(doc, "t.json", kScenarios),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("transports: unknown transport \"http3\"")));
  doc["transports"] = json::array();
  EXPECT_THAT(CaseFromJson(doc, "t.json", kScenarios), Not(IsOk()));
}

}  // namespace
}  // namespace nasfake::conformance
