#include "fake/journal/journal.h"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fake/journal/matchers.h"
#include "tests/support/test_support.h"

namespace nasfake::journal {
namespace {

using ::nasfake::testing::BeginEntry;
using ::nasfake::testing::CompleteEntry;

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kJob[] = "/v1/projects/123/locations/us-central1/nasJobs/1";
constexpr char kJobName[] = "projects/123/locations/us-central1/nasJobs/1";

Entry Request(std::string method, std::string target, std::string body = "") {
  Entry e;
  e.method = std::move(method);
  e.target = std::move(target);
  e.body = std::move(body);
  return e;
}

Entry Outcome(int status, std::string action, std::string rule = "", std::string body = "") {
  Entry e;
  e.status = status;
  e.action = std::move(action);
  e.rule = std::move(rule);
  e.response_body = std::move(body);
  return e;
}

// A cancel request, completed by rule r1 with a pass.
Entry CompletedCancel(uint64_t id = 3) {
  Entry e = Request("POST", std::string(kJob) + ":cancel", "{}");
  e.id = id;
  e.operation = "nasJobs.cancel";
  e.resource = kJobName;
  e.headers = {{"content-type", "application/json"}};
  e.rule = "r1";
  e.action = "pass";
  e.status = 200;
  e.response_body = "{}";
  e.completed = true;
  return e;
}

std::vector<uint64_t> Ids(const std::vector<Entry>& entries) {
  std::vector<uint64_t> ids;
  ids.reserve(entries.size());
  for (const auto& e : entries) ids.push_back(e.id);
  return ids;
}

// Whether `matcher` matches `value`, and its explanation.
template <typename M, typename T>
std::pair<bool, std::string> Explain(const M& matcher, const T& value) {
  ::testing::StringMatchResultListener listener;
  const bool ok = ::testing::ExplainMatchResult(matcher, value, &listener);
  return {ok, listener.str()};
}

// ---- Journal ----

TEST(JournalTest, AssignsIdsInArrivalOrder) {
  Journal journal;
  EXPECT_EQ(BeginEntry(journal, Request("GET", kJob)), 1u);
  Entry with_stale_id = Request("POST", std::string(kJob) + ":cancel", "{}");
  with_stale_id.id = 42;
  EXPECT_EQ(BeginEntry(journal, with_stale_id), 2u);
  EXPECT_EQ(BeginEntry(journal, Request("DELETE", kJob)), 3u);

  auto entries = journal.Entries();
  EXPECT_THAT(Ids(entries), ElementsAre(1, 2, 3));
  EXPECT_THAT(entries, ElementsAre(IsRequest("GET", kJob), IsRequest("POST", EndsWith(":cancel")),
                                   IsRequest("DELETE", kJob)));
  EXPECT_EQ(entries[1].body, "{}");
  EXPECT_THAT(entries, Each(Not(IsCompleted())));
  EXPECT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal.dropped(), 0u);
}

TEST(JournalTest, CompleteFillsTheOutcomeOnly) {
  Journal journal;
  uint64_t id = BeginEntry(journal, Request("POST", std::string(kJob) + ":cancel", "{}"));
  Entry outcome = Outcome(200, "fault:partial", "r7", "{}");
  outcome.method = "IGNORED";
  outcome.body = "ignored";
  outcome.response_content_type = "application/json";
  outcome.response_headers = {{"x-a", "1"}};
  outcome.fault = api::WireFault{api::WireFault::Kind::kPartialThenClose, 5, {}};
  CompleteEntry(journal, id, outcome);

  auto entries = journal.Entries();
  ASSERT_EQ(entries.size(), 1u);
  const Entry& e = entries[0];
  EXPECT_TRUE(e.completed);
  EXPECT_EQ(e.method, "POST");
  EXPECT_EQ(e.body, "{}");
  EXPECT_EQ(e.rule, "r7");
  EXPECT_EQ(e.action, "fault:partial");
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.response_body, "{}");
  EXPECT_EQ(e.response_content_type, "application/json");
  EXPECT_EQ(e.response_headers, (api::HeaderList{{"x-a", "1"}}));
  ASSERT_TRUE(e.fault);
  EXPECT_EQ(e.fault->kind, api::WireFault::Kind::kPartialThenClose);
  EXPECT_EQ(e.fault->bytes, 5u);
}

TEST(JournalTest, CompleteOfAnUnknownIdIsANoOp) {
  Journal journal;
  BeginEntry(journal, Request("GET", kJob));
  CompleteEntry(journal, 0, Outcome(200, "pass"));
  CompleteEntry(journal, 2, Outcome(200, "pass"));
  EXPECT_THAT(journal.Entries(), ElementsAre(Not(IsCompleted())));
}

TEST(JournalTest, CapacityDropsTheOldestAndCountsThem) {
  Journal journal(3);
  for (int i = 1; i <= 5; ++i) BeginEntry(journal, Request("GET", "/" + std::to_string(i)));
  EXPECT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal.dropped(), 2u);
  EXPECT_THAT(Ids(journal.Entries()), ElementsAre(3, 4, 5));

  CompleteEntry(journal, 1, Outcome(500, "answer"));  // dropped: no-op
  CompleteEntry(journal, 4, Outcome(200, "pass"));
  EXPECT_THAT(
      journal.Entries(),
      ElementsAre(Not(IsCompleted()), AllOf(HasTarget("/4"), HasStatus(200)), Not(IsCompleted())));
}

TEST(JournalTest, ZeroCapacityKeepsNothingButCountsEverything) {
  Journal journal(0);
  EXPECT_EQ(BeginEntry(journal, Request("GET", kJob)), 1u);
  EXPECT_EQ(BeginEntry(journal, Request("GET", kJob)), 2u);
  CompleteEntry(journal, 2, Outcome(200, "pass"));
  EXPECT_EQ(journal.size(), 0u);
  EXPECT_EQ(journal.dropped(), 2u);
}

TEST(JournalTest, ClearResetsEntriesAndDroppedButNotIds) {
  Journal journal(2);
  for (int i = 0; i < 3; ++i) BeginEntry(journal, Request("GET", kJob));
  ASSERT_EQ(journal.dropped(), 1u);
  journal.Clear();
  EXPECT_EQ(journal.size(), 0u);
  EXPECT_EQ(journal.dropped(), 0u);
  EXPECT_THAT(journal.Entries(), IsEmpty());

  // Ids are never reused, so a request in flight across Clear cannot complete
  // a newer one.
  EXPECT_EQ(BeginEntry(journal, Request("POST", kJob)), 4u);
  CompleteEntry(journal, 3, Outcome(500, "answer"));
  EXPECT_THAT(journal.Entries(), ElementsAre(AllOf(HasMethod("POST"), Not(IsCompleted()))));
}

// ---- WaitFor ----

TEST(JournalWaitTest, MetByABeginFromAnotherThread) {
  Journal journal;
  std::thread client([&] { BeginEntry(journal, Request("POST", std::string(kJob) + ":cancel")); });
  WaitResult result = journal.WaitFor(
      [](const std::vector<Entry>& entries) {
        return !entries.empty() && entries.back().method == "POST";
      },
      std::chrono::seconds(30), "a POST");
  client.join();
  EXPECT_THAT(result, IsMet());
  EXPECT_TRUE(result);
}

TEST(JournalWaitTest, MetAtOnceAndTheConditionMayCallTheJournal) {
  Journal journal;
  BeginEntry(journal, Request("GET", kJob));
  WaitResult result = journal.WaitFor(
      [&](const std::vector<Entry>& entries) { return journal.size() == entries.size(); },
      std::chrono::milliseconds(0), "anything");
  EXPECT_TRUE(result.met) << result.reason;
}

TEST(JournalWaitTest, TimeoutReasonNamesWhatAndListsTheEntries) {
  Journal journal;
  CompleteEntry(journal, BeginEntry(journal, Request("GET", kJob)), Outcome(200, "pass"));
  CompleteEntry(journal, BeginEntry(journal, Request("POST", std::string(kJob) + ":cancel")),
                Outcome(503, "answer", "busy"));
  BeginEntry(journal, Request("GET", kJob));
  WaitResult result = journal.WaitFor([](const std::vector<Entry>&) { return false; },
                                      std::chrono::milliseconds(50), "2 cancels of nasJobs/1");
  EXPECT_FALSE(result);
  EXPECT_EQ(result.reason,
            std::string("timed out after 50 ms waiting for 2 cancels of nasJobs/1; ") +
                "the journal holds 3 requests: #1 GET " + kJob + " → 200 (pass); #2 POST " + kJob +
                ":cancel → 503 (answer, rule busy); #3 GET " + kJob + " → pending");
  auto [ok, why] = Explain(IsMet(), result);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr("waiting for 2 cancels of nasJobs/1"));
}

TEST(JournalWaitTest, TimeoutReasonListsTheLastTwentyAndDropped) {
  Journal journal(25);
  for (int i = 1; i <= 27; ++i) BeginEntry(journal, Request("GET", "/r" + std::to_string(i)));
  WaitResult result = journal.WaitFor([](const std::vector<Entry>&) { return false; },
                                      std::chrono::milliseconds(1), "nothing");
  EXPECT_THAT(result.reason,
              HasSubstr("the journal holds 25 requests (the last 20 shown) (2 older dropped): "
                        "#8 GET /r8 → pending; #9 GET"));
  EXPECT_THAT(result.reason, EndsWith("#27 GET /r27 → pending"));
  EXPECT_THAT(result.reason, Not(HasSubstr("#7 ")));
}

TEST(JournalWaitTest, TimeoutReasonForAnEmptyJournal) {
  Journal journal;
  WaitResult result = journal.WaitFor([](const std::vector<Entry>&) { return false; },
                                      std::chrono::milliseconds(1), "a GET");
  EXPECT_EQ(result.reason, "timed out after 1 ms waiting for a GET; the journal holds no requests");
}

TEST(JournalWaitTest, NotifyAllWakesWaitersToRecheck) {
  Journal journal;
  std::atomic<bool> ready{false};
  std::atomic<int> checks{0};
  std::promise<void> first_check;
  std::future<WaitResult> waiter = std::async(std::launch::async, [&] {
    return journal.WaitFor(
        [&](const std::vector<Entry>&) {
          const bool flag = ready.load();  // read first: false on the first check
          if (checks.fetch_add(1) == 0) first_check.set_value();
          return flag;
        },
        std::chrono::seconds(30), "the flag");
  });
  first_check.get_future().wait();  // the waiter is inside WaitFor
  ready = true;
  journal.NotifyAll();  // no entry changes: only NotifyAll can make it re-check
  WaitResult result = waiter.get();
  EXPECT_THAT(result, IsMet());
  EXPECT_GE(checks.load(), 2);
}

TEST(JournalWaitTest, ShutdownEndsWaitsNowAndLater) {
  Journal journal;
  BeginEntry(journal, Request("GET", kJob));
  std::promise<void> first_check;
  std::atomic<int> checks{0};
  std::future<WaitResult> waiter = std::async(std::launch::async, [&] {
    return journal.WaitFor(
        [&](const std::vector<Entry>&) {
          if (checks.fetch_add(1) == 0) first_check.set_value();
          return false;
        },
        std::chrono::seconds(30), "a cancel");
  });
  first_check.get_future().wait();
  journal.Shutdown();
  WaitResult result = waiter.get();
  EXPECT_FALSE(result);
  EXPECT_EQ(result.reason, std::string("the journal was shut down while waiting for a cancel; ") +
                               "the journal holds 1 request: #1 GET " + kJob + " → pending");

  WaitResult later = journal.WaitFor([](const std::vector<Entry>&) { return false; },
                                     std::chrono::hours(1), "anything");
  EXPECT_THAT(later.reason, StartsWith("the journal was shut down while waiting for anything"));
  EXPECT_TRUE(journal.WaitFor([](const std::vector<Entry>& e) { return e.size() == 1; },
                              std::chrono::hours(1), "one entry"));
}

// ---- ToJson, DebugString, body cuts ----

TEST(JournalJsonTest, PendingEntryHasAStateAndNoOutcomeKeys) {
  Entry e = Request("GET", std::string(kJob) + "?$alt=json");
  e.id = 1;
  e.headers = {{"accept", "a"}, {"x-goog-api-client", "gl-cpp"}, {"accept", "b"}};
  e.operation = "nasJobs.get";
  e.resource = kJobName;
  e.virtual_time = *model::ParseTimestamp("2024-05-18T10:00:00.5Z");
  e.real_time = std::chrono::sys_days(std::chrono::year(2024) / 5 / 18) + std::chrono::hours(1) +
                std::chrono::nanoseconds(1234567);
  EXPECT_EQ(ToJson(e), nlohmann::json::parse(R"({
    "id": 1, "method": "GET", "target": "/v1/projects/123/locations/us-central1/nasJobs/1?$alt=json",
    "headers": {"accept": "a, b", "x-goog-api-client": "gl-cpp"}, "body": "",
    "operation": "nasJobs.get", "resource": "projects/123/locations/us-central1/nasJobs/1",
    "virtualTime": "2024-05-18T10:00:00.500000Z", "realTime": "2024-05-18T01:00:00.001234Z",
    "transport": "rest", "state": "pending"
  })"));
}

TEST(JournalJsonTest, CompletedEntryWithAFault) {
  Entry e = CompletedCancel(7);
  e.status = 0;
  e.action = "fault:dribble";
  e.response_content_type = "application/json; charset=UTF-8";
  e.response_headers = {{"x-a", "1"}};
  e.fault = api::WireFault{api::WireFault::Kind::kDribble, 16, std::chrono::milliseconds(250)};
  nlohmann::json json = ToJson(e);
  EXPECT_EQ(json["id"], 7);
  EXPECT_EQ(json["state"], "completed");
  EXPECT_EQ(json["body"], "{}");
  EXPECT_EQ(json["headers"], nlohmann::json({{"content-type", "application/json"}}));
  EXPECT_EQ(json["rule"], "r1");
  EXPECT_EQ(json["action"], "fault:dribble");
  EXPECT_EQ(json["status"], 0);
  EXPECT_EQ(json["responseBody"], "{}");
  EXPECT_EQ(json["responseContentType"], "application/json; charset=UTF-8");
  EXPECT_EQ(json["responseHeaders"], nlohmann::json({{"x-a", "1"}}));
  EXPECT_EQ(json["fault"],
            nlohmann::json::parse(R"({"kind":"dribble","bytes":16,"durationMs":250})"));

  e.fault = std::nullopt;
  EXPECT_FALSE(ToJson(e).contains("fault"));
  for (auto [kind, name] : {std::pair{api::WireFault::Kind::kReset, "reset"},
                            {api::WireFault::Kind::kCloseBeforeResponse, "close"},
                            {api::WireFault::Kind::kPartialThenClose, "partial"},
                            {api::WireFault::Kind::kStall, "stall"}}) {
    e.fault = api::WireFault{kind, 0, {}};
    EXPECT_EQ(ToJson(e)["fault"]["kind"], name);
  }
}

TEST(JournalJsonTest, InvalidUtf8BecomesReplacementCharacters) {
  Entry e = Request("POST", kJob, "ok \xC3\xA9 \xFF \xE2\x82 \xED\xA0\x80 end");
  nlohmann::json json = ToJson(e);
  EXPECT_NO_THROW((void)json.dump());
  EXPECT_EQ(json["body"],
            "ok \xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD "
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD end");
}

TEST(JournalTest, BodiesAreCutAt64KiBWithAMarker) {
  Journal journal;
  const std::string exact(kMaxBodyBytes, 'x');
  const std::string big(100000, 'a');
  // 'é' (2 bytes) straddles the cut: it is dropped whole.
  const std::string straddling = std::string(kMaxBodyBytes - 1, 'b') + "\xC3\xA9" + "cd";
  BeginEntry(journal, Request("POST", kJob, exact));
  uint64_t id = BeginEntry(journal, Request("POST", kJob, big));
  BeginEntry(journal, Request("POST", kJob, straddling));
  CompleteEntry(journal, id, Outcome(200, "pass", "", big));

  auto entries = journal.Entries();
  EXPECT_EQ(entries[0].body, exact);
  EXPECT_EQ(entries[1].body, std::string(kMaxBodyBytes, 'a') + "…[truncated 34464 bytes]");
  EXPECT_EQ(entries[1].response_body, entries[1].body);
  EXPECT_EQ(entries[2].body, std::string(kMaxBodyBytes - 1, 'b') + "…[truncated 4 bytes]");
}

TEST(JournalPrintTest, OneLinePerEntry) {
  Entry e = CompletedCancel();
  EXPECT_EQ(DebugString(e),
            std::string("#3 POST ") + kJob + ":cancel body=\"{}\" → 200 rule=r1 action=pass");
  EXPECT_EQ(::testing::PrintToString(e), DebugString(e));

  Entry pending = Request("GET", kJob);
  pending.id = 1;
  EXPECT_EQ(DebugString(pending), std::string("#1 GET ") + kJob + " → pending");

  Entry fault = Request("POST", "/x", "a\"b\n" + std::string(300, 'z'));
  fault.id = 2;
  fault.completed = true;
  fault.action = "fault:reset";
  fault.fault = api::WireFault{};
  EXPECT_EQ(DebugString(fault), "#2 POST /x body=\"a\\\"b\\n" + std::string(196, 'z') +
                                    "\"…(+104 bytes) → no response action=fault:reset fault=reset");

  EXPECT_EQ(::testing::PrintToString(WaitResult{false, "why"}), "not met: why");
  EXPECT_EQ(::testing::PrintToString(WaitResult{true, "met: x"}), "met");
}

// ---- Matchers ----

TEST(JournalMatchersTest, IsRequest) {
  Entry e = CompletedCancel();
  EXPECT_THAT(e, IsRequest("POST", EndsWith(":cancel")));
  EXPECT_EQ(::testing::DescribeMatcher<const Entry&>(IsRequest("GET", "/x")),
            "is a request whose method is equal to \"GET\" and whose target is equal to \"/x\"");

  auto [ok, why] = Explain(IsRequest("GET", EndsWith(":cancel")), e);
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "which is " + DebugString(e) + ", but its method is \"POST\"");
  std::tie(ok, why) = Explain(IsRequest("POST", kJob), e);
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "which is " + DebugString(e) + ", but its target is \"" + kJob + ":cancel\"");
}

TEST(JournalMatchersTest, HasOperationAndHasMethodAndHasTarget) {
  Entry e = CompletedCancel();
  EXPECT_THAT(e, HasOperation("nasJobs.cancel"));
  EXPECT_THAT(e, HasMethod("POST"));
  EXPECT_THAT(e, HasTarget(HasSubstr("nasJobs/1")));
  auto [ok, why] = Explain(HasOperation("nasJobs.get"), e);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr(DebugString(e)));
  EXPECT_THAT(why, EndsWith("but its operation is \"nasJobs.cancel\""));
  EXPECT_FALSE(Explain(HasMethod("GET"), e).first);
  EXPECT_FALSE(Explain(HasTarget(kJob), e).first);
}

TEST(JournalMatchersTest, HasResourceTakesAGlobOrAMatcher) {
  Entry e = CompletedCancel();
  EXPECT_THAT(e, HasResource("projects/*/locations/*/nasJobs/1"));
  EXPECT_THAT(e, HasResource(std::string(kJobName)));
  EXPECT_THAT(e, HasResource("*"));
  EXPECT_THAT(e, HasResource(EndsWith("/nasJobs/1")));
  EXPECT_THAT(e, Not(HasResource("projects/*/nasJobs/2")));
  auto [ok, why] = Explain(HasResource("*/nasJobs/2"), e);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr(DebugString(e)));
  EXPECT_THAT(why, HasSubstr(std::string("its resource is \"") + kJobName + "\""));
  EXPECT_EQ(::testing::DescribeMatcher<const Entry&>(HasResource("*/nasJobs/2")),
            "is a request whose resource matches the glob \"*/nasJobs/2\"");
}

TEST(JournalMatchersTest, HasBody) {
  Entry e = CompletedCancel();
  EXPECT_THAT(e, HasBody("{}"));
  auto [ok, why] = Explain(HasBody(IsEmpty()), e);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr(DebugString(e)));
  EXPECT_THAT(why, HasSubstr("its body is \"{}\""));

  e.body = std::string(500, 'q');
  std::tie(ok, why) = Explain(HasBody(IsEmpty()), e);
  EXPECT_THAT(why, HasSubstr("…(+300 bytes)"));  // a long body is shown cut
}

TEST(JournalMatchersTest, HasHeader) {
  Entry e = CompletedCancel();
  e.headers.emplace_back("x-goog-api-client", "a");
  e.headers.emplace_back("x-goog-api-client", "b");
  EXPECT_THAT(e, HasHeader("Content-Type", "application/json"));
  EXPECT_THAT(e, HasHeader("x-goog-api-client", "a, b"));
  auto [ok, why] = Explain(HasHeader("authorization", StartsWith("Bearer ")), e);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr(DebugString(e)));
  EXPECT_THAT(why, HasSubstr("it has no header \"authorization\""));
  EXPECT_FALSE(Explain(HasHeader("content-type", "text/plain"), e).first);
}

TEST(JournalMatchersTest, HasStatus) {
  Entry e = CompletedCancel();
  EXPECT_THAT(e, HasStatus(200));
  EXPECT_THAT(e, HasStatus(Ge(200)));
  auto [ok, why] = Explain(HasStatus(400), e);
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "which is " + DebugString(e) + ", but its status is 200");

  e.completed = false;
  std::tie(ok, why) = Explain(HasStatus(0), e);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr("it is not completed yet (no outcome)"));
}

TEST(JournalMatchersTest, HasActionAndHasRuleAndHasResponseBody) {
  Entry e = CompletedCancel();
  EXPECT_THAT(e, HasAction("pass"));
  EXPECT_THAT(e, HasRule("r1"));
  EXPECT_THAT(e, HasResponseBody("{}"));

  auto [ok, why] = Explain(HasAction(StartsWith("fault:")), e);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr(DebugString(e)));
  EXPECT_THAT(why, HasSubstr("its action is \"pass\""));
  std::tie(ok, why) = Explain(HasRule(IsEmpty()), e);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr(DebugString(e)));
  EXPECT_THAT(why, HasSubstr("its rule is \"r1\""));
  std::tie(ok, why) = Explain(HasResponseBody(HasSubstr("error")), e);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr("its response body is \"{}\""));
}

TEST(JournalMatchersTest, IsCompleted) {
  Entry e = CompletedCancel();
  EXPECT_THAT(e, IsCompleted());
  e.completed = false;
  auto [ok, why] = Explain(IsCompleted(), e);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr(DebugString(e)));
  EXPECT_THAT(why, HasSubstr("it is not yet completed"));
}

TEST(JournalMatchersTest, ExplainsEveryFailingPartOfAnAllOf) {
  Entry e = CompletedCancel();
  auto [ok, why] = Explain(AllOf(HasOperation("nasJobs.cancel"), HasBody(IsEmpty())), e);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr(DebugString(e)));
  EXPECT_THAT(why, HasSubstr("its body is \"{}\""));
}

TEST(JournalMatchersTest, ComposeWithContainerMatchers) {
  Journal journal;
  CompleteEntry(journal, BeginEntry(journal, Request("GET", kJob)), Outcome(200, "pass"));
  Entry cancel = Request("POST", std::string(kJob) + ":cancel");
  cancel.operation = "nasJobs.cancel";
  CompleteEntry(journal, BeginEntry(journal, cancel), Outcome(200, "pass", "", "{}"));
  auto entries = journal.Entries();

  EXPECT_THAT(entries,
              Contains(AllOf(HasOperation("nasJobs.cancel"), HasBody(IsEmpty()))).Times(1));
  EXPECT_THAT(entries, Contains(HasMethod("DELETE")).Times(0));
  EXPECT_THAT(entries, ContainsExactlyOnce(HasOperation("nasJobs.cancel")));
  EXPECT_THAT(entries, CountIs(HasStatus(200), 2));
  EXPECT_THAT(entries, CountIs(HasMethod("GET"), Ge(1u)));
  EXPECT_THAT(entries, Each(IsCompleted()));

  // A failing EXPECT_THAT prints the recorded requests.
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(entries, Contains(HasOperation("nasJobs.delete"))),
                          "#2 POST /v1/projects/123/locations/us-central1/nasJobs/1:cancel → 200");
}

TEST(JournalMatchersTest, CountIsExplainsWhatMatched) {
  std::vector<Entry> entries = {CompletedCancel(1), CompletedCancel(2)};
  auto [ok, why] = Explain(ContainsExactlyOnce(HasOperation("nasJobs.cancel")), entries);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, StartsWith("2 requests match: " + DebugString(entries[0]) + "; " +
                              DebugString(entries[1])));

  std::tie(ok, why) = Explain(CountIs(HasOperation("nasJobs.get"), 1), entries);
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "no request matches; the 2 requests are: " + DebugString(entries[0]) + "; " +
                     DebugString(entries[1]));

  std::tie(ok, why) = Explain(ContainsExactlyOnce(HasMethod("GET")), std::vector<Entry>{});
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "no request matches, and there are no requests");
}

TEST(JournalMatchersTest, RequestsAfterAndNoRequestsAfter) {
  std::vector<Entry> entries;
  for (uint64_t id = 1; id <= 4; ++id) {
    Entry e = Request(id == 2 ? "POST" : "GET", kJob);
    e.id = id;
    entries.push_back(e);
  }
  EXPECT_THAT(Ids(RequestsAfter(entries, HasMethod("POST"))), ElementsAre(3, 4));
  EXPECT_THAT(Ids(RequestsAfter(entries, HasMethod("GET"))), ElementsAre(2, 3, 4));
  EXPECT_THAT(RequestsAfter(entries, HasMethod("DELETE")), IsEmpty());
  EXPECT_THAT(RequestsAfter(entries, HasTarget("/nope")), SizeIs(0));

  std::vector<Entry> head(entries.begin(), entries.begin() + 2);
  EXPECT_THAT(head, NoRequestsAfter(HasMethod("POST")));

  auto [ok, why] = Explain(NoRequestsAfter(HasMethod("POST")), entries);
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, DebugString(entries[1]) + " is followed by 2 requests: " +
                     DebugString(entries[2]) + "; " + DebugString(entries[3]));
  std::tie(ok, why) = Explain(NoRequestsAfter(HasMethod("DELETE")), entries);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, StartsWith("no request matches"));
  EXPECT_THAT(why, HasSubstr(DebugString(entries[3])));
}

TEST(JournalMatchersTest, IsMet) {
  EXPECT_THAT((WaitResult{true, "met: x"}), IsMet());
  auto [ok, why] = Explain(IsMet(), WaitResult{false, "timed out after 5 ms waiting for x"});
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "whose reason is: timed out after 5 ms waiting for x");
}

// ---- Concurrency (also run under -fsanitize=thread) ----

constexpr int kThreads = 8;
constexpr int kPerThread = 1000;

// Each thread begins and completes kPerThread requests whose target names the
// thread and the request; the outcome echoes the target.
void Hammer(Journal& journal, std::vector<std::vector<uint64_t>>& ids) {
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&journal, &ids, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string target = "/t" + std::to_string(t) + "/" + std::to_string(i);
        uint64_t id = BeginEntry(journal, Request("GET", target));
        ids[t].push_back(id);
        CompleteEntry(journal, id, Outcome(200 + t, "pass", "", target));
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

TEST(JournalConcurrencyTest, EightThreadsKeepIdsAndOutcomesConsistent) {
  Journal journal;
  std::vector<std::vector<uint64_t>> ids(kThreads);
  Hammer(journal, ids);

  auto entries = journal.Entries();
  ASSERT_EQ(entries.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(journal.dropped(), 0u);
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    ASSERT_EQ(e.id, i + 1);
    ASSERT_TRUE(e.completed) << DebugString(e);
    ASSERT_EQ(e.response_body, e.target) << DebugString(e);
    ASSERT_EQ(e.status, 200 + std::stoi(e.target.substr(2))) << DebugString(e);
  }
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(ids[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) {
      // Each thread's ids grow, and each names that thread's i-th request.
      if (i > 0) {
        ASSERT_LT(ids[t][i - 1], ids[t][i]);
      }
      ASSERT_EQ(entries[ids[t][i] - 1].target, "/t" + std::to_string(t) + "/" + std::to_string(i));
    }
  }
}

TEST(JournalConcurrencyTest, BoundedJournalUnderLoadWithAWaiter) {
  Journal journal(100);
  auto all_seen = [](const std::vector<Entry>& entries) {
    return !entries.empty() && entries.back().id == uint64_t{kThreads} * kPerThread &&
           std::all_of(entries.begin(), entries.end(), [](const Entry& e) { return e.completed; });
  };
  std::future<WaitResult> waiter = std::async(std::launch::async, [&] {
    return journal.WaitFor(all_seen, std::chrono::seconds(60), "every request");
  });
  std::vector<std::vector<uint64_t>> ids(kThreads);
  Hammer(journal, ids);
  EXPECT_THAT(waiter.get(), IsMet());

  auto entries = journal.Entries();
  ASSERT_EQ(entries.size(), 100u);
  EXPECT_EQ(journal.dropped(), static_cast<uint64_t>(kThreads * kPerThread - 100));
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].id, kThreads * kPerThread - 99 + i);
    EXPECT_TRUE(entries[i].completed);
  }
}

}  // namespace
}  // namespace nasfake::journal
