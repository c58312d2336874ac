#include "conformance/clients/reference/client_support.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <thread>

namespace nasfake::reference {
namespace {

using json = nlohmann::json;

// How much of an unparseable body an error message quotes.
constexpr size_t kBodySnippetBytes = 200;

}  // namespace

Result<json> CallWithRetries(const RetryPolicy& policy, bool idempotent, Clock::time_point deadline,
                             const std::function<Attempt()>& make_attempt) {
  const int max_attempts = idempotent ? std::max(1, policy.max_attempts) : 1;
  Millis backoff = policy.initial_backoff;
  for (int attempt_number = 1;; ++attempt_number) {
    Attempt attempt = make_attempt();
    if (attempt.value) return std::move(*attempt.value);
    if (!attempt.transient || attempt_number >= max_attempts) return attempt.error;
    const Millis wait = std::max(backoff, attempt.server_delay);
    if (Clock::now() + wait >= deadline) return attempt.error;
    std::this_thread::sleep_for(wait);
    backoff = std::min(backoff * policy.multiplier, Millis(policy.max_backoff));
  }
}

Result<json> PollUntil(const PollPolicy& policy, Clock::time_point deadline,
                       std::chrono::milliseconds budget, const std::function<Result<json>()>& read,
                       const std::function<bool(const json&)>& done, const std::string& what) {
  Millis delay = policy.initial;
  std::string last_seen = "nothing read yet";
  for (;;) {
    const auto now = Clock::now();
    const auto wake = std::min(now + std::chrono::duration_cast<Clock::duration>(delay), deadline);
    if (wake > now) std::this_thread::sleep_for(wake - now);
    if (Clock::now() + kDeadlineSlack >= deadline) {
      return DeadlineError(budget, "waiting for " + what + " (last read: " + last_seen + ")");
    }
    auto answer = read();
    if (!answer) return answer;
    if (done(*answer)) return answer;
    last_seen = answer->contains("state") ? (*answer)["state"].dump() : Snippet(answer->dump());
    delay = std::min(delay * policy.multiplier, Millis(policy.max));
  }
}

Error DeadlineError(std::chrono::milliseconds budget, const std::string& doing) {
  return Error{"DEADLINE_EXCEEDED",
               "deadline of " + std::to_string(budget.count()) + " ms exceeded " + doing};
}

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

Millis RetryInfoDelay(const json& details) {
  Millis delay{0};
  if (!details.is_array()) return delay;
  for (const json& detail : details) {
    if (!detail.is_object() ||
        detail.value("@type", "") != "type.googleapis.com/google.rpc.RetryInfo" ||
        !detail.contains("retryDelay") || !detail["retryDelay"].is_string()) {
      continue;
    }
    if (auto parsed = ParseDuration(detail["retryDelay"].get<std::string>())) {
      delay = std::max(delay, *parsed);
    }
  }
  return delay;
}

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

Result<json> DoneOperation(json operation) {
  if (!operation.contains("error") || !operation["error"].is_object()) return operation;
  const json& error = operation["error"];
  const int code =
      error.contains("code") && error["code"].is_number_integer() ? error["code"].get<int>() : 2;
  const std::string message = error.contains("message") && error["message"].is_string()
                                  ? error["message"].get<std::string>()
                                  : "the delete operation failed";
  return Error{code == 0 ? "UNKNOWN" : StatusCodeName(code), message};
}

std::string Snippet(const std::string& text) {
  if (text.size() <= kBodySnippetBytes) return text;
  return text.substr(0, kBodySnippetBytes) + "…";
}

}  // namespace nasfake::reference
