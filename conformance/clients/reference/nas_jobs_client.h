// A reference client for the Vertex AI NasJobs REST API (v1), written the way a
// client-library author would write one: one overall deadline per operation,
// retries with exponential backoff for idempotent calls only, RetryInfo and
// Retry-After honoured, cancel never retried, asynchronous cancel and
// long-running delete awaited by polling with backoff.
//
//   nasfake::reference::NasJobsClient client({.endpoint = "http://127.0.0.1:41234",
//                                             .token = "t"});
//   auto job = client.CancelAndWait("projects/p/locations/l/nasJobs/1");
//   if (!job) std::cerr << job.error().status << ": " << job.error().message;
//   else std::cout << (*job)["state"];   // "JOB_STATE_CANCELLED", "JOB_STATE_SUCCEEDED", …
//
// Wire contract (every request):
//   - `Authorization: Bearer <token>` (omitted only when the token is empty),
//     `Accept: application/json`, `Accept-Encoding: identity` (no compression);
//   - `Content-Type: application/json` only on requests with a body (create,
//     cancel); GET and DELETE carry no body and no Content-Type;
//   - resource names go into the path as `/v1/` + name, each '/'-separated
//     segment percent-encoded on its own (RFC 3986 unreserved characters kept),
//     so '/' stays a separator and nothing is encoded twice;
//   - keep-alive connections with TCP_NODELAY.
//
// Errors: every failure is an Error {status, message}, `status` a
// google.rpc.Code name, chosen as conformance/PROTOCOL.md says: the error
// body's `status` first, else from the HTTP status; a 2xx answer that is not
// the expected JSON object is UNKNOWN; a connection that fails, is reset or
// closes early is UNAVAILABLE; the operation's deadline passing is
// DEADLINE_EXCEEDED.
//
// Thread safety: a NasJobsClient is NOT safe for concurrent use (it owns one
// keep-alive connection); use one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace nasfake::reference {

// A failed call: a google.rpc.Code name ("NOT_FOUND", …) and a message.
struct Error {
  std::string status;
  std::string message;
};

// A value or an Error. Converts to true when it holds a value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  // Precondition for the value accessors: ok(); for error(): !ok().
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// How idempotent calls (get, each list page, each operation poll) are retried.
// Attempt n (n >= 2) waits min(initial_backoff * multiplier^(n-2), max_backoff),
// or longer when the server asked for it (RetryInfo.retryDelay in the error body
// of a 429/503, or a Retry-After header). Retried: HTTP 429, 500, 502, 503, 504
// and connection failures/resets. Never retried: any other status (400, 401,
// 403, 404, 409, …), a 2xx with a bad body, or a non-idempotent call.
// No jitter (deterministic spacing). A retry whose wait would end at or after
// the operation's deadline is not made: the last error is returned at once.
struct RetryPolicy {
  std::chrono::milliseconds initial_backoff{50};
  double multiplier = 1.5;
  std::chrono::milliseconds max_backoff{500};
  int max_attempts = 5;  // total attempts, the first included
};

// How long-running waits poll (CancelAndWait's job reads, Delete's operation
// reads). Poll k is sent delay_k after the answer to the previous request
// (cancel, delete or poll) arrived, delay_1 = initial and
// delay_{k+1} = min(delay_k * multiplier, max). So consecutive requests are at
// least delay_k apart as the server sees them, and the delays never shrink.
struct PollPolicy {
  std::chrono::milliseconds initial{20};
  double multiplier = 1.5;
  std::chrono::milliseconds max{250};
};

// The JobState names a NasJob can report as terminal: SUCCEEDED, FAILED,
// CANCELLED, EXPIRED, PARTIALLY_SUCCEEDED. (CANCELLING is not terminal.)
bool IsTerminalJobState(std::string_view state);
// "JOB_STATE_RUNNING" for 3, …; nullopt for a number outside the enum.
std::optional<std::string> JobStateName(int number);
// "NOT_FOUND" for 5, …; "UNKNOWN" for a number outside google.rpc.Code.
std::string StatusCodeName(int code);
// The google.rpc.Code name for an error answer without a usable body, as
// google-gax maps it (PROTOCOL.md): 400 INVALID_ARGUMENT, 401
// UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 409 ABORTED, 429
// RESOURCE_EXHAUSTED, 499 CANCELLED, 501 UNIMPLEMENTED, 503 UNAVAILABLE, 504
// DEADLINE_EXCEEDED, other 4xx FAILED_PRECONDITION, other 5xx INTERNAL;
// anything else (1xx, 3xx) UNKNOWN.
std::string StatusNameForHttp(int http_status);
// `name` as a URL path: each '/'-separated segment percent-encoded (all but
// RFC 3986 unreserved characters), the separators kept: "a b/c" → "a%20b/c".
std::string EncodePath(std::string_view name);
// A query parameter value: all but unreserved characters percent-encoded,
// space as %20 (never '+').
std::string EncodeQueryValue(std::string_view value);

class NasJobsClient {
 public:
  struct Options {
    // Base URL without a trailing slash: "http://127.0.0.1:41234" (a path
    // prefix, "http://host:port/prefix", is kept in front of "/v1/").
    std::string endpoint;
    std::string token;
    // The overall deadline of each operation (all its attempts, backoffs and
    // polls together); every HTTP exchange's connect/read/write timeouts are
    // the time remaining, and an exchange still running at the deadline is
    // aborted. After it: DEADLINE_EXCEEDED.
    std::chrono::milliseconds deadline{30000};
    RetryPolicy retry;
    PollPolicy poll;
  };

  // Never fails; an unusable endpoint makes every call fail with
  // INVALID_ARGUMENT, without touching the network.
  explicit NasJobsClient(Options options);
  ~NasJobsClient();
  NasJobsClient(const NasJobsClient&) = delete;
  NasJobsClient& operator=(const NasJobsClient&) = delete;

  // GET /v1/{name}. The job as the API returned it (unknown fields kept; an
  // integer `state` replaced by its JobState name). Retried.
  Result<nlohmann::json> Get(const std::string& name);

  // POST /v1/{name}:cancel with body `{}`, exactly once: the answer (`{}`).
  // Never retried, on any error: cancel is idempotent on the server (a second
  // cancel of a CANCELLING job is a no-op) but not safe to repeat blindly: a
  // cancel that failed in flight may have taken effect, and a retry after the
  // job reached CANCELLED answers FAILED_PRECONDITION. The caller decides.
  Result<nlohmann::json> Cancel(const std::string& name);

  // Cancel, then Get the job (polling per PollPolicy) until its state is
  // terminal; returns the first terminal job read (CANCELLED with error.code 1
  // when the cancel took effect; SUCCEEDED/FAILED when the job ended first).
  // Errors: the cancel's error (not retried), a poll's error (after its
  // retries), or DEADLINE_EXCEEDED.
  Result<nlohmann::json> CancelAndWait(const std::string& name);

  // GET /v1/{parent}/nasJobs?pageSize=100[&filter=…][&pageToken=…], following
  // nextPageToken until it is absent or empty (at most 10000 pages, then
  // INTERNAL). Every job of every page, in order. Each page retried.
  // `filter` empty: no filter parameter.
  Result<nlohmann::json> List(const std::string& parent, const std::string& filter = "");

  // POST /v1/{parent}/nasJobs with `job` (a JSON object) as the body: the job
  // as created. Not retried (create is not idempotent).
  Result<nlohmann::json> Create(const std::string& parent, const nlohmann::json& job);

  // DELETE /v1/{name} (not retried), then, while the returned Operation is not
  // done, GET /v1/{operation name} per PollPolicy (each poll retried). The done
  // Operation; an operation done with `error` is reported as that error (its
  // numeric code → google.rpc.Code name).
  Result<nlohmann::json> Delete(const std::string& name);

 private:
  class Impl;  // the connection, retry and poll loops (nas_jobs_client.cc)
  std::unique_ptr<Impl> impl_;
};

}  // namespace nasfake::reference
