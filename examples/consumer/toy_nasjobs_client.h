// A toy NasJobs (Vertex AI v1) REST client: the kind of library a team would
// test against nasfake. Deliberately small: no retries, fixed-interval polling.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace toy {

// The outcome of a call: the JSON answer, or an error named as google.rpc.Code
// names it ("NOT_FOUND", "UNAVAILABLE", "DEADLINE_EXCEEDED", …).
struct Result {
  std::optional<nlohmann::json> value;
  std::string error_status;
  std::string error_message;
  bool ok() const { return value.has_value(); }
};

class NasJobsClient {
 public:
  // `endpoint` is "http://127.0.0.1:41234"; every operation must end within `deadline`.
  NasJobsClient(std::string endpoint, std::string token,
                std::chrono::milliseconds deadline = std::chrono::seconds(30),
                std::chrono::milliseconds poll_interval = std::chrono::milliseconds(50));

  Result Get(const std::string& name) const;
  Result Cancel(const std::string& name) const;
  // Cancel, then get the job until its state is terminal.
  Result CancelAndWait(const std::string& name) const;
  // Every job of every page: {"jobs": […]}.
  Result List(const std::string& parent, const std::string& filter = "") const;
  Result Create(const std::string& parent, const nlohmann::json& job) const;
  // Delete, then get the returned operation until it is done.
  Result Delete(const std::string& name) const;

 private:
  using Clock = std::chrono::steady_clock;
  Result Call(const std::string& method, const std::string& target, const std::string* body,
              Clock::time_point deadline) const;
  Result PollUntil(const std::string& target, bool (*done)(const nlohmann::json&),
                   Clock::time_point deadline) const;

  std::string endpoint_, token_;
  std::chrono::milliseconds deadline_, poll_interval_;
};

}  // namespace toy
