// The request log: one record per request the server answers (API and control
// API alike), for `nasfake serve --log text|json` and for any embedder that
// sets FakeServerOptions::request_log. The journal keeps everything for tests;
// this is the one-line view for a human or a log collector.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace nasfake::server {

struct RequestLogRecord {
  bool grpc = false;         // came on the gRPC front end (method and target: its HTTP rule's)
  std::string_view test_id;  // x-nasfake-test-id; "" for the default tenant
  std::string_view method;
  std::string_view target;              // as sent: path and query
  int status = 0;                       // 0: no status line was sent (a connection fault)
  std::string_view rule;                // the scenario rule that matched; "" when none did
  std::string_view action;              // "pass", "answer", "fault:reset", …, "control"
  std::chrono::microseconds elapsed{};  // from arrival to the answer being decided
};

// Called on the serving thread once the answer is decided (before it is
// written); it must be thread-safe and quick.
using RequestLogSink = std::function<void(const RequestLogRecord&)>;

// `POST /v1/…:cancel 200 answer rule=cancel-fails test=t1 0.42ms` (a gRPC
// call's line starts "grpc POST /v1/…"): the target
// with control characters, spaces and bytes that are not valid UTF-8
// percent-encoded, so one record is always one line.
std::string RequestLogText(const RequestLogRecord& record);

// One JSON object on one line: {"transport","method","target","status","action",
// "rule","testId","elapsedMs"} ("transport": "grpc" for a gRPC call, absent for
// REST; "rule" and "testId" only when set); invalid UTF-8 in
// the target is replaced with U+FFFD.
std::string RequestLogJson(const RequestLogRecord& record);

}  // namespace nasfake::server
