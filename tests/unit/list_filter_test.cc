// Tests of the ListNasJobs filter (fake/api/list_filter.h, reference §6).
#include "fake/api/list_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fake/model/enums.h"
#include "fake/model/nas_job.h"
#include "fake/model/time.h"
#include "fake/status.h"
#include "fake/testing/status_matchers.h"

namespace nasfake::api {
namespace {

using model::JobState;
using model::NasJob;
using ::nasfake::testing::IsOk;
using ::nasfake::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

model::Timestamp Ts(std::string_view text) {
  std::optional<model::Timestamp> t = model::ParseTimestamp(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(model::Timestamp{});
}

NasJob Job(std::string display_name, JobState state = JobState::kRunning,
           std::optional<model::Timestamp> create_time = std::nullopt,
           std::map<std::string, std::string> labels = {}) {
  NasJob job;
  job.name = "projects/p/locations/us-central1/nasJobs/1";
  job.display_name = std::move(display_name);
  job.state = state;
  job.create_time = create_time;
  job.labels = std::move(labels);
  return job;
}

// Parses `filter` (which must be valid) and matches it against `job`.
bool Match(std::string_view filter, const NasJob& job) {
  StatusOr<ListFilter> f = ListFilter::Parse(filter);
  EXPECT_THAT(f, IsOk()) << "filter: " << filter;
  return f.ok() && f->Matches(job);
}

// Asserts that `filter` is rejected with INVALID_ARGUMENT naming the problem.
void ExpectInvalid(std::string_view filter, std::string_view why_fragment) {
  StatusOr<ListFilter> f = ListFilter::Parse(filter);
  EXPECT_THAT(
      f, StatusIs(StatusCode::kInvalidArgument,
                  AllOf(StartsWith("Invalid filter \""), HasSubstr(std::string(why_fragment)))))
      << filter;
}

// --- Empty filter -----------------------------------------------------------

TEST(ListFilterTest, EmptyAndBlankFiltersMatchEveryJob) {
  for (std::string_view text : {"", " ", " \t\n\r "}) {
    StatusOr<ListFilter> f = ListFilter::Parse(text);
    ASSERT_THAT(f, IsOk());
    EXPECT_TRUE(f->Matches(Job("")));
    EXPECT_TRUE(f->Matches(Job("anything", JobState::kFailed)));
  }
}

// --- The documented examples of §6, verbatim ----------------------------------

TEST(ListFilterTest, DocExampleStateAndDisplayNameHasWildcard) {
  constexpr std::string_view kFilter = R"(state="JOB_STATE_SUCCEEDED" AND display_name:"my_job_*")";
  EXPECT_TRUE(Match(kFilter, Job("my_job_1", JobState::kSucceeded)));
  EXPECT_TRUE(Match(kFilter, Job("my_job_", JobState::kSucceeded)));
  EXPECT_FALSE(Match(kFilter, Job("my_job_1", JobState::kRunning)));
  EXPECT_FALSE(Match(kFilter, Job("other_job_1", JobState::kSucceeded)));
  EXPECT_FALSE(Match(kFilter, Job("my_job", JobState::kSucceeded)));
}

TEST(ListFilterTest, DocExampleStateNotEqualOrDisplayName) {
  constexpr std::string_view kFilter = R"(state!="JOB_STATE_FAILED" OR display_name="my_job")";
  EXPECT_TRUE(Match(kFilter, Job("other", JobState::kRunning)));
  EXPECT_TRUE(Match(kFilter, Job("my_job", JobState::kFailed)));
  EXPECT_FALSE(Match(kFilter, Job("other", JobState::kFailed)));
  EXPECT_FALSE(Match(kFilter, Job("my_job_2", JobState::kFailed)));  // '=' is not a prefix match
}

TEST(ListFilterTest, DocExampleNotDisplayName) {
  constexpr std::string_view kFilter = R"(NOT display_name="my_job")";
  EXPECT_FALSE(Match(kFilter, Job("my_job")));
  EXPECT_TRUE(Match(kFilter, Job("my_job2")));
  EXPECT_TRUE(Match(kFilter, Job("")));
}

TEST(ListFilterTest, DocExampleCreateTimeGreater) {
  constexpr std::string_view kFilter = R"(create_time>"2021-05-18T00:00:00Z")";
  EXPECT_TRUE(Match(kFilter, Job("a", JobState::kRunning, Ts("2021-05-18T00:00:00.000001Z"))));
  EXPECT_FALSE(Match(kFilter, Job("a", JobState::kRunning, Ts("2021-05-18T00:00:00Z"))));
  EXPECT_FALSE(Match(kFilter, Job("a", JobState::kRunning, Ts("2021-05-17T23:59:59Z"))));
  EXPECT_FALSE(Match(kFilter, Job("a", JobState::kRunning, std::nullopt)));
}

TEST(ListFilterTest, DocExampleLabelEquals) {
  constexpr std::string_view kFilter = "labels.keyA=valueA";
  EXPECT_TRUE(Match(kFilter, Job("a", JobState::kRunning, std::nullopt, {{"keyA", "valueA"}})));
  EXPECT_FALSE(Match(kFilter, Job("a", JobState::kRunning, std::nullopt, {{"keyA", "valueAB"}})));
  EXPECT_FALSE(Match(kFilter, Job("a", JobState::kRunning, std::nullopt, {{"keyB", "valueA"}})));
  EXPECT_FALSE(Match(kFilter, Job("a")));
}

TEST(ListFilterTest, DocExampleLabelPresence) {
  constexpr std::string_view kFilter = "labels.keyB:*";
  EXPECT_TRUE(Match(kFilter, Job("a", JobState::kRunning, std::nullopt, {{"keyB", "x"}})));
  EXPECT_TRUE(Match(kFilter, Job("a", JobState::kRunning, std::nullopt, {{"keyB", ""}})));
  EXPECT_FALSE(Match(kFilter, Job("a", JobState::kRunning, std::nullopt, {{"keyA", "x"}})));
  EXPECT_FALSE(Match(kFilter, Job("a")));
}

// --- Field names ------------------------------------------------------------

TEST(ListFilterTest, CamelCaseFieldNamesAreAccepted) {
  NasJob job = Job("my_job_7", JobState::kRunning, Ts("2022-01-01T00:00:00Z"));
  EXPECT_TRUE(Match(R"(displayName="my_job_7")", job));
  EXPECT_TRUE(Match(R"(displayName:"my_job_*")", job));
  EXPECT_FALSE(Match(R"(displayName!="my_job_7")", job));
  EXPECT_TRUE(Match(R"(createTime>"2021-05-18T00:00:00Z")", job));
  EXPECT_FALSE(Match(R"(createTime<"2021-05-18T00:00:00Z")", job));
  EXPECT_TRUE(Match(R"(displayName="my_job_7" AND createTime>="2022-01-01T00:00:00Z")", job));
}

TEST(ListFilterTest, FieldNamesAreCaseSensitive) {
  ExpectInvalid(R"(Display_Name="x")", "unknown field \"Display_Name\" at position 0");
  ExpectInvalid(R"(STATE="JOB_STATE_RUNNING")", "unknown field \"STATE\"");
  ExpectInvalid(R"(createtime>"2021-05-18T00:00:00Z")", "unknown field \"createtime\"");
}

// --- Operators and precedence -------------------------------------------------

TEST(ListFilterTest, OrBindsTighterThanAnd) {
  // a AND b OR c is a AND (b OR c). A RUNNING job named "c" fails `a`, so the
  // AIP-160 reading rejects it while (a AND b) OR c would accept it.
  constexpr std::string_view kFilter =
      R"(state="JOB_STATE_FAILED" AND display_name="b" OR display_name="c")";
  EXPECT_FALSE(Match(kFilter, Job("c", JobState::kRunning)));
  EXPECT_TRUE(Match(kFilter, Job("c", JobState::kFailed)));
  EXPECT_TRUE(Match(kFilter, Job("b", JobState::kFailed)));
  EXPECT_FALSE(Match(kFilter, Job("d", JobState::kFailed)));
  // Parentheses override it.
  EXPECT_TRUE(Match(R"((state="JOB_STATE_FAILED" AND display_name="b") OR display_name="c")",
                    Job("c", JobState::kRunning)));
}

TEST(ListFilterTest, OrBindsTighterThanAndOnTheLeftToo) {
  // a OR b AND c is (a OR b) AND c. A job named "a" that fails c: the AIP-160
  // reading rejects it, a OR (b AND c) would accept it.
  constexpr std::string_view kFilter =
      R"(display_name="a" OR display_name="b" AND state="JOB_STATE_FAILED")";
  EXPECT_FALSE(Match(kFilter, Job("a", JobState::kRunning)));
  EXPECT_TRUE(Match(kFilter, Job("a", JobState::kFailed)));
  EXPECT_TRUE(Match(kFilter, Job("b", JobState::kFailed)));
  EXPECT_TRUE(Match(R"(display_name="a" OR (display_name="b" AND state="JOB_STATE_FAILED"))",
                    Job("a", JobState::kRunning)));
}

TEST(ListFilterTest, ImplicitAndOfAdjacentTerms) {
  constexpr std::string_view kFilter = R"(state=JOB_STATE_RUNNING display_name="x")";
  EXPECT_TRUE(Match(kFilter, Job("x", JobState::kRunning)));
  EXPECT_FALSE(Match(kFilter, Job("y", JobState::kRunning)));
  EXPECT_FALSE(Match(kFilter, Job("x", JobState::kFailed)));
  // A sequence also binds looser than OR: a b OR c is a AND (b OR c).
  constexpr std::string_view kSeqOr =
      R"(state=JOB_STATE_FAILED display_name="b" OR display_name="c")";
  EXPECT_FALSE(Match(kSeqOr, Job("c", JobState::kRunning)));
  EXPECT_TRUE(Match(kSeqOr, Job("c", JobState::kFailed)));
  // Adjacent parenthesised groups and terms without spaces.
  EXPECT_TRUE(Match(R"((display_name="x")(state=JOB_STATE_RUNNING))", Job("x")));
  EXPECT_FALSE(Match(R"((display_name="x")(state=JOB_STATE_FAILED))", Job("x")));
}

TEST(ListFilterTest, MinusNegatesTheFollowingTerm) {
  EXPECT_FALSE(Match(R"(-display_name="x")", Job("x")));
  EXPECT_TRUE(Match(R"(-display_name="x")", Job("y")));
  // `-` applies to one term only: -a OR b is (NOT a) OR b.
  EXPECT_TRUE(Match(R"(-display_name="x" OR state=JOB_STATE_RUNNING)", Job("x")));
  EXPECT_FALSE(Match(R"(-display_name="x" OR state=JOB_STATE_FAILED)", Job("x")));
  EXPECT_FALSE(Match(R"(-(display_name="x" OR display_name="y"))", Job("y")));
  EXPECT_TRUE(Match(R"(-(display_name="x" OR display_name="y"))", Job("z")));
  // In a sequence: a -b.
  EXPECT_TRUE(Match(R"(state=JOB_STATE_RUNNING -display_name="x")", Job("y")));
  EXPECT_FALSE(Match(R"(state=JOB_STATE_RUNNING -display_name="x")", Job("x")));
}

TEST(ListFilterTest, NotAppliesToTheFollowingTermOnly) {
  // NOT a OR b is (NOT a) OR b, not NOT (a OR b).
  constexpr std::string_view kFilter = R"(NOT display_name="x" OR display_name="x")";
  EXPECT_TRUE(Match(kFilter, Job("x")));
  EXPECT_TRUE(Match(kFilter, Job("y")));
  EXPECT_FALSE(Match(R"(NOT (display_name="x" OR display_name="y"))", Job("x")));
  EXPECT_TRUE(Match(R"(NOT(display_name="x"))", Job("y")));
}

TEST(ListFilterTest, ParenthesesNestAndAllowWhitespace) {
  constexpr std::string_view kFilter =
      " ( ( display_name = \"a\" OR display_name = \"b\" ) AND ( state = JOB_STATE_RUNNING ) ) ";
  EXPECT_TRUE(Match(kFilter, Job("a")));
  EXPECT_TRUE(Match(kFilter, Job("b")));
  EXPECT_FALSE(Match(kFilter, Job("c")));
  EXPECT_FALSE(Match(kFilter, Job("a", JobState::kFailed)));
}

TEST(ListFilterTest, LongFlatChainsParseAndMatch) {
  std::string and_chain = R"(display_name="x")";
  std::string or_chain = R"(display_name="n0")";
  for (int i = 1; i < 150; ++i) {
    and_chain += R"( AND display_name:"*")";
    or_chain += " OR display_name=\"n" + std::to_string(i) + "\"";
  }
  ASSERT_LE(or_chain.size(), 4096u);
  EXPECT_TRUE(Match(and_chain, Job("x")));
  EXPECT_FALSE(Match(and_chain, Job("y")));
  EXPECT_TRUE(Match(or_chain, Job("n149")));
  EXPECT_FALSE(Match(or_chain, Job("n150")));
}

// --- Values and wildcards -----------------------------------------------------

TEST(ListFilterTest, WildcardPositions) {
  EXPECT_TRUE(Match(R"(display_name="*_job")", Job("my_job")));
  EXPECT_FALSE(Match(R"(display_name="*_job")", Job("my_job_1")));
  EXPECT_TRUE(Match(R"(display_name="my_*")", Job("my_")));
  EXPECT_FALSE(Match(R"(display_name="my_*")", Job("xmy_1")));
  EXPECT_TRUE(Match(R"(display_name="*job*")", Job("a_job_b")));
  EXPECT_TRUE(Match(R"(display_name="*job*")", Job("job")));
  EXPECT_FALSE(Match(R"(display_name="*job*")", Job("jo_b")));
  EXPECT_TRUE(Match(R"(display_name="a*b*c")", Job("axxbyyc")));
  EXPECT_TRUE(Match(R"(display_name="a*b*c")", Job("abc")));
  EXPECT_FALSE(Match(R"(display_name="a*b*c")", Job("acb")));
  EXPECT_FALSE(Match(R"(display_name="a*b*c")", Job("abcd")));
  // Segments must not overlap: "a*a" needs two a's.
  EXPECT_FALSE(Match(R"(display_name="a*a")", Job("a")));
  EXPECT_TRUE(Match(R"(display_name="a*a")", Job("aa")));
  // Leftmost matching of the middle must still leave room for the suffix.
  EXPECT_TRUE(Match(R"(display_name="*ab*ab")", Job("abab")));
  EXPECT_FALSE(Match(R"(display_name="*ab*ab")", Job("aba")));
  EXPECT_TRUE(Match(R"(display_name="a*b*b")", Job("abb")));
  EXPECT_FALSE(Match(R"(display_name="a*b*b")", Job("ab")));
  // Consecutive stars behave like one.
  EXPECT_TRUE(Match(R"(display_name="a**b")", Job("ab")));
  EXPECT_TRUE(Match(R"(display_name="**")", Job("")));
}

TEST(ListFilterTest, LoneStarAndEmptyValue) {
  EXPECT_TRUE(Match(R"(display_name="*")", Job("")));
  EXPECT_TRUE(Match(R"(display_name="*")", Job("anything")));
  EXPECT_TRUE(Match(R"(display_name="")", Job("")));
  EXPECT_FALSE(Match(R"(display_name="")", Job("x")));
  EXPECT_TRUE(Match(R"(display_name!="")", Job("x")));
  EXPECT_FALSE(Match(R"(display_name!="*")", Job("x")));
}

TEST(ListFilterTest, HasOnDisplayNameIsWildcardMatchNotSubstring) {
  EXPECT_TRUE(Match(R"(display_name:"job")", Job("job")));
  EXPECT_FALSE(Match(R"(display_name:"job")", Job("my_job_1")));
  EXPECT_TRUE(Match(R"(display_name:"*job*")", Job("my_job_1")));
  EXPECT_TRUE(Match("display_name:my_job_*", Job("my_job_1")));  // bare value
}

TEST(ListFilterTest, NotEqualsOnDisplayNameUsesWildcards) {
  EXPECT_FALSE(Match(R"(display_name!="my_*")", Job("my_job")));
  EXPECT_TRUE(Match(R"(display_name!="my_*")", Job("your_job")));
}

TEST(ListFilterTest, EscapedStarIsLiteral) {
  EXPECT_TRUE(Match(R"(display_name="a\*b")", Job("a*b")));
  EXPECT_FALSE(Match(R"(display_name="a\*b")", Job("axb")));
  EXPECT_TRUE(Match(R"(display_name="a\**")", Job("a*xyz")));
  EXPECT_FALSE(Match(R"(display_name="a\**")", Job("axyz")));
}

TEST(ListFilterTest, QuotedStringsAndEscapes) {
  EXPECT_TRUE(Match(R"(display_name="say \"hi\"")", Job("say \"hi\"")));
  EXPECT_TRUE(Match(R"(display_name="back\\slash")", Job("back\\slash")));
  EXPECT_TRUE(Match(R"(display_name="tab\there")", Job("tab\there")));
  EXPECT_TRUE(Match(R"(display_name='single "quoted"')", Job("single \"quoted\"")));
  EXPECT_TRUE(
      Match(R"(display_name="has AND OR NOT (parens) = :")", Job("has AND OR NOT (parens) = :")));
  EXPECT_TRUE(Match(R"(display_name="ünïcødé")", Job("ünïcødé")));
}

TEST(ListFilterTest, BareValuesEndAtWhitespaceOrParenthesis) {
  EXPECT_TRUE(Match("(display_name=abc)", Job("abc")));
  EXPECT_TRUE(Match("display_name=a-b.c", Job("a-b.c")));
  EXPECT_FALSE(Match("display_name=abc state=JOB_STATE_FAILED", Job("abc")));
}

// --- state ------------------------------------------------------------------

TEST(ListFilterTest, StateByNameOrNumberQuotedOrBare) {
  NasJob running = Job("a", JobState::kRunning);
  EXPECT_TRUE(Match("state=JOB_STATE_RUNNING", running));
  EXPECT_TRUE(Match(R"(state="JOB_STATE_RUNNING")", running));
  EXPECT_TRUE(Match("state=3", running));
  EXPECT_TRUE(Match(R"(state="3")", running));
  EXPECT_FALSE(Match("state=4", running));
  EXPECT_TRUE(Match("state!=JOB_STATE_PENDING", running));
  EXPECT_FALSE(Match("state!=JOB_STATE_RUNNING", running));
  EXPECT_TRUE(
      Match("state=JOB_STATE_PARTIALLY_SUCCEEDED", Job("a", JobState::kPartiallySucceeded)));
  EXPECT_TRUE(Match("state=JOB_STATE_UNSPECIFIED", Job("a", JobState::kUnspecified)));
}

TEST(ListFilterTest, StateRejectsUnknownValuesAndOrderingComparators) {
  ExpectInvalid("state=JOB_STATE_BOGUS", "unknown state \"JOB_STATE_BOGUS\" at position 6");
  ExpectInvalid("state=job_state_running", "unknown state \"job_state_running\"");
  ExpectInvalid("state=RUNNING", "unknown state \"RUNNING\"");
  ExpectInvalid("state=12", "unknown state \"12\"");
  ExpectInvalid("state=99999999999999999999", "unknown state");
  ExpectInvalid("state=-1", "unknown state \"-1\"");
  ExpectInvalid(R"(state="JOB_STATE_*")", "unknown state \"JOB_STATE_*\"");
  ExpectInvalid("state>JOB_STATE_RUNNING",
                "comparator '>' at position 5 is not supported for state");
  ExpectInvalid("state<=3", "comparator '<=' at position 5 is not supported for state");
  ExpectInvalid("state:JOB_STATE_RUNNING",
                "comparator ':' at position 5 is not supported for state");
}

// --- create_time ----------------------------------------------------------------

TEST(ListFilterTest, CreateTimeAllComparators) {
  NasJob job_at = Job("a", JobState::kRunning, Ts("2021-05-18T00:00:00Z"));
  NasJob job_before = Job("a", JobState::kRunning, Ts("2021-05-17T00:00:00Z"));
  NasJob job_after = Job("a", JobState::kRunning, Ts("2021-05-19T00:00:00Z"));
  struct Case {
    std::string op;
    bool before, at, after;  // whether each job matches
  };
  for (const Case& c : std::vector<Case>{{"=", false, true, false},
                                         {"!=", true, false, true},
                                         {"<", true, false, false},
                                         {"<=", true, true, false},
                                         {">", false, false, true},
                                         {">=", false, true, true}}) {
    std::string filter = "create_time" + c.op + "\"2021-05-18T00:00:00Z\"";
    EXPECT_EQ(Match(filter, job_before), c.before) << filter;
    EXPECT_EQ(Match(filter, job_at), c.at) << filter;
    EXPECT_EQ(Match(filter, job_after), c.after) << filter;
  }
}

TEST(ListFilterTest, CreateTimeBareOffsetAndFractionalValues) {
  NasJob at = Job("a", JobState::kRunning, Ts("2021-05-18T00:00:00.250Z"));
  EXPECT_TRUE(Match("create_time=2021-05-18T00:00:00.25Z", at));
  EXPECT_TRUE(Match("create_time = 2021-05-18T02:00:00.250000+02:00", at));
  EXPECT_TRUE(Match("create_time>2021-05-18T00:00:00Z AND create_time<2021-05-18T00:00:01Z", at));
  EXPECT_FALSE(Match("create_time=2021-05-18T00:00:00Z", at));
}

TEST(ListFilterTest, JobWithoutCreateTimeMatchesNoComparison) {
  NasJob none = Job("a");
  for (std::string op : {"=", "!=", "<", "<=", ">", ">="}) {
    EXPECT_FALSE(Match("create_time" + op + "\"2021-05-18T00:00:00Z\"", none)) << op;
  }
  // Negating the comparison does match it.
  EXPECT_TRUE(Match(R"(NOT create_time="2021-05-18T00:00:00Z")", none));
}

TEST(ListFilterTest, CreateTimeRejectsBadTimestampsAndHas) {
  ExpectInvalid(R"(create_time>"yesterday")",
                "invalid timestamp \"yesterday\" at position 12; expected RFC 3339");
  ExpectInvalid(R"(create_time>"2021-05-18")", "invalid timestamp \"2021-05-18\"");
  ExpectInvalid(R"(create_time>"2021-13-01T00:00:00Z")", "invalid timestamp");
  ExpectInvalid(R"(create_time>"2021-05-18T00:00:00")", "invalid timestamp");
  ExpectInvalid(R"(create_time="2021-*")", "invalid timestamp \"2021-*\"");
  ExpectInvalid(R"(create_time:"2021-05-18T00:00:00Z")",
                "comparator ':' at position 11 is not supported for create_time");
}

// --- labels -----------------------------------------------------------------

TEST(ListFilterTest, LabelNotEqualsIsTrueWhenTheKeyIsMissing) {
  constexpr std::string_view kFilter = R"(labels.env!="prod")";
  EXPECT_TRUE(Match(kFilter, Job("a")));
  EXPECT_TRUE(Match(kFilter, Job("a", JobState::kRunning, std::nullopt, {{"env", "dev"}})));
  EXPECT_FALSE(Match(kFilter, Job("a", JobState::kRunning, std::nullopt, {{"env", "prod"}})));
}

TEST(ListFilterTest, LabelMapHasKey) {
  EXPECT_TRUE(Match("labels:env", Job("a", JobState::kRunning, std::nullopt, {{"env", ""}})));
  EXPECT_TRUE(Match(R"(labels:"env")", Job("a", JobState::kRunning, std::nullopt, {{"env", "x"}})));
  EXPECT_FALSE(Match("labels:env", Job("a", JobState::kRunning, std::nullopt, {{"envx", "x"}})));
  EXPECT_FALSE(Match("labels:env", Job("a")));
  EXPECT_TRUE(Match("NOT labels:env", Job("a")));
}

TEST(ListFilterTest, LabelKeysWithDashesAndValuesWithWildcards) {
  NasJob job = Job("a", JobState::kRunning, std::nullopt, {{"team-name", "ml-infra"}});
  EXPECT_TRUE(Match("labels.team-name=ml-infra", job));
  EXPECT_TRUE(Match(R"(labels.team-name="ml-*")", job));
  EXPECT_FALSE(Match(R"(labels.team-name="ml")", job));
  EXPECT_TRUE(Match("labels.team-name:*", job));
  EXPECT_FALSE(Match("labels.team:*", job));
}

TEST(ListFilterTest, LabelErrors) {
  ExpectInvalid(R"(labels.="x")", "empty label key in \"labels.\" at position 0");
  ExpectInvalid(R"(labels:"")", "empty label key after \"labels:\"");
  ExpectInvalid("labels:*", "labels:* at position 0 is not supported");
  ExpectInvalid("labels.env:prod", "use labels.KEY:* for presence");
  ExpectInvalid("labels.env<prod", "comparator '<' at position 10 is not supported for labels.env");
  ExpectInvalid("labels=x", "comparator '=' at position 6 is not supported for labels");
}

// --- Errors -----------------------------------------------------------------

TEST(ListFilterTest, ErrorUnknownField) {
  ExpectInvalid(R"(foo="x")",
                "unknown field \"foo\" at position 0; filterable fields are display_name, state, "
                "create_time, labels");
  ExpectInvalid(R"(name="x")", "unknown field \"name\" at position 0");
  ExpectInvalid(R"(display_name="a" AND update_time>"2021-05-18T00:00:00Z")",
                "unknown field \"update_time\" at position 21");
  ExpectInvalid(R"(labels_x="a")", "unknown field \"labels_x\"");
}

TEST(ListFilterTest, ErrorLowercaseOperatorIsAnUnknownFieldWithAHint) {
  ExpectInvalid(R"(display_name="a" and state=JOB_STATE_RUNNING)",
                "unknown field \"and\" at position 17");
  ExpectInvalid(R"(display_name="a" or state=JOB_STATE_RUNNING)",
                "operators AND, OR, NOT are uppercase");
}

TEST(ListFilterTest, ErrorUnsupportedComparatorOnDisplayName) {
  ExpectInvalid(R"(display_name<"x")",
                "comparator '<' at position 12 is not supported for display_name; use =, != or :");
  ExpectInvalid(R"(displayName>="x")",
                "comparator '>=' at position 11 is not supported for displayName");
}

TEST(ListFilterTest, ErrorMissingComparator) {
  ExpectInvalid("display_name",
                "expected a comparator (=, !=, <, <=, >, >=, :) after \"display_name\" at position "
                "12 but found end of filter");
  ExpectInvalid(R"(display_name "x")", "expected a comparator");
  ExpectInvalid(R"(state AND display_name="x")",
                "after \"state\" at position 6 but found keyword AND");
  ExpectInvalid(R"(display_name!"x")", "expected a comparator");
}

TEST(ListFilterTest, ErrorEmptyOperand) {
  ExpectInvalid("display_name=", "missing value after '=' at position 12");
  ExpectInvalid("display_name=   ", "missing value after '=' at position 12");
  ExpectInvalid("(display_name=)", "missing value after '=' at position 13; found ')'");
  ExpectInvalid("display_name= AND state=JOB_STATE_RUNNING",
                "missing value after '=' at position 12; found keyword AND");
  ExpectInvalid("display_name==x", "missing value after '=' at position 12; found '='");
  ExpectInvalid("labels.k!=", "missing value after '!=' at position 8");
}

TEST(ListFilterTest, ErrorDanglingOperators) {
  ExpectInvalid(R"(display_name="a" AND)", "after AND at position 17 but found end of filter");
  ExpectInvalid(R"(display_name="a" AND   )", "after AND at position 17");
  ExpectInvalid(
      R"(AND display_name="a")",
      "expected a term (a field name, NOT, '-' or '(') but found keyword AND at position 0");
  ExpectInvalid(R"(display_name="a" OR)", "after OR at position 17 but found end of filter");
  ExpectInvalid(R"(display_name="a" AND OR state=3)",
                "after AND at position 17 but found keyword OR at position 21");
  ExpectInvalid(R"(display_name="a" AND AND state=3)", "found keyword AND at position 21");
  ExpectInvalid("NOT", "after NOT at position 0 but found end of filter");
  ExpectInvalid(R"(NOT NOT display_name="a")",
                "after NOT at position 0 but found keyword NOT at position 4");
  ExpectInvalid("-", "'-' at position 0 must be followed directly by a term");
  ExpectInvalid(R"(- display_name="a")", "'-' at position 0 must be followed directly by a term");
}

TEST(ListFilterTest, ErrorUnbalancedParentheses) {
  ExpectInvalid(R"((display_name="a")",
                "unbalanced '(' at position 0: no matching ')' before end of filter");
  ExpectInvalid(R"(((display_name="a") AND state=3)", "unbalanced '(' at position 0");
  ExpectInvalid(R"(display_name="a"))", "unbalanced ')' at position 16 has no matching '('");
  ExpectInvalid(R"((display_name="a")) OR (state=3))", "unbalanced ')' at position 18");
  ExpectInvalid("()", "empty parentheses at position 0");
  ExpectInvalid(R"(display_name="a" AND ( ))", "empty parentheses at position 21");
  ExpectInvalid(")", "found ')' at position 0");
}

TEST(ListFilterTest, ErrorTrailingOrStrayTokens) {
  ExpectInvalid(R"(display_name="a" "b")",
                "expected a field name at position 17 but found quoted string");
  ExpectInvalid(R"(display_name="a" = "b")", "found '=' at position 17");
  ExpectInvalid(R"(display_name="a" & state=3)", "found '&' at position 17");
  ExpectInvalid(R"(display_name="a" || state=3)", "found '|' at position 17");
  ExpectInvalid(R"("my_job")", "expected a field name at position 0 but found quoted string");
  ExpectInvalid(R"(display_name="a"x="b")", "unknown field \"x\" at position 16");
}

TEST(ListFilterTest, ErrorStringsAndEscapes) {
  ExpectInvalid(R"(display_name="abc)", "unterminated string starting at position 13");
  ExpectInvalid(R"(display_name='abc")", "unterminated string starting at position 13");
  ExpectInvalid(R"(display_name="abc\")", "unterminated string starting at position 13");
  ExpectInvalid(R"(display_name="a\qb")", "invalid escape sequence '\\q' at position 15");
}

TEST(ListFilterTest, ErrorMessageQuotesTheFilter) {
  StatusOr<ListFilter> f = ListFilter::Parse("nope=1");
  EXPECT_THAT(f, StatusIs(StatusCode::kInvalidArgument,
                          "Invalid filter \"nope=1\": unknown field \"nope\" at position 0; "
                          "filterable fields are display_name, state, create_time, labels"));
}

// --- Bounds -----------------------------------------------------------------

TEST(ListFilterTest, LengthLimitIs4096Bytes) {
  std::string prefix = "display_name=\"";
  std::string ok_filter = prefix + std::string(4096 - prefix.size() - 1, 'a') + "\"";
  ASSERT_EQ(ok_filter.size(), 4096u);
  EXPECT_TRUE(Match(ok_filter, Job(std::string(4096 - prefix.size() - 1, 'a'))));

  std::string too_long = prefix + std::string(4096 - prefix.size(), 'a') + "\"";
  ASSERT_EQ(too_long.size(), 4097u);
  ExpectInvalid(too_long, "the filter is 4097 bytes long; the limit is 4096 bytes");
}

TEST(ListFilterTest, HugeFilterIsRejectedFastWithoutEchoingIt) {
  std::string huge;
  while (huge.size() < 100000) huge += R"(display_name="a" OR )";
  huge.resize(100000);
  auto start = std::chrono::steady_clock::now();
  StatusOr<ListFilter> f = ListFilter::Parse(huge);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_THAT(f, StatusIs(StatusCode::kInvalidArgument,
                          HasSubstr("100000 bytes long; the limit is 4096 bytes")));
  EXPECT_LT(f.status().message().size(), 500u);  // the text is not echoed whole
  EXPECT_LT(elapsed, std::chrono::seconds(1));
}

TEST(ListFilterTest, DeepNestingIsRejectedWithoutRecursingUnbounded) {
  // 10000 levels: beyond the length limit as well.
  std::string deep = std::string(10000, '(') + R"(display_name="a")" + std::string(10000, ')');
  ExpectInvalid(deep, "bytes long; the limit is 4096 bytes");
  // 2000 levels fit within 4096 bytes, so only the depth limit stops them.
  std::string deep2 = std::string(2000, '(') + "state=3" + std::string(2000, ')');
  ASSERT_LE(deep2.size(), 4096u);
  ExpectInvalid(deep2, "parentheses nest deeper than 64 levels at position 64");
  // Unbalanced opens only.
  ExpectInvalid(std::string(4000, '('), "parentheses nest deeper than 64 levels");
  // Negations interleaved with parentheses count the parentheses.
  std::string neg;
  for (int i = 0; i < 65; ++i) neg += "NOT (";
  neg += "state=3" + std::string(65, ')');
  ExpectInvalid(neg, "parentheses nest deeper than 64 levels");
}

TEST(ListFilterTest, SixtyFourLevelsAreAllowed) {
  std::string ok = std::string(64, '(') + "state=3" + std::string(64, ')');
  EXPECT_TRUE(Match(ok, Job("a", JobState::kRunning)));
  EXPECT_FALSE(Match(ok, Job("a", JobState::kFailed)));
  std::string neg;
  for (int i = 0; i < 64; ++i) neg += "-(";
  neg += "state=3" + std::string(64, ')');
  EXPECT_TRUE(Match(neg, Job("a", JobState::kRunning)));  // even number of negations
  ExpectInvalid(std::string(65, '(') + "state=3" + std::string(65, ')'),
                "nest deeper than 64 levels at position 64");
}

// --- Concurrency ------------------------------------------------------------

TEST(ListFilterTest, MatchesIsSafeFromManyThreadsOnACopy) {
  StatusOr<ListFilter> parsed =
      ListFilter::Parse(R"(display_name:"job_*" AND (labels.env="prod" OR labels:canary))");
  ASSERT_THAT(parsed, IsOk());
  const ListFilter filter = *parsed;  // copies share the parsed tree
  std::vector<NasJob> jobs;
  for (int i = 0; i < 64; ++i) {
    std::map<std::string, std::string> labels;
    if (i % 3 == 0) labels["env"] = "prod";
    if (i % 5 == 0) labels["canary"] = "";
    jobs.push_back(Job((i % 2 ? "job_" : "other_") + std::to_string(i), JobState::kRunning,
                       std::nullopt, labels));
  }
  auto expected = [](int i) { return i % 2 == 1 && (i % 3 == 0 || i % 5 == 0); };
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        for (int i = 0; i < 64; ++i) {
          if (filter.Matches(jobs[i]) != expected(i)) ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace nasfake::api
