#include "toy_nasjobs_client.h"

#include <httplib.h>

#include <cctype>
#include <map>
#include <set>
#include <thread>

namespace toy {
namespace {

using json = nlohmann::json;

std::string Encode(const std::string& text, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

std::string StatusForHttp(int http) {
  static const std::map<int, std::string> kNames = {
      {400, "INVALID_ARGUMENT"}, {401, "UNAUTHENTICATED"},  {403, "PERMISSION_DENIED"},
      {404, "NOT_FOUND"},        {409, "ABORTED"},          {429, "RESOURCE_EXHAUSTED"},
      {503, "UNAVAILABLE"},      {504, "DEADLINE_EXCEEDED"}};
  if (auto it = kNames.find(http); it != kNames.end()) return it->second;
  return http >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
}

Result Error(std::string status, std::string message) { return {std::nullopt, status, message}; }

bool JobIsTerminal(const json& job) {
  static const std::set<std::string> kTerminal = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED",
                                                  "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED",
                                                  "JOB_STATE_PARTIALLY_SUCCEEDED"};
  return job.contains("state") && job["state"].is_string() && kTerminal.count(job["state"]) > 0;
}
bool OperationIsDone(const json& op) { return op.value("done", false); }

}  // namespace

NasJobsClient::NasJobsClient(std::string endpoint, std::string token,
                             std::chrono::milliseconds deadline,
                             std::chrono::milliseconds poll_interval)
    : endpoint_(std::move(endpoint)),
      token_(std::move(token)),
      deadline_(deadline),
      poll_interval_(poll_interval) {}

Result NasJobsClient::Call(const std::string& method, const std::string& target,
                           const std::string* body, Clock::time_point deadline) const {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
  if (left.count() <= 0) return Error("DEADLINE_EXCEEDED", "deadline passed");
  httplib::Client http(endpoint_);
  http.set_url_encode(false);  // targets are encoded here
  http.set_connection_timeout(left);
  http.set_read_timeout(left);
  http.set_write_timeout(left);
  httplib::Request request;
  request.method = method;
  request.path = target;
  request.headers = {{"Authorization", "Bearer " + token_}, {"Accept", "application/json"}};
  if (body) {
    request.body = *body;
    request.headers.emplace("Content-Type", "application/json");
  }
  httplib::Result answer = http.send(request);
  if (!answer) {
    if (deadline - Clock::now() < std::chrono::milliseconds(100)) {
      return Error("DEADLINE_EXCEEDED", "deadline passed");
    }
    return Error("UNAVAILABLE", httplib::to_string(answer.error()));
  }
  json parsed = json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
  if (answer->status / 100 != 2) {
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object() &&
        parsed["error"].value("status", "") != "") {
      return Error(parsed["error"]["status"], parsed["error"].value("message", ""));
    }
    return Error(StatusForHttp(answer->status), "HTTP " + std::to_string(answer->status));
  }
  if (!parsed.is_object()) return Error("UNKNOWN", "the answer is not a JSON object");
  return {parsed, "", ""};
}

Result NasJobsClient::PollUntil(const std::string& target, bool (*done)(const json&),
                                Clock::time_point deadline) const {
  while (true) {
    std::this_thread::sleep_for(poll_interval_);
    Result read = Call("GET", target, nullptr, deadline);
    if (!read.ok() || done(*read.value)) return read;
  }
}

Result NasJobsClient::Get(const std::string& name) const {
  return Call("GET", "/v1/" + Encode(name, true), nullptr, Clock::now() + deadline_);
}

Result NasJobsClient::Cancel(const std::string& name) const {
  static const std::string kEmpty = "{}";
  return Call("POST", "/v1/" + Encode(name, true) + ":cancel", &kEmpty, Clock::now() + deadline_);
}

Result NasJobsClient::CancelAndWait(const std::string& name) const {
  auto deadline = Clock::now() + deadline_;
  static const std::string kEmpty = "{}";
  Result cancel = Call("POST", "/v1/" + Encode(name, true) + ":cancel", &kEmpty, deadline);
  if (!cancel.ok()) return cancel;
  return PollUntil("/v1/" + Encode(name, true), JobIsTerminal, deadline);
}

Result NasJobsClient::List(const std::string& parent, const std::string& filter) const {
  auto deadline = Clock::now() + deadline_;
  json jobs = json::array();
  std::string token;
  do {
    std::string target = "/v1/" + Encode(parent, true) + "/nasJobs?pageSize=100";
    if (!filter.empty()) target += "&filter=" + Encode(filter, false);
    if (!token.empty()) target += "&pageToken=" + Encode(token, false);
    Result page = Call("GET", target, nullptr, deadline);
    if (!page.ok()) return page;
    for (const auto& job : page.value->value("nasJobs", json::array())) jobs.push_back(job);
    token = page.value->value("nextPageToken", "");
  } while (!token.empty());
  return {json{{"jobs", jobs}}, "", ""};
}

Result NasJobsClient::Create(const std::string& parent, const json& job) const {
  std::string body = job.dump();
  return Call("POST", "/v1/" + Encode(parent, true) + "/nasJobs", &body, Clock::now() + deadline_);
}

Result NasJobsClient::Delete(const std::string& name) const {
  auto deadline = Clock::now() + deadline_;
  Result op = Call("DELETE", "/v1/" + Encode(name, true), nullptr, deadline);
  if (!op.ok() || OperationIsDone(*op.value)) return op;
  return PollUntil("/v1/" + Encode(op.value->value("name", ""), true), OperationIsDone, deadline);
}

}  // namespace toy
