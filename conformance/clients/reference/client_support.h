// What the reference client's two transports share below NasJobsApi: the
// retry loop, the poll loop, and the reading of the API's JSON (jobs,
// operations, error details). Internal to the reference client.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "conformance/clients/reference/nas_jobs_api.h"

namespace nasfake::reference {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::duration<double, std::milli>;

// An exchange that fails within this much of the deadline failed because of it.
inline constexpr auto kDeadlineSlack = std::chrono::milliseconds(1);

// One exchange's outcome, judged by its transport: a value, or an error that
// may be worth retrying.
struct Attempt {
  std::optional<nlohmann::json> value;
  Error error;
  bool transient = false;  // a retry may succeed (for idempotent calls only)
  Millis server_delay{0};  // wait at least this long before retrying
};

// One call: `attempt` once, or for an idempotent call up to
// policy.max_attempts times while the failure is transient, waiting as
// RetryPolicy says between them. A retry whose wait would not end before
// `deadline` is not made: the last error is returned at once.
Result<nlohmann::json> CallWithRetries(const RetryPolicy& policy, bool idempotent,
                                       Clock::time_point deadline,
                                       const std::function<Attempt()>& attempt);

// Reads with `read` (a call, retried as the caller's transport does) per
// `policy` until `done` holds for the answer, which is returned. Called right
// after the answer to the request that started the wait; each read is sent
// its delay after the previous answer. Sleeps never pass `deadline`; once it
// has passed: DEADLINE_EXCEEDED "… waiting for <what> (last read: …)",
// `budget` being the operation's whole deadline.
Result<nlohmann::json> PollUntil(const PollPolicy& policy, Clock::time_point deadline,
                                 std::chrono::milliseconds budget,
                                 const std::function<Result<nlohmann::json>()>& read,
                                 const std::function<bool(const nlohmann::json&)>& done,
                                 const std::string& what);

// DEADLINE_EXCEEDED "deadline of <budget> ms exceeded <doing>".
Error DeadlineError(std::chrono::milliseconds budget, const std::string& doing);

// The longest google.rpc.RetryInfo.retryDelay among `details` (the API's
// JSON: [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
// "retryDelay": "2s"}, …]); 0 when none says.
Millis RetryInfoDelay(const nlohmann::json& details);
// A google.protobuf.Duration in JSON ("2s", "1.5s"); nullopt if malformed.
std::optional<Millis> ParseDuration(const std::string& text);

// `job` with an integer `state` replaced by its JobState name (answers may
// encode enums as numbers); everything else kept as it came.
nlohmann::json NormalizeJob(nlohmann::json job);
bool IsTerminalJob(const nlohmann::json& job);
bool IsDoneOperation(const nlohmann::json& operation);
// A done Operation as Delete reports it: itself, or its `error` as an Error.
Result<nlohmann::json> DoneOperation(nlohmann::json operation);
// At most the first 200 bytes of `text`, for messages.
std::string Snippet(const std::string& text);

}  // namespace nasfake::reference
