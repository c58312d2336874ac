#include "fake/model/time.h"

#include <gtest/gtest.h>

namespace nasfake::model {
namespace {

using std::chrono::microseconds;

TEST(TimestampTest, FormatsSixFractionalDigitsInUtc) {
  auto t = ParseTimestamp("2024-05-18T10:00:00.123456Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTimestamp(*t), "2024-05-18T10:00:00.123456Z");
  EXPECT_EQ(FormatTimestamp(Timestamp{}), "1970-01-01T00:00:00.000000Z");
}

TEST(TimestampTest, AcceptsZeroToNineDigitsAndTruncatesToMicroseconds) {
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2024-05-18T10:00:00Z")),
            "2024-05-18T10:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2024-05-18T10:00:00.5Z")),
            "2024-05-18T10:00:00.500000Z");
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2024-05-18T10:00:00.123456789Z")),
            "2024-05-18T10:00:00.123456Z");
}

TEST(TimestampTest, AppliesOffsets) {
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2024-05-18T12:30:00+02:30")),
            "2024-05-18T10:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2024-05-18T00:00:00-01:00")),
            "2024-05-18T01:00:00.000000Z");
}

TEST(TimestampTest, RejectsMalformedText) {
  for (const char* bad :
       {"", "2024-05-18", "2024-05-18T10:00:00", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
        "2024-05-18T24:00:00Z", "2024-05-18T10:00:00.Z", "2024-05-18T10:00:00.1234567890Z",
        "2024-05-18T10:00:00Zjunk", "2024-05-18 10:00:00Z"}) {
    EXPECT_FALSE(ParseTimestamp(bad)) << bad;
  }
}

TEST(DurationTest, FormatsAndParsesTheApiForm) {
  EXPECT_EQ(FormatDuration(std::chrono::hours(1)), "3600s");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(1500)), "1.500s");
  EXPECT_EQ(FormatDuration(microseconds(1)), "0.000001s");
  EXPECT_EQ(FormatDuration(microseconds(-2500000)), "-2.500s");
  EXPECT_EQ(*ParseDuration("86400s"), std::chrono::hours(24));
  EXPECT_EQ(*ParseDuration("0.5s"), std::chrono::milliseconds(500));
  EXPECT_EQ(*ParseDuration("-1.25s"), microseconds(-1250000));
  for (const char* bad : {"", "s", "10", "1.s", "abc s", "1.2.3s", "1e3s"}) {
    EXPECT_FALSE(ParseDuration(bad)) << bad;
  }
}

}  // namespace
}  // namespace nasfake::model
