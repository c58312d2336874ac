// What the README's C++ snippets take a reader to have, so that the test
// suite can compile and run them (tests/docs/extract_cpp_blocks.py): their
// own NasJobs client, `MyNasClient` (here a thin wrapper over the bundled
// reference client, which retries an idempotent GET after a reset), and a
// job to create, `LoadSpec()`.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "conformance/clients/reference/nas_jobs_client.h"

// The parts of a NasJob the snippets read.
struct MyNasJob {
  std::string name;
  std::string state;
  struct {
    int code = 0;
    std::string message;
  } error;
};

class MyNasClient {
 public:
  explicit MyNasClient(const std::string& endpoint) : client_(OptionsFor(endpoint)) {}

  MyNasJob Create(const std::string& parent, const nlohmann::json& job) {
    return Job(client_.Create(parent, job));
  }
  MyNasJob Get(const std::string& name) { return Job(client_.Get(name)); }
  void Cancel(const std::string& name) {
    auto answer = client_.Cancel(name);
    if (!answer) ADD_FAILURE() << answer.error().status << ": " << answer.error().message;
  }

 private:
  static nasfake::reference::NasJobsClient::Options OptionsFor(const std::string& endpoint) {
    nasfake::reference::NasJobsClient::Options options;
    options.endpoint = endpoint;
    return options;
  }
  // The job in `result`; a failure of the test (and an empty job) on an error.
  static MyNasJob Job(const nasfake::reference::Result<nlohmann::json>& result) {
    MyNasJob job;
    if (!result) {
      ADD_FAILURE() << result.error().status << ": " << result.error().message;
      return job;
    }
    job.name = result->value("name", "");
    job.state = result->value("state", "");
    if (result->contains("error")) {
      job.error.code = (*result)["error"].value("code", 0);
      job.error.message = (*result)["error"].value("message", "");
    }
    return job;
  }

  nasfake::reference::NasJobsClient client_;
};

// A NasJob to create: what the tour's job.json holds.
inline nlohmann::json LoadSpec() {
  return nlohmann::json::parse(R"({"displayName": "tour",
    "nasJobSpec": {"multiTrialAlgorithmSpec": {"searchTrialSpec": {
      "searchTrialJobSpec": {"workerPoolSpecs": [{"machineSpec": {"machineType": "n1-standard-4"}}]},
      "maxTrialCount": 2, "maxParallelTrialCount": 1}}}})");
}
