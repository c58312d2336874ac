#include "conformance/clients/reference/nas_jobs_client.h"

#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "conformance/clients/reference/client_support.h"

namespace nasfake::reference {
namespace {

using json = nlohmann::json;

constexpr int kPageSize = 100;
constexpr int kMaxPages = 10000;

// The longest delay the server asked for: google.rpc.RetryInfo.retryDelay in
// the error's details, and a Retry-After header in delta-seconds (an
// HTTP-date Retry-After is ignored).
Millis ServerRetryDelay(const json& details, const httplib::Headers& headers) {
  Millis delay = RetryInfoDelay(details);
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

}  // namespace

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
    out += EncodeQueryValue(name.substr(start, slash - start));  // one segment
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

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
    return Poll("/v1/" + EncodePath(name), deadline, IsTerminalJob,
                "NasJob " + name + " to reach a terminal state");
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
      operation = Poll("/v1/" + EncodePath(op), deadline, IsDoneOperation,
                       "operation " + op + " to be done");
      if (!operation) return operation;
    }
    return DoneOperation(std::move(operation).value());
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
        attempt.error = DeadlineError(options_.deadline, "during " + method + " " + target);
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
      if (error.contains("details") && error["details"].is_array()) {
        attempt.error.details = error["details"];
      }
    }
    const int s = reply.status;
    attempt.transient = s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
    if (attempt.transient) {
      attempt.server_delay = ServerRetryDelay(attempt.error.details, reply.headers);
    }
    return attempt;
  }

  // One call (nas_jobs_api.h's retry contract).
  Result<json> Call(const std::string& method, const std::string& target, const std::string* body,
                    Clock::time_point deadline, bool idempotent) {
    return CallWithRetries(options_.retry, idempotent, deadline, [&] {
      return Judge(method, target, Exchange(method, target, body, deadline));
    });
  }

  // GETs `target` per the PollPolicy until `done` holds for the answer (its
  // state normalised), which is returned.
  Result<json> Poll(const std::string& target, Clock::time_point deadline,
                    bool (*done)(const json&), const std::string& what) {
    return PollUntil(
        options_.poll, deadline, options_.deadline,
        [&]() -> Result<json> {
          auto answer = Call("GET", target, nullptr, deadline, true);
          if (!answer) return answer;
          return NormalizeJob(std::move(answer).value());
        },
        done, what);
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
