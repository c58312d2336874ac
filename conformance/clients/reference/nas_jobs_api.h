// The reference NasJobs client library as its users see it, whichever
// transport it speaks: the six operations (NasJobsApi), errors as values, and
// the retry and poll policies. NasJobsClient (nas_jobs_client.h) implements it
// over REST, GrpcNasJobsClient (grpc_nas_jobs_client.h) over gRPC; both keep
// the same contract (below), so a caller switches transport by constructing
// the other one.
//
// Contract of every operation, on either transport:
//   - one overall deadline (all attempts, backoffs and polls together); after
//     it: DEADLINE_EXCEEDED;
//   - idempotent calls (get, each list page, each operation poll) retried per
//     RetryPolicy while the failure is transient; create, cancel and delete
//     never retried by the client;
//   - long-running waits (CancelAndWait's job reads, Delete's operation reads)
//     polled per PollPolicy;
//   - results as the API's JSON (lowerCamelCase keys, enums by name, unknown
//     fields kept).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace nasfake::reference {

// A failed call: a google.rpc.Code name ("NOT_FOUND", …), a message, and the
// error's details as the API's JSON gives them (google.rpc.BadRequest,
// RetryInfo, ErrorInfo, …, each an object with "@type"); empty when it had
// none.
struct Error {
  std::string status;
  std::string message;
  nlohmann::json details = nlohmann::json::array();
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
// or longer when the server asked for it (a google.rpc.RetryInfo detail; over
// REST also a Retry-After header). Which failures are transient is the
// transport's: see NasJobsClient and GrpcNasJobsClient. No jitter
// (deterministic spacing). A retry whose wait would end at or after the
// operation's deadline is not made: the last error is returned at once.
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

// The six operations. Implementations are NOT safe for concurrent use (each
// owns its connection); use one client per thread.
class NasJobsApi {
 public:
  virtual ~NasJobsApi() = default;

  // The job as the API returned it (unknown fields kept; an integer `state`
  // replaced by its JobState name). Retried.
  virtual Result<nlohmann::json> Get(const std::string& name) = 0;

  // One cancel, exactly once: the answer (`{}`). Never retried, on any
  // error: cancel is idempotent on the server (a second cancel of a
  // CANCELLING job is a no-op) but not safe to repeat blindly: a cancel that
  // failed in flight may have taken effect, and a retry after the job reached
  // CANCELLED answers FAILED_PRECONDITION. The caller decides.
  virtual Result<nlohmann::json> Cancel(const std::string& name) = 0;

  // Cancel, then Get the job (polling per PollPolicy) until its state is
  // terminal; returns the first terminal job read (CANCELLED with error.code
  // 1 when the cancel took effect; SUCCEEDED/FAILED when the job ended
  // first). Errors: the cancel's error (not retried), a poll's error (after
  // its retries), or DEADLINE_EXCEEDED.
  virtual Result<nlohmann::json> CancelAndWait(const std::string& name) = 0;

  // Every job of every page (100 a page, following nextPageToken until it is
  // absent or empty; at most 10000 pages, then INTERNAL), in order. Each page
  // retried. `filter` empty: no filter.
  virtual Result<nlohmann::json> List(const std::string& parent,
                                      const std::string& filter = "") = 0;

  // Creates `job` (a NasJob as a JSON object) under `parent`: the job as
  // created. Not retried by the client (create is not idempotent).
  virtual Result<nlohmann::json> Create(const std::string& parent, const nlohmann::json& job) = 0;

  // Delete (not retried), then, while the returned Operation is not done,
  // read it per PollPolicy (each read retried). The done Operation; an
  // operation done with `error` is reported as that error (its numeric code
  // → google.rpc.Code name).
  virtual Result<nlohmann::json> Delete(const std::string& name) = 0;
};

// The JobState names a NasJob can report as terminal: SUCCEEDED, FAILED,
// CANCELLED, EXPIRED, PARTIALLY_SUCCEEDED. (CANCELLING is not terminal.)
bool IsTerminalJobState(std::string_view state);
// "JOB_STATE_RUNNING" for 3, …; nullopt for a number outside the enum.
std::optional<std::string> JobStateName(int number);
// "NOT_FOUND" for 5, …; "UNKNOWN" for a number outside google.rpc.Code.
std::string StatusCodeName(int code);
// Whether `name` is a google.rpc.Code name.
bool IsKnownCodeName(std::string_view name);
// A query parameter or form value: all but unreserved characters
// percent-encoded, space as %20 (never '+').
std::string EncodeQueryValue(std::string_view value);

}  // namespace nasfake::reference
