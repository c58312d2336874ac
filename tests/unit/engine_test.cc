// The scenario engine: which rule applies (order, after, times, sequences,
// every part of a match, the seeded random schedule) and how each action is
// performed (answers, faults, virtual and real delays, holds, shutdown).
// No test sleeps to wait for a state.
#include "scenarios/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake/about_to_wait.h"
#include "fake/api/router.h"
#include "fake/glob.h"
#include "fake/journal/matchers.h"
#include "fake/store/clock.h"
#include "fake/testing/status_matchers.h"

namespace nasfake::scenarios {
namespace {

using ::nasfake::journal::IsMet;
using ::nasfake::testing::IsOk;
using ::nasfake::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using namespace std::chrono_literals;

constexpr char kJob[] = "projects/p/locations/l/nasJobs/1";

api::Request Request(std::string method = "GET", api::HeaderList headers = {},
                     std::string body = "") {
  return api::Request{std::move(method), std::string("/v1/") + kJob, std::move(headers),
                      std::move(body), "127.0.0.1"};
}

std::optional<api::ResolvedRequest> Resolved(std::string_view operation = "nasJobs.get",
                                             std::string resource = kJob) {
  api::ResolvedRequest resolved;
  resolved.operation = operation;
  resolved.resource = std::move(resource);
  return resolved;
}

Action AnswerAction(int status, std::string body = "{}") {
  Action action;
  action.kind = Action::Kind::kAnswer;
  action.answer.http_status = status;
  action.answer.body = std::move(body);
  return action;
}

Action FaultAction(api::WireFault::Kind kind, bool with_answer = false) {
  Action action;
  action.kind = Action::Kind::kFault;
  action.fault.kind = kind;
  action.fault.bytes = 7;
  if (with_answer) {
    action.has_answer = true;
    action.answer.http_status = 503;
    action.answer.body = "scripted";
  }
  return action;
}

Action DelayAction(model::Duration delay, bool virtual_delay = true) {
  Action action;
  action.kind = Action::Kind::kDelay;
  action.delay = delay;
  action.virtual_delay = virtual_delay;
  return action;
}

Action HoldAction(std::string name) {
  Action action;
  action.kind = Action::Kind::kHold;
  action.hold = std::move(name);
  return action;
}

Rule MakeRule(std::string id, std::vector<Action> actions, RequestMatch match = {}, int after = 0,
              std::optional<int> times = std::nullopt) {
  return Rule{std::move(id), std::move(match), after, std::move(actions), times};
}

// Action's defaulted operator== is unusable while api::WireFault has none.
bool SameAction(const Action& a, const Action& b) {
  return a.kind == b.kind && a.answer == b.answer && a.has_answer == b.has_answer &&
         a.fault.kind == b.fault.kind && a.fault.bytes == b.fault.bytes &&
         a.fault.duration == b.fault.duration && a.delay == b.delay &&
         a.virtual_delay == b.virtual_delay && a.hold == b.hold;
}

// The decided rule ids for `n` identical GET requests.
std::vector<std::string> DecideIds(ScenarioEngine& engine, int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back(engine.Decide(Request(), Resolved()).rule);
  return ids;
}

// An `api` callback that counts its calls.
struct CountingApi {
  std::atomic<int> calls{0};
  std::function<api::Response()> Fn() {
    return [this] {
      ++calls;
      api::Response response;
      response.body = "from-api";
      return response;
    };
  }
};

class EngineTest : public ::testing::Test {
 protected:
  store::VirtualClock clock_;
  ScenarioEngine engine_{clock_};
};

// ---------------------------------------------------------------- Decide

TEST_F(EngineTest, NoRulesPasses) {
  auto decision = engine_.Decide(Request(), Resolved());
  EXPECT_EQ(decision.rule, "");
  EXPECT_EQ(decision.action.kind, Action::Kind::kPass);
}

TEST_F(EngineTest, FirstMatchingRuleWins) {
  RequestMatch posts;
  posts.method = "POST";
  engine_.SetRules(
      {MakeRule("posts", {AnswerAction(500)}, posts), MakeRule("first", {AnswerAction(501)}),
       MakeRule("second", {AnswerAction(502)})},
      std::nullopt);
  auto decision = engine_.Decide(Request("GET"), Resolved());
  EXPECT_EQ(decision.rule, "first");
  EXPECT_EQ(decision.action.answer.http_status, 501);
  EXPECT_EQ(engine_.Decide(Request("POST"), Resolved()).rule, "posts");
}

TEST_F(EngineTest, TransportMatchesOnlyRequestsOfThatTransport) {
  RequestMatch grpc_only;
  grpc_only.transport = api::Transport::kGrpc;
  engine_.SetRules({MakeRule("grpc", {AnswerAction(503)}, grpc_only)}, std::nullopt);
  EXPECT_EQ(engine_.Decide(Request(), Resolved()).rule, "");  // REST by default
  api::Request over_grpc = Request();
  over_grpc.transport = api::Transport::kGrpc;
  EXPECT_EQ(engine_.Decide(over_grpc, Resolved()).rule, "grpc");
}

TEST_F(EngineTest, AfterLetsMatchingRequestsPassFirst) {
  engine_.SetRules({MakeRule("r", {AnswerAction(500)}, {}, /*after=*/2)}, std::nullopt);
  EXPECT_THAT(DecideIds(engine_, 4), ElementsAre("", "", "r", "r"));
}

TEST_F(EngineTest, AfterCountsOnlyMatchingRequests) {
  RequestMatch posts;
  posts.method = "POST";
  engine_.SetRules({MakeRule("r", {AnswerAction(500)}, posts, /*after=*/1)}, std::nullopt);
  EXPECT_EQ(engine_.Decide(Request("GET"), Resolved()).rule, "");
  EXPECT_EQ(engine_.Decide(Request("GET"), Resolved()).rule, "");
  EXPECT_EQ(engine_.Decide(Request("POST"), Resolved()).rule, "");
  EXPECT_EQ(engine_.Decide(Request("POST"), Resolved()).rule, "r");
}

TEST_F(EngineTest, TimesLimitsASingleActionThenFallsThrough) {
  engine_.SetRules({MakeRule("twice", {AnswerAction(500)}, {}, 0, /*times=*/2),
                    MakeRule("then", {AnswerAction(501)}, {}, 0, /*times=*/1)},
                   std::nullopt);
  EXPECT_THAT(DecideIds(engine_, 5), ElementsAre("twice", "twice", "then", "", ""));
}

TEST_F(EngineTest, UnsetTimesAppliesEveryTime) {
  engine_.SetRules({MakeRule("always", {AnswerAction(500)})}, std::nullopt);
  for (const auto& id : DecideIds(engine_, 100)) EXPECT_EQ(id, "always");
}

TEST_F(EngineTest, SequenceGivesEachActionOnceInOrder) {
  engine_.SetRules({MakeRule("seq", {AnswerAction(500), AnswerAction(501)}),
                    MakeRule("next", {AnswerAction(502)}, {}, 0, 1)},
                   std::nullopt);
  auto first = engine_.Decide(Request(), Resolved());
  auto second = engine_.Decide(Request(), Resolved());
  auto third = engine_.Decide(Request(), Resolved());
  auto fourth = engine_.Decide(Request(), Resolved());
  EXPECT_EQ(first.rule, "seq");
  EXPECT_EQ(first.action.answer.http_status, 500);
  EXPECT_EQ(second.rule, "seq");
  EXPECT_EQ(second.action.answer.http_status, 501);
  EXPECT_EQ(third.rule, "next");
  EXPECT_EQ(third.action.answer.http_status, 502);
  EXPECT_EQ(fourth.rule, "");
  EXPECT_EQ(fourth.action.kind, Action::Kind::kPass);
}

TEST_F(EngineTest, SequenceIgnoresTimes) {
  engine_.SetRules({MakeRule("seq", {AnswerAction(500), AnswerAction(501)}, {}, 0, /*times=*/1)},
                   std::nullopt);
  EXPECT_THAT(DecideIds(engine_, 3), ElementsAre("seq", "seq", ""));
}

TEST_F(EngineTest, AfterThenSequence) {
  engine_.SetRules({MakeRule("seq", {AnswerAction(500), AnswerAction(501)}, {}, /*after=*/1)},
                   std::nullopt);
  EXPECT_THAT(DecideIds(engine_, 4), ElementsAre("", "seq", "seq", ""));
}

TEST_F(EngineTest, LaterRuleCountsOnlyRequestsThatReachIt) {
  // Request 1 is taken by "once", so "later" first sees request 2 (its
  // `after`), and applies from request 3.
  engine_.SetRules({MakeRule("once", {AnswerAction(500)}, {}, 0, 1),
                    MakeRule("later", {AnswerAction(501)}, {}, /*after=*/1)},
                   std::nullopt);
  EXPECT_THAT(DecideIds(engine_, 4), ElementsAre("once", "", "later", "later"));
}

TEST_F(EngineTest, RuleWithoutActionsNeverApplies) {
  engine_.SetRules({MakeRule("empty", {}), MakeRule("next", {AnswerAction(500)})}, std::nullopt);
  EXPECT_THAT(DecideIds(engine_, 2), ElementsAre("next", "next"));
}

TEST_F(EngineTest, SetRulesResetsCounters) {
  auto rules = std::vector<Rule>{MakeRule("once", {AnswerAction(500)}, {}, 0, 1)};
  engine_.SetRules(rules, std::nullopt);
  EXPECT_THAT(DecideIds(engine_, 2), ElementsAre("once", ""));
  engine_.SetRules(rules, std::nullopt);
  EXPECT_THAT(DecideIds(engine_, 2), ElementsAre("once", ""));
}

TEST_F(EngineTest, ConcurrentDecisionsApplyTimesExactly) {
  engine_.SetRules({MakeRule("r", {AnswerAction(500)}, {}, /*after=*/10, /*times=*/100)},
                   std::nullopt);
  std::atomic<int> applied{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        if (engine_.Decide(Request(), Resolved()).rule == "r") ++applied;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(applied.load(), 100);
}

// ------------------------------------------------------- RequestMatch parts

class MatchTest : public EngineTest {
 protected:
  // Whether a rule with `match` applies to the request.
  bool Applies(const RequestMatch& match, const api::Request& request,
               const std::optional<api::ResolvedRequest>& resolved) {
    engine_.SetRules({MakeRule("m", {AnswerAction(500)}, match)}, std::nullopt);
    return engine_.Decide(request, resolved).rule == "m";
  }
};

TEST_F(MatchTest, EmptyMatchMatchesEverythingEvenUnrouted) {
  EXPECT_TRUE(Applies({}, Request(), Resolved()));
  EXPECT_TRUE(Applies({}, Request("PATCH"), std::nullopt));
}

TEST_F(MatchTest, MethodIsExact) {
  RequestMatch match;
  match.method = "GET";
  EXPECT_TRUE(Applies(match, Request("GET"), Resolved()));
  EXPECT_FALSE(Applies(match, Request("get"), Resolved()));
  EXPECT_FALSE(Applies(match, Request("POST"), Resolved()));
  EXPECT_TRUE(Applies(match, Request("GET"), std::nullopt));
}

TEST_F(MatchTest, OperationIsExactAndNeedsARoute) {
  RequestMatch match;
  match.operation = "nasJobs.cancel";
  EXPECT_TRUE(Applies(match, Request("POST"), Resolved("nasJobs.cancel")));
  EXPECT_FALSE(Applies(match, Request("POST"), Resolved("nasJobs.get")));
  EXPECT_FALSE(Applies(match, Request("POST"), Resolved("nasJobs.cancel*")));
  EXPECT_FALSE(Applies(match, Request("POST"), std::nullopt));
}

TEST_F(MatchTest, ResourceIsAGlobAndNeedsARoute) {
  RequestMatch match;
  match.resource = "projects/*/nasJobs/1";
  EXPECT_TRUE(Applies(match, Request(), Resolved("nasJobs.get", kJob)));
  EXPECT_FALSE(Applies(match, Request(), Resolved("nasJobs.get", std::string(kJob) + "2")));
  EXPECT_FALSE(Applies(match, Request(), std::nullopt));
  match.resource = "*";
  EXPECT_TRUE(Applies(match, Request(), Resolved("nasJobs.list", "")));
  EXPECT_FALSE(Applies(match, Request(), std::nullopt));
}

TEST_F(MatchTest, ResolvedFromARealRequest) {
  RequestMatch match;
  match.operation = "nasJobs.cancel";
  match.resource = "projects/p/locations/*/nasJobs/42";
  api::Request cancel{
      "POST", "/v1/projects/p/locations/us-central1/nasJobs/42:cancel", {}, "", "127.0.0.1"};
  api::Request nowhere{"POST", "/v1/nowhere", {}, "", "127.0.0.1"};
  ASSERT_TRUE(api::Resolve(cancel).has_value());
  EXPECT_TRUE(Applies(match, cancel, api::Resolve(cancel)));
  ASSERT_FALSE(api::Resolve(nowhere).has_value());
  EXPECT_FALSE(Applies(match, nowhere, api::Resolve(nowhere)));
}

TEST_F(MatchTest, HeaderStarMeansPresent) {
  RequestMatch match;
  match.headers = {{"x-test-id", "*"}};
  EXPECT_TRUE(Applies(match, Request("GET", {{"x-test-id", ""}}), Resolved()));
  EXPECT_TRUE(Applies(match, Request("GET", {{"x-test-id", "abc"}}), Resolved()));
  EXPECT_FALSE(Applies(match, Request("GET", {{"x-other", "abc"}}), Resolved()));
  EXPECT_FALSE(Applies(match, Request("GET"), Resolved()));
}

TEST_F(MatchTest, HeaderValueGlobAndNameCase) {
  RequestMatch match;
  match.headers = {{"authorization", "Bearer *"}};
  EXPECT_TRUE(Applies(match, Request("GET", {{"Authorization", "Bearer t0k"}}), Resolved()));
  EXPECT_FALSE(Applies(match, Request("GET", {{"authorization", "Basic x"}}), Resolved()));
}

TEST_F(MatchTest, EveryHeaderMustMatch) {
  RequestMatch match;
  match.headers = {{"x-a", "1"}, {"x-b", "2*"}};
  EXPECT_TRUE(Applies(match, Request("GET", {{"x-b", "22"}, {"x-a", "1"}}), Resolved()));
  EXPECT_FALSE(Applies(match, Request("GET", {{"x-a", "1"}}), Resolved()));
  EXPECT_FALSE(Applies(match, Request("GET", {{"x-a", "1"}, {"x-b", "3"}}), Resolved()));
}

TEST_F(MatchTest, BodyGlob) {
  RequestMatch match;
  match.body = "*\"displayName\":*";
  EXPECT_TRUE(Applies(match, Request("POST", {}, R"({"displayName":"x"})"), Resolved()));
  EXPECT_FALSE(Applies(match, Request("POST", {}, "{}"), Resolved()));
  match.body = "";
  EXPECT_TRUE(Applies(match, Request("POST", {}, ""), Resolved()));
  EXPECT_FALSE(Applies(match, Request("POST", {}, " "), Resolved()));
}

TEST_F(MatchTest, AllPartsTogether) {
  RequestMatch match;
  match.method = "POST";
  match.operation = "nasJobs.cancel";
  match.resource = "*/nasJobs/1";
  match.headers = {{"x-test-id", "t1"}};
  match.body = "";
  auto cancel = Resolved("nasJobs.cancel");
  EXPECT_TRUE(Applies(match, Request("POST", {{"x-test-id", "t1"}}), cancel));
  EXPECT_FALSE(Applies(match, Request("POST", {{"x-test-id", "t2"}}), cancel));
  EXPECT_FALSE(Applies(match, Request("POST", {{"x-test-id", "t1"}}, "{}"), cancel));
  EXPECT_FALSE(Applies(match, Request("GET", {{"x-test-id", "t1"}}), cancel));
}

// ---------------------------------------------------------------- Perform

TEST_F(EngineTest, PerformPassCallsApiOnce) {
  CountingApi api;
  std::string note;
  auto response = engine_.Perform({"", Action{}}, api.Fn(), &note);
  EXPECT_EQ(api.calls, 1);
  EXPECT_EQ(response.body, "from-api");
  EXPECT_FALSE(response.fault.has_value());
  EXPECT_EQ(note, "");
}

TEST_F(EngineTest, PerformAnswerNeverCallsApi) {
  Action action = AnswerAction(429, R"({"error":{}})");
  action.answer.content_type = "text/plain";
  action.answer.headers = {{"retry-after", "1"}};
  CountingApi api;
  auto response = engine_.Perform({"r", action}, api.Fn(), nullptr);
  EXPECT_EQ(api.calls, 0);
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.content_type, "text/plain");
  EXPECT_THAT(response.headers, ElementsAre(Pair("retry-after", "1")));
  EXPECT_EQ(response.body, R"({"error":{}})");
  EXPECT_FALSE(response.fault.has_value());
}

TEST_F(EngineTest, PerformFaultAttachesToTheApiAnswer) {
  CountingApi api;
  auto response = engine_.Perform({"r", FaultAction(api::WireFault::Kind::kPartialThenClose)},
                                  api.Fn(), nullptr);
  EXPECT_EQ(api.calls, 1);
  EXPECT_EQ(response.body, "from-api");
  ASSERT_TRUE(response.fault.has_value());
  EXPECT_EQ(response.fault->kind, api::WireFault::Kind::kPartialThenClose);
  EXPECT_EQ(response.fault->bytes, 7u);
}

TEST_F(EngineTest, PerformFaultAttachesToTheScriptedAnswer) {
  CountingApi api;
  auto response =
      engine_.Perform({"r", FaultAction(api::WireFault::Kind::kReset, true)}, api.Fn(), nullptr);
  EXPECT_EQ(api.calls, 0);
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.body, "scripted");
  ASSERT_TRUE(response.fault.has_value());
  EXPECT_EQ(response.fault->kind, api::WireFault::Kind::kReset);
}

// A fault that tells the client its request was never processed (a GOAWAY
// below its stream, RST_STREAM REFUSED_STREAM) keeps the API from processing
// it; RST_STREAM with another code does not.
TEST_F(EngineTest, AFaultThatRefusesTheRequestLeavesItUnprocessed) {
  using K = api::WireFault::Kind;
  for (const api::WireFault& fault :
       {api::WireFault{.kind = K::kGoaway}, api::WireFault{.kind = K::kGoaway, .code = 0xb},
        api::WireFault{.kind = K::kRstStream},
        api::WireFault{.kind = K::kRstStream, .code = api::kHttp2RefusedStream}}) {
    CountingApi api;
    Action action = FaultAction(fault.kind);
    action.fault = fault;
    auto response = engine_.Perform({"r", action}, api.Fn(), nullptr);
    EXPECT_EQ(api.calls, 0) << api::FaultJson(fault).dump();
    ASSERT_TRUE(response.fault.has_value());
    EXPECT_EQ(*response.fault, fault);
  }
  CountingApi api;
  Action cancel = FaultAction(K::kRstStream);
  cancel.fault.code = 0x8;  // CANCEL: the server may have processed it
  (void)engine_.Perform({"r", cancel}, api.Fn(), nullptr);
  EXPECT_EQ(api.calls, 1);
}

TEST_F(EngineTest, ZeroVirtualDelayAnswersAtOnce) {
  CountingApi api;
  std::string note;
  auto response = engine_.Perform({"r", DelayAction(0s)}, api.Fn(), &note);
  EXPECT_EQ(api.calls, 1);
  EXPECT_EQ(response.body, "from-api");
  EXPECT_EQ(note, "");
}

TEST_F(EngineTest, VirtualDelayWaitsForTheClock) {
  const model::Timestamp start = clock_.Now();
  std::atomic<bool> done{false};
  model::Timestamp answered_at{};
  std::string note = "untouched";
  std::thread request([&] {
    engine_.Perform(
        {"r", DelayAction(10s)},
        [&] {
          answered_at = clock_.Now();
          return api::Response{};
        },
        &note);
    done = true;
  });
  // Each Advance wakes the delay through the clock subscription; the delay
  // counts from when Perform started, so keep advancing until it answers.
  int64_t advances = 0;
  while (!done && advances < 50'000'000) {
    clock_.Advance(1s);
    ++advances;
    std::this_thread::yield();
  }
  request.join();
  EXPECT_TRUE(done);
  EXPECT_GE(advances, 10);
  EXPECT_GE(answered_at, start + 10s);
  EXPECT_EQ(note, "untouched");
}

TEST_F(EngineTest, VirtualDelayTimesOutWithoutAdvance) {
  ScenarioEngine engine(clock_, 50ms);
  CountingApi api;
  std::string note;
  engine.Perform({"r", DelayAction(10s)}, api.Fn(), &note);
  EXPECT_EQ(api.calls, 1);
  EXPECT_EQ(note, "delay timed out");
}

TEST(EngineRealClockTest, VirtualDelayOnARealClockFollowsIt) {
  store::RealClock clock;
  ScenarioEngine engine(clock);
  CountingApi api;
  std::string note;
  engine.Perform({"r", DelayAction(20ms)}, api.Fn(), &note);
  EXPECT_EQ(api.calls, 1);
  EXPECT_EQ(note, "");
}

TEST_F(EngineTest, RealDelayCompletes) {
  CountingApi api;
  std::string note;
  auto response =
      engine_.Perform({"r", DelayAction(20ms, /*virtual_delay=*/false)}, api.Fn(), &note);
  EXPECT_EQ(api.calls, 1);
  EXPECT_EQ(response.body, "from-api");
  EXPECT_EQ(note, "");
}

TEST_F(EngineTest, RealDelayBoundedByMaxWait) {
  ScenarioEngine engine(clock_, 20ms);
  CountingApi api;
  std::string note;
  engine.Perform({"r", DelayAction(1h, /*virtual_delay=*/false)}, api.Fn(), &note);
  EXPECT_EQ(api.calls, 1);
  EXPECT_EQ(note, "delay timed out");
}

// Rules that hold every request on each of `names` (only the first applies;
// the others make the names known).
void HoldOn(ScenarioEngine& engine, const std::vector<std::string>& names) {
  std::vector<Rule> rules;
  for (const auto& name : names) rules.push_back(MakeRule("hold-" + name, {HoldAction(name)}));
  engine.SetRules(std::move(rules), std::nullopt);
}

TEST_F(EngineTest, HoldWaitsForRelease) {
  HoldOn(engine_, {"h"});
  CountingApi api;
  std::string note;
  std::thread request([&] { engine_.Perform({"r", HoldAction("h")}, api.Fn(), &note); });
  ASSERT_THAT(engine_.WaitForHeld("h", 1, 10s), IsMet());
  EXPECT_THAT(engine_.Held(), ElementsAre(Pair("h", 1u)));
  EXPECT_EQ(api.calls, 0);
  auto released = engine_.ReleaseHold("h");
  ASSERT_THAT(released, IsOk());
  EXPECT_EQ(released->released, 1u);
  EXPECT_EQ(released->banked, 0u);
  request.join();
  EXPECT_EQ(api.calls, 1);
  EXPECT_EQ(note, "");
  EXPECT_THAT(engine_.Held(), IsEmpty());
}

// A front end running the request on an event loop moves the loop away
// before a delay or a hold (fake/about_to_wait.h); nothing else announces a wait.
TEST_F(EngineTest, DelaysAndHoldsAnnounceTheirWaitAndNothingElseDoes) {
  struct CountingNotice final : WaitNotice {
    void BeforeWait() override { ++runs; }
    int runs = 0;
  };
  HoldOn(engine_, {"h"});
  ASSERT_THAT(engine_.ReleaseHold("h", 1), IsOk());  // banked: the hold below returns at once
  CountingApi api;
  auto announced = [&](const Action& action) {
    CountingNotice notice;
    ScopedWaitNotice scope(&notice);
    engine_.Perform({"r", action}, api.Fn(), nullptr);
    return notice.runs;
  };
  EXPECT_EQ(announced(HoldAction("h")), 1);
  EXPECT_EQ(announced(DelayAction(0s)), 1);
  EXPECT_EQ(announced(DelayAction(0s, /*virtual_delay=*/false)), 1);
  EXPECT_EQ(announced(Action{}), 0);  // pass
  EXPECT_EQ(announced(FaultAction(api::WireFault::Kind::kReset, true)), 0);
  EXPECT_EQ(api.calls, 4);
}

TEST_F(EngineTest, ReleaseHoldCountReleasesTheFirstWaitersAndBanksTheRest) {
  HoldOn(engine_, {"h"});
  CountingApi api;
  std::vector<std::thread> requests;
  for (int i = 0; i < 3; ++i) {
    requests.emplace_back([&] { engine_.Perform({"r", HoldAction("h")}, api.Fn(), nullptr); });
  }
  ASSERT_THAT(engine_.WaitForHeld("h", 3, 10s), IsMet());
  EXPECT_EQ(engine_.ReleaseHold("h", 2)->released, 2u);
  EXPECT_THAT(engine_.Held(), ElementsAre(Pair("h", 1u)));
  WaitResult two = engine_.WaitForHeld("h", 2, 0ms);
  EXPECT_THAT(two, Not(IsMet()));
  EXPECT_EQ(two.reason,
            "timed out after 0 ms waiting for 2 requests on hold \"h\"; 1 waiting on \"h\"; "
            "no other hold has waiters");
  auto rest = engine_.ReleaseHold("h", 5);
  ASSERT_THAT(rest, IsOk());
  EXPECT_EQ(rest->released, 1u);
  EXPECT_EQ(rest->banked, 4u);
  for (auto& request : requests) request.join();
  EXPECT_EQ(api.calls, 3);
  EXPECT_THAT(engine_.Banked(), ElementsAre(Pair("h", 4u)));
}

// As a semaphore: a release made before the request arrives is not lost.
TEST_F(EngineTest, ReleaseAheadOfArrivalsLetsThatManyThrough) {
  ScenarioEngine engine(clock_, 50ms);
  HoldOn(engine, {"h"});
  auto ahead = engine.ReleaseHold("h", 2);
  ASSERT_THAT(ahead, IsOk());
  EXPECT_EQ(ahead->released, 0u);
  EXPECT_EQ(ahead->banked, 2u);
  EXPECT_EQ(engine.ReleaseHold("h")->banked, 2u);  // without a count: those waiting only
  CountingApi api;
  std::vector<std::string> notes(3, "untouched");
  for (auto& note : notes) engine.Perform({"r", HoldAction("h")}, api.Fn(), &note);
  EXPECT_EQ(api.calls, 3);
  EXPECT_THAT(notes, ElementsAre("untouched", "untouched", "hold timed out"));
  EXPECT_THAT(engine.Banked(), IsEmpty());
}

TEST_F(EngineTest, NewRulesForgetBankedReleases) {
  ScenarioEngine engine(clock_, 50ms);
  HoldOn(engine, {"h"});
  ASSERT_THAT(engine.ReleaseHold("h", 1), IsOk());
  HoldOn(engine, {"h"});
  EXPECT_THAT(engine.Banked(), IsEmpty());
  CountingApi api;
  std::string note;
  engine.Perform({"r", HoldAction("h")}, api.Fn(), &note);
  EXPECT_EQ(note, "hold timed out");
}

TEST_F(EngineTest, AHoldNameNoRuleHasIsNotFound) {
  HoldOn(engine_, {"g", "h"});
  const std::string message =
      "No scenario rule holds requests on \"x\" (known holds: \"g\", \"h\").";
  EXPECT_THAT(engine_.ReleaseHold("x"), StatusIs(StatusCode::kNotFound, message));
  EXPECT_THAT(engine_.ReleaseHold("x", 1), StatusIs(StatusCode::kNotFound, message));
  EXPECT_THAT(engine_.Banked(), IsEmpty());
  WaitResult wait = engine_.WaitForHeld("x", 1, 10s);  // not met at once
  EXPECT_THAT(wait, Not(IsMet()));
  EXPECT_EQ(wait.reason, message);
  engine_.SetRules({}, std::nullopt);
  EXPECT_THAT(engine_.HoldExists("g"),
              StatusIs(StatusCode::kNotFound,
                       "No scenario rule holds requests on \"g\" (no rule holds requests)."));
}

TEST_F(EngineTest, WaitForHeldTimesOut) {
  HoldOn(engine_, {"h"});
  WaitResult result = engine_.WaitForHeld("h", 1, 10ms);
  EXPECT_THAT(result, Not(IsMet()));
  EXPECT_EQ(result.reason,
            "timed out after 10 ms waiting for 1 request on hold \"h\"; 0 waiting on \"h\"; no "
            "other hold has waiters");
}

TEST_F(EngineTest, WaitForHeldSaysWhatIsMetAndWhatOtherHoldsHave) {
  HoldOn(engine_, {"g", "h"});
  CountingApi api;
  std::vector<std::thread> requests;
  for (int i = 0; i < 2; ++i) {
    requests.emplace_back([&] { engine_.Perform({"r", HoldAction("g")}, api.Fn(), nullptr); });
  }
  WaitResult met = engine_.WaitForHeld("g", 2, 10s);
  ASSERT_THAT(met, IsMet());
  EXPECT_EQ(met.reason, "met: 2 requests on hold \"g\"");
  // The usual slip: waiting on a hold no request has reached.
  WaitResult wrong_name = engine_.WaitForHeld("h", 1, 0ms);
  EXPECT_THAT(wrong_name, Not(IsMet()));
  EXPECT_THAT(wrong_name.reason, HasSubstr("; 0 waiting on \"h\"; other holds: \"g\" 2"));
  EXPECT_EQ(engine_.ReleaseHold("g")->released, 2u);
  for (auto& request : requests) request.join();
}

TEST_F(EngineTest, ShutdownEndsHoldsAndLaterWaits) {
  HoldOn(engine_, {"h"});
  CountingApi api;
  std::string note;
  std::thread request([&] { engine_.Perform({"r", HoldAction("h")}, api.Fn(), &note); });
  ASSERT_THAT(engine_.WaitForHeld("h", 1, 10s), IsMet());
  engine_.Shutdown();
  request.join();
  EXPECT_EQ(api.calls, 1);
  EXPECT_EQ(note, "stopped");

  // Later waits (max_wait is 30 s) return at once.
  const auto begin = std::chrono::steady_clock::now();
  std::string hold_note, delay_note, real_note;
  engine_.Perform({"r", HoldAction("h")}, api.Fn(), &hold_note);
  engine_.Perform({"r", DelayAction(1h)}, api.Fn(), &delay_note);
  engine_.Perform({"r", DelayAction(1h, false)}, api.Fn(), &real_note);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 10s);
  EXPECT_EQ(api.calls, 4);
  EXPECT_EQ(hold_note, "stopped");
  EXPECT_EQ(delay_note, "stopped");
  EXPECT_EQ(real_note, "stopped");
  WaitResult after_shutdown = engine_.WaitForHeld("h", 1, 10s);
  EXPECT_THAT(after_shutdown, Not(IsMet()));
  EXPECT_THAT(after_shutdown.reason,
              HasSubstr("the scenario engine was shut down while waiting for 1 request on "
                        "hold \"h\""));
}

TEST_F(EngineTest, ShutdownEndsAVirtualDelay) {
  CountingApi api;
  std::string note;
  std::thread request([&] { engine_.Perform({"r", DelayAction(1h)}, api.Fn(), &note); });
  engine_.Shutdown();
  request.join();
  EXPECT_EQ(api.calls, 1);
  EXPECT_EQ(note, "stopped");
}

TEST(EngineLifetimeTest, DestructorEndsHoldsAndUnsubscribes) {
  store::VirtualClock clock;
  CountingApi api;
  std::string note;
  auto engine = std::make_unique<ScenarioEngine>(clock);
  HoldOn(*engine, {"h"});
  std::thread request([&] { engine->Perform({"r", HoldAction("h")}, api.Fn(), &note); });
  ASSERT_THAT(engine->WaitForHeld("h", 1, 10s), IsMet());
  engine.reset();
  request.join();
  EXPECT_EQ(note, "stopped");
  clock.Advance(1s);  // no listener left to call
}

// ---------------------------------------------------------- Random faults

RandomFaults Faults(uint64_t seed, double rate, std::vector<Action> choices = {}) {
  if (choices.empty()) {
    choices = {FaultAction(api::WireFault::Kind::kReset), AnswerAction(503)};
  }
  return RandomFaults{seed, rate, {}, std::move(choices)};
}

// For each of `n` requests: -1 for no fault, else the index of the chosen action.
std::vector<int> Schedule(const RandomFaults& faults, int n) {
  store::VirtualClock clock;
  ScenarioEngine engine(clock);
  engine.SetRules({}, faults);
  std::vector<int> out;
  for (int i = 0; i < n; ++i) {
    auto decision = engine.Decide(Request(), Resolved());
    if (decision.rule.empty()) {
      out.push_back(-1);
      continue;
    }
    EXPECT_EQ(decision.rule, "random-fault");
    auto it = std::find_if(faults.choices.begin(), faults.choices.end(),
                           [&](const Action& a) { return SameAction(a, decision.action); });
    EXPECT_NE(it, faults.choices.end());
    out.push_back(static_cast<int>(it - faults.choices.begin()));
  }
  return out;
}

TEST(RandomFaultsTest, SameSeedSameSchedule) {
  EXPECT_EQ(Schedule(Faults(42, 0.3), 1000), Schedule(Faults(42, 0.3), 1000));
}

TEST(RandomFaultsTest, DifferentSeedDifferentSchedule) {
  EXPECT_NE(Schedule(Faults(42, 0.3), 1000), Schedule(Faults(43, 0.3), 1000));
}

TEST(RandomFaultsTest, RateZeroNeverRateOneAlways) {
  for (int choice : Schedule(Faults(7, 0.0), 1000)) EXPECT_EQ(choice, -1);
  std::vector<int> always = Schedule(Faults(7, 1.0), 1000);
  for (int choice : always) EXPECT_GE(choice, 0);
  // Both choices are drawn.
  EXPECT_NE(std::find(always.begin(), always.end(), 0), always.end());
  EXPECT_NE(std::find(always.begin(), always.end(), 1), always.end());
}

TEST(RandomFaultsTest, ObservedRateIsNearTheRate) {
  std::vector<int> schedule = Schedule(Faults(2024, 0.2), 10000);
  double faults = static_cast<double>(
      std::count_if(schedule.begin(), schedule.end(), [](int c) { return c >= 0; }));
  EXPECT_GE(faults / 10000, 0.17);
  EXPECT_LE(faults / 10000, 0.23);
}

TEST(RandomFaultsTest, RulesComeFirstAndOnlyMatchingRequestsCount) {
  store::VirtualClock clock;
  ScenarioEngine engine(clock);
  RandomFaults faults = Faults(9, 1.0);
  faults.match.method = "POST";
  engine.SetRules({MakeRule("once", {AnswerAction(500)}, {}, 0, 1)}, faults);
  EXPECT_EQ(engine.Decide(Request("POST"), Resolved()).rule, "once");
  EXPECT_EQ(engine.Decide(Request("GET"), Resolved()).rule, "");
  EXPECT_EQ(engine.Decide(Request("POST"), Resolved()).rule, "random-fault");
}

TEST(RandomFaultsTest, NoChoicesNoFault) {
  store::VirtualClock clock;
  ScenarioEngine engine(clock);
  engine.SetRules({}, RandomFaults{1, 1.0, {}, {}});
  EXPECT_EQ(engine.Decide(Request(), Resolved()).rule, "");
}

RC_GTEST_PROP(RandomFaultsProperty, SameRandomFaultsSameDecisions,
              (uint64_t seed, uint16_t raw_count)) {
  const int count = raw_count % 600;
  const double rate = *rc::gen::inRange(0, 1001) / 1000.0;
  const int n_choices = *rc::gen::inRange(1, 5);
  std::vector<Action> choices;
  for (int i = 0; i < n_choices; ++i) choices.push_back(AnswerAction(500 + i));
  RandomFaults faults{seed, rate, {}, choices};
  store::VirtualClock clock;
  ScenarioEngine a(clock), b(clock);
  a.SetRules({}, faults);
  b.SetRules({}, faults);
  for (int i = 0; i < count; ++i) {
    auto da = a.Decide(Request(), Resolved());
    auto db = b.Decide(Request(), Resolved());
    RC_ASSERT(da.rule == db.rule);
    RC_ASSERT(SameAction(da.action, db.action));
  }
}

// -------------------------------------------------------------- GlobMatch

TEST(GlobMatchTest, Literal) {
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  EXPECT_FALSE(GlobMatch("a", ""));
  EXPECT_TRUE(GlobMatch("abc", "abc"));
  EXPECT_FALSE(GlobMatch("abc", "abd"));
  EXPECT_FALSE(GlobMatch("abc", "abcd"));
  EXPECT_FALSE(GlobMatch("a?c", "abc"));  // only '*' is special
  EXPECT_TRUE(GlobMatch("a?c", "a?c"));
}

TEST(GlobMatchTest, Stars) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything/at/all"));
  EXPECT_TRUE(GlobMatch("**", ""));
  EXPECT_TRUE(GlobMatch("*b", "aab"));
  EXPECT_FALSE(GlobMatch("*b", "aba"));
  EXPECT_TRUE(GlobMatch("a*", "abc"));
  EXPECT_FALSE(GlobMatch("a*", "bac"));
  EXPECT_TRUE(GlobMatch("a*c", "ac"));
  EXPECT_TRUE(GlobMatch("a*c", "a/b/c"));
  EXPECT_FALSE(GlobMatch("a*c", "a/b/cd"));
  EXPECT_TRUE(GlobMatch("*ab*ab*", "xabyab"));
  EXPECT_FALSE(GlobMatch("*ab*ab*", "xaby"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYbZc"));
  EXPECT_TRUE(GlobMatch("*aab", "aaaab"));  // needs the star to retry
  EXPECT_TRUE(GlobMatch("projects/*/nasJobs/*", "projects/p/locations/l/nasJobs/1"));
}

TEST(GlobMatchTest, PathologicalPatternIsFast) {
  const std::string text(10000, 'a');
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*b", text));
  EXPECT_TRUE(GlobMatch("*a*a*a*a*a*", text));
  EXPECT_FALSE(GlobMatch("*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", text));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s);
}

}  // namespace
}  // namespace nasfake::scenarios
