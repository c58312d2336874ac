#include "scenarios/scenario_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "fake/api/router.h"
#include "fake/errors.h"
#include "fake/model/resource_names.h"
#include "fake/testing/status_matchers.h"
#include "scenarios/answers.h"
#include "scenarios/builder.h"

namespace nasfake::scenarios {
namespace {

using ::nasfake::testing::IsOk;
using ::nasfake::testing::StatusIs;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kJob1[] = "projects/123456789012/locations/us-central1/nasJobs/1";

Scenario Load(std::string_view text) {
  auto s = ScenarioFromJson(json::parse(text), "t.json");
  EXPECT_THAT(s, IsOk());
  return s.ok() ? *s : Scenario{};
}

// The one action of the one rule of a document {"name":"x","rules":[{"id":"a","action":…}]}.
// `action` on a rule that matches `transport` ("" for any).
Action LoadAction(std::string_view action, std::string_view transport = "") {
  std::string match = transport.empty()
                          ? ""
                          : R"("match":{"transport":")" + std::string(transport) + R"("},)";
  Scenario s = Load(R"({"name":"x","rules":[{"id":"a",)" + match + R"("action":)" +
                    std::string(action) + "}]}");
  EXPECT_EQ(s.rules.size(), 1u);
  return s.rules.empty() ? Action{} : s.rules[0].actions.at(0);
}

std::string ErrorOf(std::string_view text) {
  auto s = ScenarioFromJson(json::parse(text), "t.json");
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument)) << text;
  return s.status().message();
}

std::string WithAction(std::string_view action, std::string_view transport = "") {
  std::string match = transport.empty()
                          ? ""
                          : R"("match":{"transport":")" + std::string(transport) + R"("},)";
  return R"({"name":"x","rules":[{"id":"a",)" + match + R"("action":)" + std::string(action) +
         "}]}";
}

// --- Every action kind -------------------------------------------------------

TEST(ScenarioJsonTest, MinimalDocumentHasDefaults) {
  Scenario s = Load(R"({"name":"x"})");
  Scenario expected;
  expected.name = "x";
  EXPECT_EQ(s, expected);
}

TEST(ScenarioJsonTest, PassAction) {
  Action a = LoadAction(R"({"pass":true})");
  EXPECT_EQ(a, Pass());
  EXPECT_EQ(a.kind, Action::Kind::kPass);
}

TEST(ScenarioJsonTest, AnswerWithGoogleErrorTakesTheHttpStatusOfTheCode) {
  Action a = LoadAction(R"({"answer":{"error":{"status":"UNAVAILABLE","message":"down"}}})");
  EXPECT_EQ(a.kind, Action::Kind::kAnswer);
  EXPECT_EQ(a.answer.http_status, 503);
  EXPECT_EQ(a.answer.content_type, "application/json; charset=UTF-8");
  EXPECT_EQ(a.answer.body, R"({"error":{"code":503,"message":"down","status":"UNAVAILABLE"}})");
}

TEST(ScenarioJsonTest, AnswerWithGoogleErrorStatusAndDetails) {
  Action a = LoadAction(R"({"answer":{"status":500,"headers":{"X-Debug":"1"},
      "error":{"status":"ABORTED","message":"m",
               "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"R"}]}}})");
  EXPECT_EQ(a.answer.http_status, 500);
  EXPECT_EQ(a.answer.body,
            R"({"error":{"code":500,"message":"m","status":"ABORTED","details":[{"@type":)"
            R"("type.googleapis.com/google.rpc.ErrorInfo","reason":"R"}]}})");
  EXPECT_EQ(a.answer.headers, (api::HeaderList{{"x-debug", "1"}}));
}

TEST(ScenarioJsonTest, AnswerWithJsonOrRawBody) {
  Action j = LoadAction(R"({"answer":{"status":201,"json":{"b":[1,2],"a":null}}})");
  EXPECT_EQ(j.answer.http_status, 201);
  EXPECT_EQ(j.answer.body, R"({"a":null,"b":[1,2]})");
  Action raw = LoadAction(R"({"answer":{"body":"oops","contentType":"text/plain"}})");
  EXPECT_EQ(raw.answer.http_status, 200);
  EXPECT_EQ(raw.answer.body, "oops");
  EXPECT_EQ(raw.answer.content_type, "text/plain");
}

TEST(ScenarioJsonTest, CatalogueErrors) {
  EXPECT_EQ(LoadAction(R"({"error":"UNAVAILABLE"})"), Answer(ErrorAnswer(errors::Unavailable())));
  EXPECT_EQ(LoadAction(R"({"error":"UNAUTHENTICATED"})"),
            Answer(ErrorAnswer(errors::Unauthenticated())));
  EXPECT_EQ(LoadAction(R"({"error":"NOT_FOUND"})"), Answer(ErrorAnswer(errors::NasJobNotFound())));
  Action denied = LoadAction(R"({"error":"PERMISSION_DENIED"})");
  EXPECT_EQ(denied.answer.http_status, 403);
  EXPECT_THAT(denied.answer.body, HasSubstr("IAM_PERMISSION_DENIED"));
}

TEST(ScenarioJsonTest, RateLimitedCarriesRetryInfoAndRetryAfter) {
  Action byDefault = LoadAction(R"({"error":"RATE_LIMITED"})");
  EXPECT_EQ(byDefault, Answer(RateLimitedAnswer(seconds(1))));
  EXPECT_EQ(byDefault.answer.http_status, 429);
  EXPECT_EQ(byDefault.answer.headers, (api::HeaderList{{"retry-after", "1"}}));
  EXPECT_THAT(byDefault.answer.body, HasSubstr(R"("retryDelay":"1s")"));
  Action a = LoadAction(R"({"error":"RATE_LIMITED","retryDelay":"2.5s"})");
  EXPECT_EQ(a.answer.headers, (api::HeaderList{{"retry-after", "3"}}));
  EXPECT_THAT(a.answer.body, HasSubstr(R"("retryDelay":"2.500s")"));
}

TEST(ScenarioJsonTest, HtmlPage) {
  Action a = LoadAction(R"({"html":502})");
  EXPECT_EQ(a.kind, Action::Kind::kAnswer);
  EXPECT_EQ(a.answer.http_status, 502);
  EXPECT_EQ(a.answer.content_type, "text/html; charset=UTF-8");
  EXPECT_EQ(a.answer.body, errors::HtmlErrorPage(502, "/"));
}

TEST(ScenarioJsonTest, EveryWireFault) {
  using K = api::WireFault::Kind;
  EXPECT_EQ(LoadAction(R"({"fault":"reset"})"), Fault({K::kReset}));
  EXPECT_EQ(LoadAction(R"({"fault":"close"})"), Fault({K::kCloseBeforeResponse}));
  EXPECT_EQ(LoadAction(R"({"fault":"partial","bytes":10})"), Fault({K::kPartialThenClose, 10}));
  EXPECT_EQ(LoadAction(R"({"fault":"stall","duration":"0.5s"})"),
            Fault({K::kStall, 0, milliseconds(500)}));
  EXPECT_EQ(LoadAction(R"({"fault":"dribble","bytes":3,"duration":"0.002s"})"),
            Fault({K::kDribble, 3, milliseconds(2)}));
  EXPECT_EQ(LoadAction(R"({"fault":"goaway"})", "grpc"), Fault({K::kGoaway}));
  EXPECT_EQ(LoadAction(R"({"fault":"goaway","code":"ENHANCE_YOUR_CALM"})", "grpc"),
            Fault({.kind = K::kGoaway, .code = 0xb}));
  EXPECT_EQ(LoadAction(R"({"fault":"rst_stream","code":"CANCEL"})", "grpc"),
            Fault({.kind = K::kRstStream, .code = 0x8}));
  Action with_answer =
      LoadAction(R"({"fault":"partial","bytes":5,"answer":{"status":503,"body":"x"}})");
  EXPECT_EQ(with_answer.kind, Action::Kind::kFault);
  EXPECT_TRUE(with_answer.has_answer);
  EXPECT_EQ(with_answer.answer.http_status, 503);
  EXPECT_EQ(with_answer.answer.body, "x");
}

// The name tables are complete: every fault kind of the table loads by its
// name (with the parameters the table says it takes) and is written back
// under it; a name the table lacks is an error, never a default.
TEST(ScenarioJsonTest, EveryFaultKindOfTheTableLoadsAndRoundTrips) {
  for (const api::FaultKindInfo& row : api::kFaultKinds) {
    json action = {{"fault", row.name}};
    if (row.takes_bytes) action["bytes"] = 2;
    if (row.takes_duration) action["duration"] = "0.5s";
    if (row.takes_code()) action["code"] = "INTERNAL_ERROR";
    const std::string transport = row.rest ? "" : "grpc";
    Action loaded = LoadAction(action.dump(), transport);
    EXPECT_EQ(loaded.kind, Action::Kind::kFault) << row.name;
    EXPECT_EQ(loaded.fault.kind, row.kind) << row.name;
    EXPECT_EQ(api::FaultKindFromName(row.name), row.kind);
    Scenario scenario = Load(WithAction(action.dump(), transport));
    const json written = ScenarioToJson(scenario)["rules"][0]["action"];
    EXPECT_EQ(written["fault"], row.name);
    EXPECT_EQ(written.value("code", ""), row.takes_code() ? "INTERNAL_ERROR" : "") << row.name;
    EXPECT_EQ(LoadAction(written.dump(), transport), loaded) << row.name;
  }
  EXPECT_THAT(ErrorOf(WithAction(R"({"fault":"drop"})")),
              HasSubstr("unknown value \"drop\"; expected one of reset, close, partial"));
}

// A fault only one front end performs needs a rule (or random schedule) that
// matches only that front end's requests; "code" goes only with the kinds
// that send one, and names an HTTP/2 error code.
TEST(ScenarioJsonTest, AGrpcFaultNeedsARuleForGrpcCalls) {
  EXPECT_THAT(ErrorOf(WithAction(R"({"fault":"goaway"})")),
              HasSubstr("t.json: rules[0].action.fault: \"goaway\" is a fault of grpc calls "
                        "only; the rule must match \"transport\": \"grpc\""));
  EXPECT_THAT(ErrorOf(WithAction(R"({"fault":"rst_stream"})", "rest")),
              HasSubstr("rules[0].action.fault: \"rst_stream\" is a fault of grpc calls only"));
  EXPECT_THAT(
      ErrorOf(R"({"name":"x","rules":[{"id":"a","match":{"transport":"rest"},
                  "sequence":[{"pass":true},{"fault":"goaway"}]}]})"),
      HasSubstr("rules[0].sequence[1].fault: \"goaway\" is a fault of grpc calls only"));
  EXPECT_THAT(ErrorOf(R"({"name":"x","randomFaults":{"seed":1,"rate":0.5,
                  "choices":[{"fault":"reset"},{"fault":"rst_stream"}]}})"),
              HasSubstr("randomFaults.choices[1].fault: \"rst_stream\" is a fault of grpc calls"));
  Scenario random = Load(R"({"name":"x","randomFaults":{"seed":1,"rate":0.5,
      "match":{"transport":"grpc"},"choices":[{"fault":"rst_stream","code":"REFUSED_STREAM"}]}})");
  ASSERT_TRUE(random.random_faults.has_value());
  EXPECT_EQ(random.random_faults->choices[0].fault.code, api::kHttp2RefusedStream);

  EXPECT_THAT(ErrorOf(WithAction(R"({"fault":"reset","code":"CANCEL"})")),
              HasSubstr("rules[0].action.code: only allowed with \"fault\": \"goaway\" or "
                        "\"rst_stream\""));
  EXPECT_THAT(ErrorOf(WithAction(R"({"fault":"rst_stream","code":"CANCELLED"})", "grpc")),
              HasSubstr("rules[0].action.code: unknown value \"CANCELLED\"; expected one of "
                        "NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR"));
  EXPECT_THAT(ErrorOf(WithAction(R"({"fault":"rst_stream","code":8})", "grpc")),
              HasSubstr("rules[0].action.code:"));
}

// Every operation of the route table is one a rule may match on, and the
// loader lists them all when a name is unknown.
TEST(ScenarioJsonTest, EveryRouteOperationIsAcceptedAndNoOther) {
  ASSERT_FALSE(api::OperationNames().empty());
  for (std::string_view operation : api::OperationNames()) {
    Scenario s = Load(R"({"name":"x","rules":[{"id":"a","match":{"operation":")" +
                      std::string(operation) + R"("},"action":{"pass":true}}]})");
    ASSERT_EQ(s.rules.size(), 1u) << operation;
    EXPECT_EQ(s.rules[0].match.operation, std::string(operation));
  }
  std::string error = ErrorOf(
      R"({"name":"x","rules":[{"id":"a","match":{"operation":"nasJobs.frob"},"action":{"pass":true}}]})");
  for (std::string_view operation : api::OperationNames()) {
    EXPECT_THAT(error, HasSubstr(std::string(operation)));
  }
}

TEST(ScenarioJsonTest, TransportMatchLoadsAndRoundTrips) {
  Scenario s = Load(
      R"({"name":"x","rules":[{"id":"a","match":{"transport":"grpc"},"action":{"pass":true}}]})");
  ASSERT_EQ(s.rules.size(), 1u);
  EXPECT_EQ(s.rules[0].match.transport, api::Transport::kGrpc);
  EXPECT_EQ(ScenarioToJson(s)["rules"][0]["match"]["transport"], "grpc");
  EXPECT_THAT(
      ErrorOf(
          R"({"name":"x","rules":[{"id":"a","match":{"transport":"h3"},"action":{"pass":true}}]})"),
      HasSubstr("rules[0].match.transport: unknown value \"h3\"; expected one of rest, grpc"));
}

TEST(ScenarioJsonTest, DelayAndHold) {
  EXPECT_EQ(LoadAction(R"({"delay":"2s"})"), Delay(seconds(2)));
  EXPECT_TRUE(LoadAction(R"({"delay":"2s"})").virtual_delay);
  EXPECT_EQ(LoadAction(R"({"delay":"0.25s","clock":"real"})"), Delay(milliseconds(250), false));
  EXPECT_EQ(LoadAction(R"({"hold":"cancel-gate"})"), Hold("cancel-gate"));
}

// --- Lifecycles, rules, random faults -----------------------------------------

TEST(ScenarioJsonTest, LifecycleDurationsNullMeansForeverAbsentMeansDefault) {
  Scenario s = Load(R"({"name":"x","lifecycle":{"queuedFor":"0s","runningFor":null,
      "cancellingPolls":2,"outcome":"JOB_STATE_FAILED","failureError":{"code":13,"message":"boom"},
      "cancelEffect":"FINISHES_FIRST"}})");
  ASSERT_TRUE(s.lifecycle);
  store::LifecycleSettings expected;
  expected.queued_for = seconds(0);
  expected.running_for = std::nullopt;
  expected.cancelling_polls = 2;
  expected.outcome = model::JobState::kFailed;
  expected.failure_error = {13, "boom"};
  expected.cancel_effect = store::LifecycleSettings::CancelEffect::kFinishesFirst;
  EXPECT_EQ(*s.lifecycle, expected);
  EXPECT_EQ(s.lifecycle->pending_for, store::LifecycleSettings{}.pending_for);
}

TEST(ScenarioJsonTest, JobLifecycleNamesAreCanonicalAndSorted) {
  Scenario s = Load(R"({"name":"x","jobLifecycles":{
      "projects/my-project/locations/us-central1/nasJobs/7":{"runningFor":"1s"},
      "projects/1/locations/us-central1/nasJobs/2":{}}})");
  ASSERT_EQ(s.job_lifecycles.size(), 2u);
  std::string canonical =
      "projects/" + model::CanonicalProject("my-project") + "/locations/us-central1/nasJobs/7";
  std::vector<std::string> names = {s.job_lifecycles[0].first, s.job_lifecycles[1].first};
  std::vector<std::string> expected = {"projects/1/locations/us-central1/nasJobs/2", canonical};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);
}

TEST(ScenarioJsonTest, RulesMatchAndCounts) {
  Scenario s = Load(R"({"name":"x","operations":{"deletePollsUntilDone":3},"rules":[
      {"id":"a","match":{"method":"POST","operation":"nasJobs.cancel","resource":"*/nasJobs/1",
                         "headers":{"X-Goog-Request-Params":"*"},"body":"*{}*"},
       "after":1,"times":2,"action":{"pass":true}},
      {"id":"b","sequence":[{"hold":"h"},{"pass":true}]},
      {"id":"c","sequence":[{"hold":"once"}]}]})");
  EXPECT_EQ(s.delete_polls_until_done, 3);
  ASSERT_EQ(s.rules.size(), 3u);
  RequestMatch m = Match()
                       .Method("POST")
                       .Operation("nasJobs.cancel")
                       .Resource("*/nasJobs/1")
                       .Header("x-goog-request-params", "*")
                       .Body("*{}*");
  EXPECT_EQ(s.rules[0].match, m);
  EXPECT_EQ(s.rules[0].after, 1);
  EXPECT_EQ(s.rules[0].times, 2);
  EXPECT_EQ(s.rules[1].actions, (std::vector<Action>{Hold("h"), Pass()}));
  EXPECT_EQ(s.rules[1].times, std::nullopt);
  // A one-action sequence applies once.
  EXPECT_EQ(s.rules[2].actions, (std::vector<Action>{Hold("once")}));
  EXPECT_EQ(s.rules[2].times, 1);
}

TEST(ScenarioJsonTest, RandomFaults) {
  Scenario s = Load(R"({"name":"x","randomFaults":{"seed":18446744073709551615,"rate":0.25,
      "match":{"operation":"nasJobs.get"},"choices":[{"fault":"reset"},{"error":"UNAVAILABLE"}]}})");
  ASSERT_TRUE(s.random_faults);
  EXPECT_EQ(s.random_faults->seed, 18446744073709551615u);
  EXPECT_EQ(s.random_faults->rate, 0.25);
  EXPECT_EQ(s.random_faults->match, RequestMatch(Match().Operation("nasJobs.get")));
  EXPECT_EQ(s.random_faults->choices,
            (std::vector<Action>{Fault({api::WireFault::Kind::kReset}),
                                 Answer(ErrorAnswer(errors::Unavailable()))}));
  EXPECT_EQ(Load(R"({"name":"x","randomFaults":{"seed":0,"rate":1,"choices":[{"pass":true}]}})")
                .random_faults->rate,
            1.0);
}

TEST(ScenarioJsonTest, SeedIsKeptAsJson) {
  Scenario s = Load(R"({"name":"x","seed":{"nasJobs":[{"name":"n"}],"nasTrialDetails":[]}})");
  EXPECT_EQ(s.seed, json::parse(R"({"nasJobs":[{"name":"n"}],"nasTrialDetails":[]})"));
}

// --- Malformed documents: the exact error text --------------------------------

struct Malformed {
  std::string document;
  std::string message;
};

TEST(ScenarioJsonTest, MalformedDocumentsNameThePathAndWhatWasExpected) {
  const std::vector<Malformed> cases = {
      {R"([])", "t.json: (root): expected an object, got array"},
      {R"({"name":"x","rulez":[]})",
       "t.json: rulez: unknown key; expected one of name, description, seed, lifecycle, "
       "jobLifecycles, operations, pagination, rules, randomFaults"},
      {R"({})", "t.json: name: required; expected a non-empty string"},
      {R"({"name":3})", "t.json: name: expected a non-empty string, got number"},
      {R"({"name":""})", "t.json: name: expected a non-empty string"},
      {R"({"name":"x","rules":[{"id":"a","action":{"pass":true},"when":1}]})",
       "t.json: rules[0].when: unknown key; expected one of id, match, after, times, action, "
       "sequence"},
      {WithAction(R"({"fualt":"reset"})"),
       "t.json: rules[0].action.fualt: unknown key; expected one of pass, answer, error, "
       "retryDelay, html, fault, bytes, duration, code, delay, clock, hold"},
      {WithAction(R"({"answer":{"stauts":500}})"),
       "t.json: rules[0].action.answer.stauts: unknown key; expected one of status, error, json, "
       "body, contentType, headers"},
      {WithAction(R"({"fault":"rst"})"),
       "t.json: rules[0].action.fault: unknown value \"rst\"; expected one of reset, close, "
       "partial, stall, dribble, goaway, rst_stream"},
      {WithAction(R"({"fault":"partial"})"),
       "t.json: rules[0].action.bytes: required with \"fault\": \"partial\"; expected an integer "
       ">= 1"},
      {WithAction(R"({"fault":"dribble","bytes":0,"duration":"1s"})"),
       "t.json: rules[0].action.bytes: expected an integer >= 1, got 0"},
      {WithAction(R"({"fault":"stall"})"),
       "t.json: rules[0].action.duration: required with \"fault\": \"stall\"; expected a duration "
       "such as \"0.5s\""},
      {WithAction(R"({"fault":"reset","bytes":3})"),
       "t.json: rules[0].action.bytes: only allowed with \"fault\": \"partial\" or \"dribble\""},
      {WithAction(R"({"fault":"stall","duration":"0.0005s"})"),
       "t.json: rules[0].action.duration: expected a positive whole number of milliseconds such as "
       "\"0.5s\", got \"0.0005s\""},
      {R"({"name":"x","rules":[{"id":"a","action":{"pass":true}},{"id":"b","action":{"pass":true}},
          {"id":"a","action":{"pass":true}}]})",
       "t.json: rules[2].id: duplicate id \"a\" (also rules[0].id)"},
      {R"({"name":"x","rules":[{"action":{"pass":true}}]})",
       "t.json: rules[0].id: required; expected a non-empty string"},
      {R"({"name":"x","rules":[{"id":"a","action":{"pass":true},"sequence":[{"pass":true}]}]})",
       "t.json: rules[0]: has both \"action\" and \"sequence\"; expected exactly one"},
      {R"({"name":"x","rules":[{"id":"a"}]})",
       "t.json: rules[0]: expected exactly one of \"action\" and \"sequence\""},
      {R"({"name":"x","rules":[{"id":"a","times":2,"sequence":[{"pass":true}]}]})",
       "t.json: rules[0].times: only allowed with \"action\" (a sequence applies once per action)"},
      {R"({"name":"x","rules":[{"id":"a","sequence":[]}]})",
       "t.json: rules[0].sequence: expected a non-empty array of actions, got []"},
      {R"({"name":"x","rules":[{"id":"a","sequence":[{"pass":true},{"delay":"soon"}]}]})",
       "t.json: rules[0].sequence[1].delay: expected a duration >= 0s such as \"0.5s\", got "
       "\"soon\""},
      {R"({"name":"x","rules":[{"id":"a","times":0,"action":{"pass":true}}]})",
       "t.json: rules[0].times: expected an integer >= 1, got 0"},
      {R"({"name":"x","rules":[{"id":"a","after":"1","action":{"pass":true}}]})",
       "t.json: rules[0].after: expected an integer >= 0, got string"},
      {R"({"name":"x","rules":[{"id":"a","after":1.5,"action":{"pass":true}}]})",
       "t.json: rules[0].after: expected an integer >= 0, got number"},
      {R"({"name":"x","lifecycle":{"queuedFor":"5 minutes"}})",
       "t.json: lifecycle.queuedFor: expected a duration >= 0s such as \"0.5s\", got \"5 "
       "minutes\""},
      {R"({"name":"x","lifecycle":{"runningFor":"-1s"}})",
       "t.json: lifecycle.runningFor: expected a duration >= 0s such as \"0.5s\", got \"-1s\""},
      {R"({"name":"x","lifecycle":{"outcome":"JOB_STATE_CANCELLED"}})",
       "t.json: lifecycle.outcome: unknown value \"JOB_STATE_CANCELLED\"; expected one of "
       "JOB_STATE_SUCCEEDED, JOB_STATE_FAILED"},
      {R"({"name":"x","lifecycle":{"cancelEffect":"WINS"}})",
       "t.json: lifecycle.cancelEffect: unknown value \"WINS\"; expected one of CANCELS, "
       "FINISHES_FIRST"},
      {R"({"name":"x","lifecycle":{"cancellingPolls":-1}})",
       "t.json: lifecycle.cancellingPolls: expected an integer >= 0, got -1"},
      {R"({"name":"x","lifecycle":{"failureError":{"code":0,"message":""}}})",
       "t.json: lifecycle.failureError.code: expected an integer from 1 to 16, got 0"},
      {R"({"name":"x","lifecycle":{"failureError":{"code":9}}})",
       "t.json: lifecycle.failureError.message: required; expected a string"},
      {R"({"name":"x","lifecycle":{"queued_for":"1s"}})",
       "t.json: lifecycle.queued_for: unknown key; expected one of queuedFor, pendingFor, "
       "runningFor, cancellingFor, cancellingPolls, outcome, failureError, cancelEffect"},
      {R"({"name":"x","rules":[{"id":"a","match":{"operation":"nasJobs.patch"},"action":{"pass":true}}]})",
       "t.json: rules[0].match.operation: unknown value \"nasJobs.patch\"; expected one of "
       "nasJobs.create, nasJobs.list, nasJobs.get, nasJobs.delete, nasJobs.cancel, "
       "nasTrialDetails.list, nasTrialDetails.get, operations.list, operations.get, "
       "operations.delete, operations.cancel, operations.wait"},
      {R"({"name":"x","rules":[{"id":"a","match":{"method":"get"},"action":{"pass":true}}]})",
       "t.json: rules[0].match.method: expected an HTTP method in uppercase letters such as "
       "\"GET\", got \"get\""},
      {R"({"name":"x","rules":[{"id":"a","match":{"headers":{"X-A":"1","x-a":"2"}},"action":{"pass":true}}]})",
       "t.json: rules[0].match.headers[\"x-a\"]: header \"x-a\" given twice"},
      {R"({"name":"x","rules":[{"id":"a","match":{"headers":{"x-a":1}},"action":{"pass":true}}]})",
       "t.json: rules[0].match.headers[\"x-a\"]: expected a string, got number"},
      {R"({"name":"x","jobLifecycles":{"projects/p/nasJobs/1":{}}})",
       "t.json: jobLifecycles[\"projects/p/nasJobs/1\"]: expected a job name "
       "projects/{project}/locations/{location}/nasJobs/{numeric id}"},
      {R"({"name":"x","jobLifecycles":{"projects/1/locations/l/nasJobs/1":{"outcome":3}}})",
       "t.json: jobLifecycles[\"projects/1/locations/l/nasJobs/1\"].outcome: expected one of "
       "JOB_STATE_SUCCEEDED, JOB_STATE_FAILED, got number"},
      {R"({"name":"x","randomFaults":{"seed":1,"rate":1.5,"choices":[{"pass":true}]}})",
       "t.json: randomFaults.rate: expected a number from 0 to 1, got 1.5"},
      {R"({"name":"x","randomFaults":{"seed":-1,"rate":0.5,"choices":[{"pass":true}]}})",
       "t.json: randomFaults.seed: expected an integer >= 0, got -1"},
      {R"({"name":"x","randomFaults":{"seed":1,"rate":0.5}})",
       "t.json: randomFaults.choices: required; expected a non-empty array of actions"},
      {WithAction(R"({"pass":false})"), "t.json: rules[0].action.pass: expected true, got false"},
      {WithAction(R"({"pass":true,"hold":"h"})"),
       "t.json: rules[0].action: expected exactly one of pass, answer, error, html, fault, delay, "
       "hold; got pass and hold"},
      {WithAction(R"({"clock":"real"})"),
       "t.json: rules[0].action: expected exactly one of pass, answer, error, html, fault, delay, "
       "hold; got none"},
      {WithAction(R"({"hold":"h","clock":"real"})"),
       "t.json: rules[0].action.clock: not allowed in a \"hold\" action"},
      {WithAction(R"({"delay":"1s","clock":"wall"})"),
       "t.json: rules[0].action.clock: unknown value \"wall\"; expected one of virtual, real"},
      {WithAction(R"({"error":"UNAVAILABLE","retryDelay":"2s"})"),
       "t.json: rules[0].action.retryDelay: only allowed with \"error\": \"RATE_LIMITED\""},
      {WithAction(R"({"error":"INTERNAL"})"),
       "t.json: rules[0].action.error: unknown value \"INTERNAL\"; expected one of UNAVAILABLE, "
       "RATE_LIMITED, PERMISSION_DENIED, UNAUTHENTICATED, NOT_FOUND"},
      {WithAction(R"({"html":500})"),
       "t.json: rules[0].action.html: expected 404, 502 or 503, got 500"},
      {WithAction(R"({"answer":{"json":{},"body":""}})"),
       "t.json: rules[0].action.answer: at most one of error, json, body"},
      {WithAction(R"({"answer":{"status":600}})"),
       "t.json: rules[0].action.answer.status: expected an integer from 100 to 599, got 600"},
      {WithAction(R"({"answer":{"headers":{"Content-Length":"3"}}})"),
       "t.json: rules[0].action.answer.headers[\"Content-Length\"]: the transport sets this "
       "header; it cannot be scripted"},
      {WithAction(R"({"answer":{"error":{"status":"UNAVAILABLE","details":[{"reason":"x"}]}}})"),
       "t.json: rules[0].action.answer.error.details[0].@type: required; expected a type URL "
       "string"},
      {WithAction(R"({"fault":"partial","bytes":1,"answer":{"body":1}})"),
       "t.json: rules[0].action.answer.body: expected a string, got number"},
      {WithAction(R"({"answer":{"headers":{"x-a":"1\r\nx-b: 2"}}})"),
       "t.json: rules[0].action.answer.headers[\"x-a\"]: expected a header value without CR, LF "
       "or NUL"},
      {WithAction(R"({"answer":{"headers":[["x-a"]]}})"),
       "t.json: rules[0].action.answer.headers[0]: expected a [name, value] pair of strings"},
      {WithAction(R"({"answer":{"headers":[["x a","1"]]}})"),
       "t.json: rules[0].action.answer.headers[0]: expected an HTTP header name (letters, digits, "
       "'-' …)"},
      {R"({"name":"x","seed":{"jobs":[]}})",
       "t.json: seed.jobs: unknown key; expected one of nasJobs, nasTrialDetails"},
      {R"({"name":"x","seed":{"nasJobs":{}}})",
       "t.json: seed.nasJobs: expected an array, got object"},
      {R"({"name":"x","operations":{"deletePollsUntilDone":-2}})",
       "t.json: operations.deletePollsUntilDone: expected an integer >= 0, got -2"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.document);
    EXPECT_EQ(ErrorOf(c.document), c.message);
  }
}

TEST(ScenarioJsonTest, OutOfRangeAndOddValuesAreErrorsNotExceptions) {
  EXPECT_EQ(
      ErrorOf(R"({"name":"x","rules":[{"id":"a","times":3000000000,"action":{"pass":true}}]})"),
      "t.json: rules[0].times: expected an integer <= 2147483647, got 3000000000");
  EXPECT_EQ(
      ErrorOf(
          R"({"name":"x","rules":[{"id":"a","after":18446744073709551615,"action":{"pass":true}}]})"),
      "t.json: rules[0].after: expected an integer <= 2147483647, got 18446744073709551615");
  // A document built in C++ may hold invalid UTF-8; messages replace it.
  json doc = {{"name", "x"}, {"rules", {{{"id", "a"}, {"action", {{"html", "\xff"}}}}}}};
  auto s = ScenarioFromJson(doc, "c++");
  EXPECT_THAT(s,
              StatusIs(StatusCode::kInvalidArgument,
                       StartsWith("c++: rules[0].action.html: expected 404, 502 or 503, got \"")));
  json nan_rate = {{"name", "x"},
                   {"randomFaults", {{"seed", 1}, {"rate", NAN}, {"choices", {{{"pass", true}}}}}}};
  EXPECT_THAT(ScenarioFromJson(nan_rate, "c++"), Not(IsOk()));
}

TEST(ScenarioJsonTest, UnknownErrorCodeNameListsTheCodes) {
  EXPECT_THAT(
      ErrorOf(WithAction(R"({"answer":{"error":{"status":"BROKEN"}}})")),
      StartsWith("t.json: rules[0].action.answer.error.status: unknown value \"BROKEN\"; expected "
                 "a google.rpc.Code name other than OK: CANCELLED, UNKNOWN, INVALID_ARGUMENT,"));
}

TEST(ScenarioJsonTest, TwoSpellingsOfOneJobAreAnError) {
  std::string number = model::CanonicalProject("my-project");
  EXPECT_THAT(ErrorOf(R"({"name":"x","jobLifecycles":{
      "projects/my-project/locations/l/nasJobs/1":{},
      "projects/)" + number +
                      R"(/locations/l/nasJobs/1":{}}})"),
              HasSubstr("names the same job as another key: projects/" + number +
                        "/locations/l/nasJobs/1"));
}

// --- Round trip ---------------------------------------------------------------

constexpr char kEveryFeature[] = R"({
  "name": "every-feature", "description": "a client retries and keeps polling",
  "seed": {"nasJobs": [{"name": "projects/123456789012/locations/us-central1/nasJobs/1"}]},
  "lifecycle": {"queuedFor": "0.5s", "pendingFor": null, "cancellingPolls": 2,
                "outcome": "JOB_STATE_FAILED",
                "failureError": {"code": 9, "message": "m",
                                 "details": [{"@type": "type.googleapis.com/x", "k": 1}]},
                "cancelEffect": "FINISHES_FIRST"},
  "jobLifecycles": {"projects/my-project/locations/us-central1/nasJobs/9": {"runningFor": "3s"}},
  "operations": {"deletePollsUntilDone": 2},
  "rules": [
    {"id": "r1", "match": {"method": "GET", "operation": "nasJobs.get", "resource": "*/1",
                           "headers": {"Authorization": "Bearer *", "x-b": "*"}, "body": ""},
     "after": 2, "times": 3, "action": {"error": "RATE_LIMITED", "retryDelay": "0.5s"}},
    {"id": "r2", "sequence": [
       {"pass": true},
       {"answer": {"error": {"status": "UNAVAILABLE", "message": "m"}, "headers": [["x-z", "1"], ["x-a", "2"]]}},
       {"answer": {"json": {"a": 1}, "contentType": "application/json"}},
       {"error": "UNAVAILABLE"}, {"error": "PERMISSION_DENIED"}, {"error": "UNAUTHENTICATED"},
       {"error": "NOT_FOUND"}, {"html": 404}, {"html": 503},
       {"fault": "reset"}, {"fault": "close"}, {"fault": "partial", "bytes": 7},
       {"fault": "stall", "duration": "1.5s"},
       {"fault": "dribble", "bytes": 1, "duration": "0.01s", "answer": {"body": "abc"}},
       {"delay": "2s"}, {"delay": "0.1s", "clock": "real"}, {"hold": "h"}]},
    {"id": "r3", "sequence": [{"hold": "once"}]}],
  "randomFaults": {"seed": 42, "rate": 0.2, "match": {"operation": "operations.get"},
                   "choices": [{"fault": "reset"}, {"error": "UNAVAILABLE"}]}
})";

TEST(ScenarioJsonTest, RoundTripOfEveryFeatureIsExact) {
  Scenario s = Load(kEveryFeature);
  json written = ScenarioToJson(s);
  auto again = ScenarioFromJson(written, "written");
  ASSERT_THAT(again, IsOk()) << written.dump(2);
  EXPECT_EQ(*again, s);
  EXPECT_EQ(ScenarioToJson(*again), written);
  // Unsorted answer headers keep their order through the array form.
  EXPECT_EQ(s.rules[1].actions[1].answer.headers, (api::HeaderList{{"x-z", "1"}, {"x-a", "2"}}));
  EXPECT_TRUE(written["rules"][1]["sequence"][1]["answer"]["headers"].is_array());
}

TEST(ScenarioJsonTest, ToJsonOfAnInvalidScenarioIsRefusedByTheReader) {
  Scenario s;
  s.name = "x";
  Rule r;
  r.id = "a";
  r.actions = {Fault({api::WireFault::Kind::kReset, 3})};
  s.rules = {r};
  auto again = ScenarioFromJson(ScenarioToJson(s), "w");
  EXPECT_THAT(again, StatusIs(StatusCode::kInvalidArgument,
                              "w: rules[0].action.bytes: only allowed with \"fault\": "
                              "\"partial\" or \"dribble\""));
}

// --- Builder ------------------------------------------------------------------

TEST(ScenarioBuilderTest, BuildsTheSameScenarioAsTheEquivalentJson) {
  store::LifecycleSettings slow;
  slow.running_for = std::nullopt;
  slow.cancelling_polls = 3;
  json seed = json::parse(
      R"({"nasJobs":[{"name":"projects/123456789012/locations/us-central1/nasJobs/1"}]})");
  using K = api::WireFault::Kind;
  auto built = ScenarioBuilder("cancel-races")
                   .Description("d")
                   .Seed(seed)
                   .Lifecycle(store::LifecycleSettings{})
                   .JobLifecycle(kJob1, slow)
                   .DeletePollsUntilDone(1)
                   .On(Match().Operation("nasJobs.get").Resource("*/nasJobs/1"))
                   .After(1)
                   .Times(2)
                   .Answer(ErrorAnswer(errors::Unavailable()))
                   .On(Match().Operation("nasJobs.cancel").Header("X-Test", "*"))
                   .Id("cancel")
                   .Sequence({Fault({K::kPartialThenClose, 4}, HtmlAnswer(502)), Pass()})
                   .On()
                   .Do(Delay(seconds(1), false))
                   .On(Match().Method("DELETE"))
                   .Sequence({Hold("h")})
                   .RandomFaults(7, 0.5, {Fault({K::kStall, 0, milliseconds(250)})},
                                 Match().Operation("operations.get"))
                   .Build();
  ASSERT_THAT(built, IsOk());
  Scenario from_json = Load(R"({
    "name": "cancel-races", "description": "d",
    "seed": {"nasJobs":[{"name":"projects/123456789012/locations/us-central1/nasJobs/1"}]},
    "lifecycle": {},
    "jobLifecycles": {"projects/123456789012/locations/us-central1/nasJobs/1":
                      {"runningFor": null, "cancellingPolls": 3}},
    "operations": {"deletePollsUntilDone": 1},
    "rules": [
      {"id": "rule-1", "match": {"operation": "nasJobs.get", "resource": "*/nasJobs/1"},
       "after": 1, "times": 2, "action": {"error": "UNAVAILABLE"}},
      {"id": "cancel", "match": {"operation": "nasJobs.cancel", "headers": {"x-test": "*"}},
       "sequence": [{"fault": "partial", "bytes": 4, "answer": {"status": 502,
                     "contentType": "text/html; charset=UTF-8", "body": )" +
                            json(errors::HtmlErrorPage(502, "/")).dump() + R"(}},
                    {"pass": true}]},
      {"id": "rule-3", "action": {"delay": "1s", "clock": "real"}},
      {"id": "rule-4", "match": {"method": "DELETE"}, "sequence": [{"hold": "h"}]}],
    "randomFaults": {"seed": 7, "rate": 0.5, "match": {"operation": "operations.get"},
                     "choices": [{"fault": "stall", "duration": "0.25s"}]}})");
  EXPECT_EQ(*built, from_json);
}

TEST(ScenarioBuilderTest, BuildValidatesLikeTheLoader) {
  auto no_bytes =
      ScenarioBuilder("x").On().Do(Fault({api::WireFault::Kind::kPartialThenClose})).Build();
  EXPECT_THAT(no_bytes,
              StatusIs(StatusCode::kInvalidArgument,
                       "ScenarioBuilder \"x\": rules[0].action.bytes: expected an integer >= 1, "
                       "got 0"));
  auto duplicate = ScenarioBuilder("x").On().Id("rule-2").Do(Pass()).On().Do(Pass()).Build();
  EXPECT_THAT(duplicate,
              StatusIs(StatusCode::kInvalidArgument,
                       "ScenarioBuilder \"x\": rules[1].id: duplicate id \"rule-2\" (also "
                       "rules[0].id)"));
  auto times_with_sequence = ScenarioBuilder("x").On().Times(2).Sequence({Pass(), Pass()}).Build();
  EXPECT_THAT(times_with_sequence,
              StatusIs(StatusCode::kInvalidArgument,
                       "ScenarioBuilder \"x\": rules[0]: Times() is only for a single action (Do "
                       "or Answer), not Sequence()"));
  auto bad_job = ScenarioBuilder("x").JobLifecycle("nasJobs/1", {}).Build();
  EXPECT_THAT(bad_job,
              StatusIs(StatusCode::kInvalidArgument,
                       StartsWith("ScenarioBuilder \"x\": jobLifecycles[\"nasJobs/1\"]: ")));
  EXPECT_THAT(ScenarioBuilder("").Build(), Not(IsOk()));
}

TEST(ScenarioBuilderTest, BuiltScenarioRoundTrips) {
  auto built = ScenarioBuilder("x")
                   .On(Match().Header("B", "1").Header("A", "2"))
                   .Answer(RateLimitedAnswer(seconds(2)))
                   .Build();
  ASSERT_THAT(built, IsOk());
  EXPECT_EQ(built->rules[0].match.headers, (api::HeaderList{{"b", "1"}, {"a", "2"}}));
  auto again = ScenarioFromJson(ScenarioToJson(*built), "w");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *built);
}

// --- Files --------------------------------------------------------------------

TEST(LoadScenarioFileTest, ReadsAFileAndNamesItInErrors) {
  auto dir = std::filesystem::path(::testing::TempDir()) / "scenario_json_test";
  std::filesystem::create_directories(dir);
  auto good = dir / "good.json";
  std::ofstream(good) << R"({"name":"g","rules":[{"id":"a","action":{"hold":"h"}}]})";
  auto loaded = LoadScenarioFile(good);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ(loaded->name, "g");

  auto bad = dir / "bad.json";
  std::ofstream(bad) << R"({"name":"g","rules":[{"id":"a","action":{"hold":""}}]})";
  EXPECT_THAT(LoadScenarioFile(bad),
              StatusIs(StatusCode::kInvalidArgument,
                       bad.string() + ": rules[0].action.hold: expected a non-empty string"));

  auto broken = dir / "broken.json";
  std::ofstream(broken) << R"({"name":)";
  EXPECT_THAT(LoadScenarioFile(broken),
              StatusIs(StatusCode::kInvalidArgument, StartsWith(broken.string() + ": (json): ")));

  auto missing = dir / "missing.json";
  EXPECT_THAT(LoadScenarioFile(missing),
              StatusIs(StatusCode::kInvalidArgument,
                       missing.string() + ": cannot read: No such file or directory"));
  EXPECT_THAT(LoadScenarioFile(dir), StatusIs(StatusCode::kInvalidArgument,
                                              dir.string() + ": cannot read: Is a directory"));
  std::filesystem::remove_all(dir);
}

TEST(LoadScenarioFileTest, IsAsStrictAsARequestBody) {
  auto dir = std::filesystem::path(::testing::TempDir()) / "scenario_json_strict_test";
  std::filesystem::create_directories(dir);
  auto comma = dir / "trailing-comma.json";
  std::ofstream(comma) << "{\"name\": \"g\",\n \"rules\": [],\n}\n";
  EXPECT_EQ(
      LoadScenarioFile(comma).status().message(),
      comma.string() + ": (json): Invalid JSON payload received. Expected an object key.\n}\n^");
  auto tab = dir / "raw-tab.json";
  std::ofstream(tab) << "{\"name\": \"a\tb\"}";
  EXPECT_THAT(LoadScenarioFile(tab).status().message(),
              StartsWith(tab.string() +
                         ": (json): Invalid JSON payload received. Invalid control character in "
                         "string."));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nasfake::scenarios
