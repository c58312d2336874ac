// What the benchmarks share: a full NasJob (the reference's own example, with
// spec, output and labels), stores seeded with copies of it, a scenario of N
// rules that every request must be checked against (and none matches), the
// requests a client sends, and the full fake the load benchmarks drive.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "fake/api/request.h"
#include "fake/model/json_mapping.h"
#include "fake/model/json_text.h"
#include "fake/model/nas_job.h"
#include "fake/server/fake_server.h"
#include "fake/store/job_store.h"
#include "scenarios/scenario.h"

namespace nasfake::bench {

inline constexpr char kLocation[] = "projects/123456789012/locations/us-central1";

// fixtures/reference/nasjob-state-succeeded.json (the reference's example of a
// finished job), embedded so the benchmarks need no files.
inline constexpr char kFullJobJson[] = R"json({
 "name": "projects/123456789012/locations/us-central1/nasJobs/2111217356469436416",
 "displayName": "mnasnet-search-20240518",
 "nasJobSpec": {"searchSpaceSpec": "mnasnet", "multiTrialAlgorithmSpec": {
  "multiTrialAlgorithm": "REINFORCEMENT_LEARNING",
  "metric": {"metricId": "top_1_accuracy", "goal": "MAXIMIZE"},
  "searchTrialSpec": {"searchTrialJobSpec": {"workerPoolSpecs": [{"machineSpec": {
     "machineType": "n1-highmem-16", "acceleratorType": "NVIDIA_TESLA_V100",
     "acceleratorCount": 2}, "replicaCount": "1", "containerSpec": {
     "imageUri": "gcr.io/my-project/nas-trainer:latest",
     "args": ["--search_space=mnasnet", "--num_epochs=5"]}}],
    "baseOutputDirectory": {"outputUriPrefix": "gs://my-bucket/mnasnet-search/nas/search"},
    "scheduling": {"timeout": "86400s"}},
   "maxTrialCount": 2000, "maxParallelTrialCount": 50, "maxFailedTrialCount": 100},
  "trainTrialSpec": {"trainTrialJobSpec": {"workerPoolSpecs": [{"machineSpec": {
     "machineType": "n1-highmem-16", "acceleratorType": "NVIDIA_TESLA_V100",
     "acceleratorCount": 4}, "replicaCount": "1", "containerSpec": {
     "imageUri": "gcr.io/my-project/nas-trainer:latest",
     "args": ["--search_space=mnasnet", "--num_epochs=90"]}}],
    "baseOutputDirectory": {"outputUriPrefix": "gs://my-bucket/mnasnet-search/nas/train"}},
   "maxParallelTrialCount": 10, "frequency": 500}}},
 "nasJobOutput": {"multiTrialJobOutput": {
  "searchTrials": [
   {"id": "1", "state": "SUCCEEDED", "finalMeasurement": {"stepCount": "5000",
     "metrics": [{"metricId": "top_1_accuracy", "value": 0.7412}]},
    "startTime": "2024-05-18T10:05:02.100000Z", "endTime": "2024-05-18T10:41:17.200000Z"},
   {"id": "2", "state": "INFEASIBLE", "startTime": "2024-05-18T10:05:02.300000Z",
    "endTime": "2024-05-18T10:12:40.900000Z"},
   {"id": "3", "state": "SUCCEEDED", "finalMeasurement": {"stepCount": "5000",
     "metrics": [{"metricId": "top_1_accuracy", "value": 0.7533}]},
    "startTime": "2024-05-18T16:20:11.000000Z", "endTime": "2024-05-18T16:58:30.000000Z"}],
  "trainTrials": [
   {"id": "1", "state": "SUCCEEDED", "finalMeasurement": {"stepCount": "450000",
     "metrics": [{"metricId": "top_1_accuracy", "value": 0.7689}]},
    "startTime": "2024-05-18T17:00:02.000000Z", "endTime": "2024-05-19T02:10:45.000000Z"}]}},
 "state": "JOB_STATE_SUCCEEDED",
 "createTime": "2024-05-18T10:00:00.123456Z",
 "startTime": "2024-05-18T10:04:31.445012Z",
 "endTime": "2024-05-19T02:17:09.908233Z",
 "updateTime": "2024-05-19T02:17:09.908233Z",
 "labels": {"search_space": "mnasnet"}
})json";

[[noreturn]] inline void Die(const std::string& what) {
  std::cerr << "bench: " << what << "\n";
  std::exit(1);
}

inline model::NasJob FullJob() {
  auto text = model::ParseJsonText(kFullJobJson);
  if (!text.ok()) Die("fixture: " + text.status().message());
  auto job = model::NasJobFromJson(*text, "");
  if (!job.ok()) Die("fixture: " + job.status().message());
  return std::move(*job);
}

// The i-th benchmark job's name (i = 0, 1, …).
inline std::string JobName(size_t i) {
  return std::string(kLocation) + "/nasJobs/" + std::to_string(1000000000000000000ULL + i);
}

// Seeds `n` copies of the full job, RUNNING (so cancel is accepted), each
// under its own name.
inline void SeedJobs(store::JobStore& jobs, size_t n, bool with_output = true) {
  model::NasJob proto = FullJob();
  proto.state = model::JobState::kRunning;
  proto.end_time.reset();
  if (!with_output) proto.nas_job_output.reset();
  for (size_t i = 0; i < n; ++i) {
    model::NasJob job = proto;
    job.name = JobName(i);
    if (auto seeded = jobs.Seed(std::move(job)); !seeded.ok()) {
      Die("seed: " + seeded.status().message());
    }
  }
}

// `n` rules of the kinds scenarios use (operation + resource glob, header
// presence, method + resource, body glob), none of which matches a request of
// the benchmarks, so every request is checked against all of them.
inline std::vector<scenarios::Rule> NonMatchingRules(size_t n) {
  std::vector<scenarios::Rule> rules;
  for (size_t i = 0; i < n; ++i) {
    scenarios::Rule rule;
    rule.id = "rule-" + std::to_string(i + 1);
    scenarios::Action action;
    switch (i % 4) {
      case 0:
        rule.match.operation = "nasJobs.get";
        rule.match.resource = "*/nasJobs/4242" + std::to_string(i);
        action.kind = scenarios::Action::Kind::kAnswer;
        action.answer.http_status = 503;
        action.answer.body = R"({"error":{"code":503,"status":"UNAVAILABLE"}})";
        break;
      case 1:
        rule.match.operation = "nasJobs.cancel";
        rule.match.resource = "projects/*/locations/*/nasJobs/7777" + std::to_string(i);
        action.kind = scenarios::Action::Kind::kFault;
        action.fault.kind = api::WireFault::Kind::kReset;
        break;
      case 2:
        rule.match.headers.emplace_back("x-bench-rule", "r" + std::to_string(i));
        action.kind = scenarios::Action::Kind::kDelay;
        action.delay = std::chrono::seconds(1);
        break;
      default:
        rule.match.method = "DELETE";
        rule.match.resource = "*/nasJobs/*";
        rule.match.body = "*never*";
        action.kind = scenarios::Action::Kind::kHold;
        action.hold = "h" + std::to_string(i);
        break;
    }
    rule.actions.push_back(std::move(action));
    rules.push_back(std::move(rule));
  }
  return rules;
}

inline scenarios::Scenario NonMatchingScenario(size_t n) {
  scenarios::Scenario scenario;
  scenario.name = "bench-" + std::to_string(n) + "-rules";
  scenario.rules = NonMatchingRules(n);
  return scenario;
}

// The headers a Google client library sends, compression accepted.
inline api::HeaderList ClientHeaders() {
  return {{"host", "127.0.0.1"},
          {"user-agent", "nasfake-bench/1.0 gl-cpp/20"},
          {"accept", "*/*"},
          {"accept-encoding", "gzip, deflate, br"},
          {"x-goog-api-client", "gl-cpp/20 gccl/2.0"}};
}

inline api::Request GetRequest(size_t i) {
  api::Request request;
  request.method = "GET";
  request.target = "/v1/" + JobName(i);
  request.headers = ClientHeaders();
  request.remote_addr = "127.0.0.1:40000";
  return request;
}

inline api::Request CancelRequest(size_t i) {
  api::Request request;
  request.method = "POST";
  request.target = "/v1/" + JobName(i) + ":cancel";
  request.headers = ClientHeaders();
  request.headers.emplace_back("content-type", "application/json");
  request.headers.emplace_back("content-length", "2");
  request.body = "{}";
  request.remote_addr = "127.0.0.1:40000";
  return request;
}

inline api::Request ListRequest() {
  api::Request request;
  request.method = "GET";
  request.target = std::string("/v1/") + kLocation + "/nasJobs";
  request.headers = ClientHeaders();
  request.remote_addr = "127.0.0.1:40000";
  return request;
}

// --- The full fake of the load benchmarks -------------------------------------

inline constexpr size_t kSeededJobs = 1000;
inline constexpr size_t kScenarioRules = 20;

// A FakeServer (REST and gRPC) with kSeededJobs copies of the full job
// (JobName(0) …) and a kScenarioRules-rule scenario none of whose rules matches.
inline std::unique_ptr<FakeServer> StartLoadedFake() {
  auto server = FakeServer::Start();
  if (!server.ok()) Die("fake: " + server.status().message());
  SeedJobs((*server)->jobs(), kSeededJobs);
  if (Status s = (*server)->LoadScenario(NonMatchingScenario(kScenarioRules)); !s.ok()) {
    Die("scenario: " + s.message());
  }
  return std::move(*server);
}

// What the fake answers to a GET of a seeded job (JobName(0)): the minimal
// servers answer the same job.
inline std::string GetBody() {
  model::NasJob job = FullJob();
  job.name = JobName(0);
  job.state = model::JobState::kRunning;
  job.end_time.reset();
  return model::ToJson(job);
}

}  // namespace nasfake::bench
