#include "fake/testing/status_matchers.h"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace nasfake::testing {
namespace {

using ::testing::AnyOf;
using ::testing::DescribeMatcher;
using ::testing::Eq;
using ::testing::Gt;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::PrintToString;
using ::testing::StartsWith;

// Whether `matcher` matches `value`, and its explanation.
template <typename T, typename M>
std::pair<bool, std::string> Explain(const M& matcher, const T& value) {
  ::testing::StringMatchResultListener listener;
  const bool ok = ::testing::ExplainMatchResult(matcher, value, &listener);
  return {ok, listener.str()};
}

Status NotFound() { return Status(StatusCode::kNotFound, "no job \"x\""); }

// ---- Printers ----

TEST(StatusPrinterTest, PrintsCodeMessageAndDetails) {
  EXPECT_EQ(PrintToString(StatusCode::kInvalidArgument), "INVALID_ARGUMENT");
  EXPECT_EQ(PrintToString(Status()), "OK");
  EXPECT_EQ(PrintToString(NotFound()), "NOT_FOUND: no job \"x\"");
  Status with_details(StatusCode::kInvalidArgument, "bad",
                      nlohmann::json::array({{{"@type", "t"}}}));
  EXPECT_EQ(PrintToString(with_details), "INVALID_ARGUMENT: bad [{\"@type\":\"t\"}]");
}

TEST(StatusPrinterTest, PrintsStatusOrValueOrStatus) {
  EXPECT_EQ(PrintToString(StatusOr<int>(3)), "OK: 3");
  EXPECT_EQ(PrintToString(StatusOr<std::string>(std::string("a"))), "OK: \"a\"");
  EXPECT_EQ(PrintToString(StatusOr<int>(NotFound())), "NOT_FOUND: no job \"x\"");
}

// ---- IsOk ----

TEST(IsOkTest, MatchesOkStatusAndStatusOr) {
  EXPECT_THAT(Status(), IsOk());
  EXPECT_THAT(StatusOr<int>(3), IsOk());
  EXPECT_THAT(NotFound(), Not(IsOk()));
  EXPECT_THAT(StatusOr<int>(NotFound()), Not(IsOk()));
}

TEST(IsOkTest, ExplainsWithTheWholeStatus) {
  auto [ok, why] = Explain(IsOk(), NotFound());
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "which is not OK: NOT_FOUND: no job \"x\"");
  EXPECT_EQ(DescribeMatcher<const Status&>(IsOk()), "is OK");
  EXPECT_EQ(DescribeMatcher<const Status&>(IsOk(), /*negation=*/true), "is not OK");
}

TEST(IsOkTest, FailureMessageShowsTheStatus) {
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(NotFound(), IsOk()),
                          "which is not OK: NOT_FOUND: no job \"x\"");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(StatusOr<int>(NotFound()), IsOk()),
                          "Actual: NOT_FOUND: no job \"x\"");
}

// ---- StatusIs ----

TEST(StatusIsTest, MatchesCodeAlone) {
  EXPECT_THAT(NotFound(), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(StatusOr<int>(NotFound()), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(StatusOr<int>(3), StatusIs(StatusCode::kOk));
  EXPECT_THAT(NotFound(), StatusIs(AnyOf(StatusCode::kNotFound, StatusCode::kInternal)));
  EXPECT_THAT(NotFound(), Not(StatusIs(StatusCode::kInvalidArgument)));
}

TEST(StatusIsTest, MatchesCodeAndMessage) {
  EXPECT_THAT(NotFound(), StatusIs(StatusCode::kNotFound, "no job \"x\""));
  EXPECT_THAT(NotFound(), StatusIs(StatusCode::kNotFound, HasSubstr("no job")));
  EXPECT_THAT(StatusOr<int>(NotFound()), StatusIs(StatusCode::kNotFound, StartsWith("no")));
  EXPECT_THAT(NotFound(), Not(StatusIs(StatusCode::kNotFound, HasSubstr("operation"))));
}

TEST(StatusIsTest, ExplainsAWrongCode) {
  auto [ok, why] = Explain(StatusIs(StatusCode::kInvalidArgument, HasSubstr("no job")), NotFound());
  EXPECT_FALSE(ok);
  EXPECT_EQ(why,
            "whose code NOT_FOUND doesn't match (want: is equal to INVALID_ARGUMENT); "
            "the status is NOT_FOUND: no job \"x\"");
}

TEST(StatusIsTest, ExplainsAWrongMessage) {
  auto [ok, why] = Explain(StatusIs(StatusCode::kNotFound, HasSubstr("operation")), NotFound());
  EXPECT_FALSE(ok);
  EXPECT_EQ(why,
            "whose message \"no job \\\"x\\\"\" doesn't match (want: has substring "
            "\"operation\"); the status is NOT_FOUND: no job \"x\"");
}

TEST(StatusIsTest, ExplainsBothParts) {
  auto [ok, why] = Explain(StatusIs(StatusCode::kInternal, "boom"), NotFound());
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, StartsWith("whose code NOT_FOUND doesn't match (want: is equal to INTERNAL), "
                              "and whose message \"no job \\\"x\\\"\" doesn't match (want: is "
                              "equal to \"boom\")"));
  EXPECT_THAT(why, HasSubstr("the status is NOT_FOUND: no job \"x\""));
}

TEST(StatusIsTest, ExplainsAnOkStatusOr) {
  auto [ok, why] = Explain(StatusIs(StatusCode::kNotFound), StatusOr<int>(3));
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "whose code OK doesn't match (want: is equal to NOT_FOUND); the status is OK");
}

TEST(StatusIsTest, ExplainsAMatch) {
  // What Not(StatusIs(…)) reports when it fails.
  EXPECT_EQ(Explain(StatusIs(StatusCode::kNotFound, HasSubstr("job")), NotFound()).second,
            "whose code and message match; the status is NOT_FOUND: no job \"x\"");
  EXPECT_EQ(Explain(StatusIs(StatusCode::kNotFound), NotFound()).second,
            "whose code matches; the status is NOT_FOUND: no job \"x\"");
}

TEST(StatusIsTest, Describes) {
  EXPECT_EQ(DescribeMatcher<const Status&>(StatusIs(StatusCode::kNotFound)),
            "has a status whose code is equal to NOT_FOUND");
  EXPECT_EQ(DescribeMatcher<const Status&>(StatusIs(StatusCode::kNotFound, HasSubstr("job"))),
            "has a status whose code is equal to NOT_FOUND and whose message has substring "
            "\"job\"");
  EXPECT_EQ(DescribeMatcher<const StatusOr<int>&>(StatusIs(StatusCode::kNotFound, "m"),
                                                  /*negation=*/true),
            "has a status whose code isn't equal to NOT_FOUND or whose message isn't equal to "
            "\"m\"");
}

TEST(StatusIsTest, FailureMessageNamesThePartThatMismatched) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_THAT(NotFound(), StatusIs(StatusCode::kNotFound, HasSubstr("operation"))),
      "whose message \"no job \\\"x\\\"\" doesn't match");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_THAT(StatusOr<std::string>(std::string("v")), StatusIs(StatusCode::kNotFound)),
      "Actual: OK: \"v\"");
}

// ---- IsOkAndHolds ----

TEST(IsOkAndHoldsTest, MatchesTheValue) {
  EXPECT_THAT(StatusOr<int>(3), IsOkAndHolds(3));
  EXPECT_THAT(StatusOr<int>(3), IsOkAndHolds(Gt(2)));
  EXPECT_THAT(StatusOr<std::string>(std::string("abc")), IsOkAndHolds(HasSubstr("b")));
  EXPECT_THAT(StatusOr<int>(3), Not(IsOkAndHolds(4)));
  EXPECT_THAT(StatusOr<int>(NotFound()), Not(IsOkAndHolds(3)));
}

TEST(IsOkAndHoldsTest, Explains) {
  auto [ok, why] = Explain(IsOkAndHolds(4), StatusOr<int>(3));
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "which is OK and holds 3");
  std::tie(ok, why) = Explain(IsOkAndHolds(4), StatusOr<int>(NotFound()));
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "which is not OK: NOT_FOUND: no job \"x\"");
  std::tie(ok, why) =
      Explain(IsOkAndHolds(Eq(std::vector<int>{1})), StatusOr<std::vector<int>>(std::vector{2}));
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, StartsWith("which is OK and holds { 2 }"));
  EXPECT_EQ(DescribeMatcher<const StatusOr<int>&>(IsOkAndHolds(Gt(2))),
            "is OK and holds a value that is > 2");
}

TEST(IsOkAndHoldsTest, FailureMessageShowsTheStatus) {
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(StatusOr<int>(NotFound()), IsOkAndHolds(3)),
                          "which is not OK: NOT_FOUND: no job \"x\"");
}

}  // namespace
}  // namespace nasfake::testing
