#include "conformance/clients/reference/nas_jobs_client.h"

#include <httplib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

namespace nasfake::reference {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
using std::chrono::milliseconds;
using Millis = std::chrono::duration<double, std::milli>;

constexpr int kPageSize = 100;
constexpr int kMaxPages = 10000;
// An exchange that fails within this much of the deadline failed because of it.
constexpr auto kDeadlineSlack = milliseconds(1);
// How much of an unparseable body an error message quotes.
constexpr size_t kBodySnippetBytes = 200;

constexpr std::array<const char*, 17> kCodeNames = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

constexpr std::array<const char*, 12> kJobStateNames = {
    "JOB_STATE_UNSPECIFIED", "JOB_STATE_QUEUED",    "JOB_STATE_PENDING",
    "JOB_STATE_RUNNING",     "JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED",
    "JOB_STATE_CANCELLING",  "JOB_STATE_CANCELLED", "JOB_STATE_PAUSED",
    "JOB_STATE_EXPIRED",     "JOB_STATE_UPDATING",  "JOB_STATE_PARTIALLY_SUCCEEDED",
};

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

bool IsKnownCodeName(std::string_view name) {
  return std::any_of(kCodeNames.begin(), kCodeNames.end(),
                     [&](const char* known) { return name == known; });
}

std::string Snippet(const std::string& body) {
  if (body.size() <= kBodySnippetBytes) return body;
  return body.substr(0, kBodySnippetBytes) + "…";
}

// A google.protobuf.Duration in JSON ("2s", "1.5s", "0.000500s"); nullopt if malformed.
std::optional<Millis> ParseDuration(const std::string& text) {
  if (text.size() < 2 || text.back() != 's') return std::nullopt;
  const std::string number = text.substr(0, text.size() - 1);
  char* end = nullptr;
  const double seconds = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(seconds) || seconds < 0) {
    return std::nullopt;
  }
  return Millis(seconds * 1000.0);
}

// The longest delay the server asked for: google.rpc.RetryInfo.retryDelay in
// the error body's details, and a Retry-After header in delta-seconds (an
// HTTP-date Retry-After is ignored).
Millis ServerRetryDelay(const json& body, const httplib::Headers& headers) {
  Millis delay{0};
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& error = body["error"];
    if (error.contains("details") && error["details"].is_array()) {
      for (const json& detail : error["details"]) {
        if (!detail.is_object() ||
            detail.value("@type", "") != "type.googleapis.com/google.rpc.RetryInfo" ||
            !detail.contains("retryDelay") || !detail["retryDelay"].is_string()) {
          continue;
        }
        if (auto parsed = ParseDuration(detail["retryDelay"].get<std::string>())) {
          delay = std::max(delay, *parsed);
        }
      }
    }
  }
  // httplib::Headers compares names case-insensitively.
  const auto [first, last] = headers.equal_range("Retry-After");
  for (auto it = first; it != last; ++it) {
    const std::string& value = it->second;
    char* end = nullptr;
    const double seconds = std::strtod(value.c_str(), &end);
    if (end != value.c_str() && *end == '\0' && std::isfinite(seconds) && seconds >= 0) {
      delay = std::max(delay, Millis(seconds * 1000.0));
    }
  }
  return delay;
}

// Replaces an integer `state` by its JobState name (answers may encode enums
// as numbers); everything else is kept as it came.
json NormalizeJob(json job) {
  if (job.is_object() && job.contains("state") && job["state"].is_number_integer()) {
    if (auto name = JobStateName(job["state"].get<int>())) job["state"] = *name;
  }
  return job;
}

bool IsTerminalJob(const json& job) {
  return job.is_object() && job.contains("state") && job["state"].is_string() &&
         IsTerminalJobState(job["state"].get<std::string>());
}

bool IsDoneOperation(const json& operation) {
  return operation.is_object() && operation.contains("done") && operation["done"] == true;
}

// Aborts an HTTP exchange still running at the deadline: waits on its own
// thread until the deadline or Finish(), whichever comes first; at the
// deadline it calls httplib::Client::stop(), which shuts the in-flight socket
// down so the blocked read/write fails at once (the documented way to abort a
// request from another thread).
class Watchdog {
 public:
  Watchdog(httplib::Client& client, Clock::time_point deadline)
      : thread_([this, &client, deadline] {
          std::unique_lock<std::mutex> lock(mu_);
          if (!finished_.wait_until(lock, deadline, [this] { return done_; })) {
            fired_ = true;
            client.stop();
          }
        }) {}
  ~Watchdog() { Finish(); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Stops the watch (idempotent); true when it fired, i.e. stop() was called.
  bool Finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    finished_.notify_one();
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable finished_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// One exchange's outcome, judged: a value, or an error that may be worth retrying.
struct Attempt {
  std::optional<json> value;
  Error error;
  bool transient = false;  // a retry may succeed (for idempotent calls only)
  Millis server_delay{0};  // wait at least this long before retrying
};

}  // namespace

bool IsTerminalJobState(std::string_view state) {
  return state == "JOB_STATE_SUCCEEDED" || state == "JOB_STATE_FAILED" ||
         state == "JOB_STATE_CANCELLED" || state == "JOB_STATE_EXPIRED" ||
         state == "JOB_STATE_PARTIALLY_SUCCEEDED";
}

std::optional<std::string> JobStateName(int number) {
  if (number < 0 || number >= static_cast<int>(kJobStateNames.size())) return std::nullopt;
  return kJobStateNames[static_cast<size_t>(number)];
}

std::string StatusCodeName(int code) {
  if (code < 0 || code >= static_cast<int>(kCodeNames.size())) return "UNKNOWN";
  return kCodeNames[static_cast<size_t>(code)];
}

std::string StatusNameForHttp(int http_status) {
  switch (http_status) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "ABORTED";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 499:
      return "CANCELLED";
    case 501:
      return "UNIMPLEMENTED";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      break;
  }
  if (http_status >= 400 && http_status < 500) return "FAILED_PRECONDITION";
  if (http_status >= 500 && http_status < 600) return "INTERNAL";
  return "UNKNOWN";
}

std::string EncodePath(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  size_t start = 0;
  for (;;) {
    const size_t slash = name.find('/', start);
    out += PercentEncode(name.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

std::string EncodeQueryValue(std::string_view value) { return PercentEncode(value); }

class NasJobsClient::Impl {
 public:
  explicit Impl(Options options) : options_(std::move(options)) {
    std::string endpoint = options_.endpoint;
    const size_t scheme_end = endpoint.find("://");
    const std::string scheme =
        scheme_end == std::string::npos ? "" : endpoint.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") {
      problem_ = "endpoint \"" + endpoint + "\" is not an http:// or https:// URL";
      return;
    }
    const size_t path_start = endpoint.find('/', scheme_end + 3);
    if (path_start != std::string::npos) {
      prefix_ = endpoint.substr(path_start);
      while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
      endpoint.resize(path_start);
    }
    client_ = std::make_unique<httplib::Client>(endpoint);
    if (!client_->is_valid() || endpoint.size() == scheme_end + 3) {
      problem_ = "endpoint \"" + options_.endpoint + "\" is not a usable base URL";
      client_.reset();
      return;
    }
    client_->set_keep_alive(true);
    client_->set_tcp_nodelay(true);
    client_->set_url_encode(false);  // targets are encoded by EncodePath/EncodeQueryValue
    client_->set_compress(false);
    client_->set_follow_location(false);
  }

  Clock::time_point NewDeadline() const { return Clock::now() + options_.deadline; }

  Result<json> Get(const std::string& name) {
    if (auto bad = CheckName(name, "name")) return *bad;
    auto job = Call("GET", "/v1/" + EncodePath(name), nullptr, NewDeadline(), true);
    if (!job) return job;
    return NormalizeJob(std::move(job).value());
  }

  Result<json> Cancel(const std::string& name) {
    if (auto bad = CheckName(name, "name")) return *bad;
    return CancelOnce(name, NewDeadline());
  }

  Result<json> CancelAndWait(const std::string& name) {
    if (auto bad = CheckName(name, "name")) return *bad;
    const Clock::time_point deadline = NewDeadline();
    if (auto cancelled = CancelOnce(name, deadline); !cancelled) return cancelled;
    auto job = PollUntil("/v1/" + EncodePath(name), deadline, IsTerminalJob,
                         "NasJob " + name + " to reach a terminal state");
    if (!job) return job;
    return NormalizeJob(std::move(job).value());
  }

  Result<json> List(const std::string& parent, const std::string& filter) {
    if (auto bad = CheckName(parent, "parent")) return *bad;
    const Clock::time_point deadline = NewDeadline();
    json jobs = json::array();
    std::string page_token;
    for (int page = 0; page < kMaxPages; ++page) {
      std::string target =
          "/v1/" + EncodePath(parent) + "/nasJobs?pageSize=" + std::to_string(kPageSize);
      if (!filter.empty()) target += "&filter=" + EncodeQueryValue(filter);
      if (!page_token.empty()) target += "&pageToken=" + EncodeQueryValue(page_token);
      auto answer = Call("GET", target, nullptr, deadline, true);
      if (!answer) return answer;
      const json& body = *answer;
      if (body.contains("nasJobs")) {
        if (!body["nasJobs"].is_array()) {
          return Error{"UNKNOWN", "list answer's nasJobs is not an array: " + Snippet(body.dump())};
        }
        for (const json& job : body["nasJobs"]) jobs.push_back(NormalizeJob(job));
      }
      if (!body.contains("nextPageToken") || body["nextPageToken"].is_null()) return jobs;
      if (!body["nextPageToken"].is_string()) {
        return Error{"UNKNOWN", "list answer's nextPageToken is not a string: " +
                                    Snippet(body["nextPageToken"].dump())};
      }
      page_token = body["nextPageToken"].get<std::string>();
      if (page_token.empty()) return jobs;
    }
    return Error{"INTERNAL", "list of " + parent + " did not end after " +
                                 std::to_string(kMaxPages) + " pages"};
  }

  Result<json> Create(const std::string& parent, const json& job) {
    if (auto bad = CheckName(parent, "parent")) return *bad;
    if (!job.is_object()) return Error{"INVALID_ARGUMENT", "the NasJob must be a JSON object"};
    const std::string body = job.dump();
    auto created =
        Call("POST", "/v1/" + EncodePath(parent) + "/nasJobs", &body, NewDeadline(), false);
    if (!created) return created;
    return NormalizeJob(std::move(created).value());
  }

  Result<json> Delete(const std::string& name) {
    if (auto bad = CheckName(name, "name")) return *bad;
    const Clock::time_point deadline = NewDeadline();
    auto operation = Call("DELETE", "/v1/" + EncodePath(name), nullptr, deadline, false);
    if (!operation) return operation;
    if (!IsDoneOperation(*operation)) {
      const json& op_name = (*operation).contains("name") ? (*operation)["name"] : json();
      if (!op_name.is_string() || op_name.get<std::string>().empty()) {
        return Error{"UNKNOWN", "delete answered an operation that is not done and has no name: " +
                                    Snippet(operation->dump())};
      }
      const std::string op = op_name.get<std::string>();
      operation = PollUntil("/v1/" + EncodePath(op), deadline, IsDoneOperation,
                            "operation " + op + " to be done");
      if (!operation) return operation;
    }
    if (operation->contains("error") && (*operation)["error"].is_object()) {
      const json& error = (*operation)["error"];
      const int code = error.contains("code") && error["code"].is_number_integer()
                           ? error["code"].get<int>()
                           : 2;
      const std::string message = error.contains("message") && error["message"].is_string()
                                      ? error["message"].get<std::string>()
                                      : "the delete operation failed";
      return Error{code == 0 ? "UNKNOWN" : StatusCodeName(code), message};
    }
    return operation;
  }

 private:
  struct Reply {
    httplib::Error error = httplib::Error::Success;  // not Success: no (whole) answer
    bool deadline_hit = false;                       // … because the deadline passed
    int status = 0;
    httplib::Headers headers;
    std::string body;
  };

  std::optional<Error> CheckName(const std::string& name, const char* what) const {
    if (!client_) return Error{"INVALID_ARGUMENT", problem_};
    if (name.empty()) return Error{"INVALID_ARGUMENT", std::string(what) + " must not be empty"};
    return std::nullopt;
  }

  Error DeadlineError(const std::string& doing) const {
    return Error{"DEADLINE_EXCEEDED", "deadline of " + std::to_string(options_.deadline.count()) +
                                          " ms exceeded " + doing};
  }

  Result<json> CancelOnce(const std::string& name, Clock::time_point deadline) {
    static const std::string kEmptyMessage = "{}";
    return Call("POST", "/v1/" + EncodePath(name) + ":cancel", &kEmptyMessage, deadline, false);
  }

  // One HTTP exchange, all its timeouts the time left before `deadline`.
  Reply Exchange(const std::string& method, const std::string& target, const std::string* body,
                 Clock::time_point deadline) {
    Reply reply;
    const auto remaining =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (remaining < kDeadlineSlack) {
      reply.error = httplib::Error::Canceled;
      reply.deadline_hit = true;
      return reply;
    }
    client_->set_connection_timeout(remaining);
    client_->set_read_timeout(remaining);
    client_->set_write_timeout(remaining);

    httplib::Request request;
    request.method = method;
    request.path = prefix_ + target;
    if (!options_.token.empty()) {
      request.headers.emplace("Authorization", "Bearer " + options_.token);
    }
    request.headers.emplace("Accept", "application/json");
    request.headers.emplace("Accept-Encoding", "identity");
    request.headers.emplace("User-Agent", "nasfake-reference-client/1.0");
    if (body != nullptr) {
      request.headers.emplace("Content-Type", "application/json");
      request.body = *body;
    }

    Watchdog watchdog(*client_, deadline);
    httplib::Result result = client_->send(request);
    const bool aborted = watchdog.Finish();
    if (!result) {
      reply.error = result.error();
      reply.deadline_hit = aborted || Clock::now() + kDeadlineSlack >= deadline;
      return reply;
    }
    reply.status = result->status;
    reply.headers = result->headers;
    reply.body = result->body;
    return reply;
  }

  Attempt Judge(const std::string& method, const std::string& target, const Reply& reply) const {
    Attempt attempt;
    if (reply.error != httplib::Error::Success) {
      if (reply.deadline_hit) {
        attempt.error = DeadlineError("during " + method + " " + target);
      } else {
        attempt.error = Error{"UNAVAILABLE", method + " " + target +
                                                 ": the connection failed, was reset or closed "
                                                 "early (httplib: " +
                                                 httplib::to_string(reply.error) + ")"};
        attempt.transient = true;
      }
      return attempt;
    }
    json body = json::parse(reply.body, nullptr, false);
    if (reply.status >= 200 && reply.status < 300) {
      if (body.is_object()) {
        attempt.value = std::move(body);
      } else {
        attempt.error =
            Error{"UNKNOWN", method + " " + target + ": HTTP " + std::to_string(reply.status) +
                                 " with a body that is not a JSON object: " + Snippet(reply.body)};
      }
      return attempt;
    }
    // An error answer: the body's `status` when it is usable, else the HTTP status.
    attempt.error.status = StatusNameForHttp(reply.status);
    attempt.error.message = "HTTP " + std::to_string(reply.status) + " from " + method + " " +
                            target + ": " + Snippet(reply.body);
    if (body.is_object() && body.contains("error") && body["error"].is_object()) {
      const json& error = body["error"];
      if (error.contains("status") && error["status"].is_string()) {
        const std::string status = error["status"].get<std::string>();
        if (IsKnownCodeName(status) && status != "OK") attempt.error.status = status;
      }
      if (error.contains("message") && error["message"].is_string()) {
        attempt.error.message = error["message"].get<std::string>();
      }
    }
    const int s = reply.status;
    attempt.transient = s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
    if (attempt.transient) attempt.server_delay = ServerRetryDelay(body, reply.headers);
    return attempt;
  }

  // One call: a single attempt, or for an idempotent call up to
  // RetryPolicy::max_attempts of them while the failure is transient. A retry
  // whose wait would not end before the deadline is not made: the last error
  // is returned at once.
  Result<json> Call(const std::string& method, const std::string& target, const std::string* body,
                    Clock::time_point deadline, bool idempotent) {
    const RetryPolicy& retry = options_.retry;
    const int max_attempts = idempotent ? std::max(1, retry.max_attempts) : 1;
    Millis backoff = retry.initial_backoff;
    for (int attempt_number = 1;; ++attempt_number) {
      Attempt attempt = Judge(method, target, Exchange(method, target, body, deadline));
      if (attempt.value) return std::move(*attempt.value);
      if (!attempt.transient || attempt_number >= max_attempts) return attempt.error;
      const Millis wait = std::max(backoff, attempt.server_delay);
      if (Clock::now() + wait >= deadline) return attempt.error;
      std::this_thread::sleep_for(wait);
      backoff = std::min(backoff * retry.multiplier, Millis(retry.max_backoff));
    }
  }

  // Reads `target` (a GET, retried as Call does) per the PollPolicy until
  // `done` holds for the answer, which is returned. Called right after the
  // answer to the request that started the wait; each poll is sent its delay
  // after the previous answer. Sleeps never pass the deadline; once it has
  // passed: DEADLINE_EXCEEDED "… waiting for <what>".
  Result<json> PollUntil(const std::string& target, Clock::time_point deadline,
                         const std::function<bool(const json&)>& done, const std::string& what) {
    const PollPolicy& poll = options_.poll;
    Millis delay = poll.initial;
    std::string last_seen = "nothing read yet";
    for (;;) {
      const auto now = Clock::now();
      const auto wake =
          std::min(now + std::chrono::duration_cast<Clock::duration>(delay), deadline);
      if (wake > now) std::this_thread::sleep_for(wake - now);
      if (Clock::now() + kDeadlineSlack >= deadline) {
        return DeadlineError("waiting for " + what + " (last read: " + last_seen + ")");
      }
      auto answer = Call("GET", target, nullptr, deadline, true);
      if (!answer) return answer;
      const json normalized = NormalizeJob(*answer);
      if (done(normalized)) return answer;
      last_seen =
          normalized.contains("state") ? normalized["state"].dump() : Snippet(answer->dump());
      delay = std::min(delay * poll.multiplier, Millis(poll.max));
    }
  }

  const Options options_;
  std::string prefix_;   // the endpoint's path, "" or "/prefix"
  std::string problem_;  // why the endpoint is unusable (client_ null)
  std::unique_ptr<httplib::Client> client_;
};

NasJobsClient::NasJobsClient(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
NasJobsClient::~NasJobsClient() = default;

Result<json> NasJobsClient::Get(const std::string& name) { return impl_->Get(name); }
Result<json> NasJobsClient::Cancel(const std::string& name) { return impl_->Cancel(name); }
Result<json> NasJobsClient::CancelAndWait(const std::string& name) {
  return impl_->CancelAndWait(name);
}
Result<json> NasJobsClient::List(const std::string& parent, const std::string& filter) {
  return impl_->List(parent, filter);
}
Result<json> NasJobsClient::Create(const std::string& parent, const json& job) {
  return impl_->Create(parent, job);
}
Result<json> NasJobsClient::Delete(const std::string& name) { return impl_->Delete(name); }

}  // namespace nasfake::reference
