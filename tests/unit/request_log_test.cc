// The request log's two formats (fake/server/request_log.h).
#include "fake/server/request_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace nasfake::server {
namespace {

using std::chrono::microseconds;

TEST(RequestLogTest, TextLineNamesStatusActionRuleTestIdAndTime) {
  RequestLogRecord record;
  record.test_id = "t1";
  record.method = "POST";
  record.target = "/v1/projects/p/locations/l/nasJobs/1:cancel";
  record.status = 503;
  record.rule = "first-cancel-unavailable";
  record.action = "answer";
  record.elapsed = microseconds(1234);
  EXPECT_EQ(RequestLogText(record),
            "POST /v1/projects/p/locations/l/nasJobs/1:cancel 503 answer "
            "rule=first-cancel-unavailable test=t1 1.23ms");
}

TEST(RequestLogTest, TextLineOfAFaultHasNoStatusAndOmitsEmptyFields) {
  RequestLogRecord record;
  record.method = "GET";
  record.target = "/v1/x";
  record.action = "fault:reset";
  EXPECT_EQ(RequestLogText(record), "GET /v1/x - fault:reset 0.00ms");
}

TEST(RequestLogTest, TextLineIsOneLineWhateverTheTargetHolds) {
  RequestLogRecord record;
  record.test_id = "a b";
  record.method = "GET";
  record.action = "pass";
  record.target = std::string_view("/v1/\r\nX: y \xff\0z", 14);
  std::string line = RequestLogText(record);
  EXPECT_EQ(line, "GET /v1/%0D%0AX:%20y%20%FF%00z - pass test=a%20b 0.00ms");
}

TEST(RequestLogTest, JsonLineIsValidJsonEvenForInvalidUtf8) {
  RequestLogRecord record;
  record.method = "GET";
  record.status = 404;
  record.action = "pass";
  record.elapsed = microseconds(500);
  record.target = "/v1/\xff";
  auto line = nlohmann::json::parse(RequestLogJson(record));
  EXPECT_EQ(line["target"], "/v1/\xEF\xBF\xBD");
  EXPECT_EQ(line["status"], 404);
  EXPECT_EQ(line["action"], "pass");
  EXPECT_DOUBLE_EQ(line["elapsedMs"].get<double>(), 0.5);
  EXPECT_FALSE(line.contains("rule"));
  EXPECT_FALSE(line.contains("testId"));
}

}  // namespace
}  // namespace nasfake::server
