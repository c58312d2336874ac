// The properties the fuzz targets check, shared by the libFuzzer targets
// (tests/fuzz/*_fuzzer.cc) and the unit test that replays the regression
// inputs (tests/unit/fuzz_regression_test.cc). Each check takes the raw input
// and returns "" when every property holds, else what went wrong. Crashes and
// sanitizer reports are findings too: the checks only run the code.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake/api/list_filter.h"
#include "fake/api/request.h"
#include "fake/env.h"
#include "fake/model/json_mapping.h"
#include "fake/model/json_text.h"
#include "fake/model/nas_job.h"
#include "fake/model/resource_names.h"
#include "fake/model/time.h"
#include "fake/server/tenant.h"
#include "fake/status.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_json.h"

namespace nasfake::fuzz {

// For the fuzz targets: a broken property is a crash libFuzzer records.
inline void Require(const std::string& error) {
  if (error.empty()) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", error.c_str());
  std::abort();
}

// --- request_path ------------------------------------------------------------

inline constexpr char kSeededJobName[] =
    "projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";

// The job every request_path input runs against (a RUNNING job of the
// reference, with one trial detail).
inline constexpr char kSeededJob[] = R"({
  "name": "projects/123456789012/locations/us-central1/nasJobs/2111217356469436416",
  "displayName": "mnasnet-search",
  "nasJobSpec": {"searchSpaceSpec": "mnasnet", "multiTrialAlgorithmSpec": {
    "multiTrialAlgorithm": "REINFORCEMENT_LEARNING",
    "metric": {"metricId": "top_1_accuracy", "goal": "MAXIMIZE"},
    "searchTrialSpec": {"searchTrialJobSpec": {"workerPoolSpecs": [{
      "machineSpec": {"machineType": "n1-highmem-16"}, "replicaCount": "1",
      "containerSpec": {"imageUri": "gcr.io/my-project/nas-trainer:latest"}}]},
      "maxTrialCount": 20, "maxParallelTrialCount": 5}}},
  "nasJobOutput": {"multiTrialJobOutput": {"searchTrials": [{"id": "1", "state": "SUCCEEDED",
    "finalMeasurement": {"stepCount": "5000", "metrics": [{"metricId": "top_1_accuracy",
    "value": 0.7412}]}, "startTime": "2026-01-01T00:05:02.100000Z"}]}},
  "state": "JOB_STATE_RUNNING",
  "createTime": "2026-01-01T00:00:00Z",
  "startTime": "2026-01-01T00:00:01.500000Z",
  "updateTime": "2026-01-01T00:00:01.500000Z",
  "labels": {"search_space": "mnasnet"}
})";

inline constexpr char kSeededTrialDetail[] = R"({
  "name": "projects/123456789012/locations/us-central1/nasJobs/2111217356469436416/nasTrialDetails/1",
  "parameters": "{\"layers\": 12}",
  "searchTrial": {"id": "1", "state": "SUCCEEDED"}
})";

// Splits fuzz bytes into a request, deterministically:
//   METHOD \n TARGET \n (NAME: VALUE \n)* \n BODY
// Missing parts are empty; a header line without ':' is a name with an empty
// value; names are lowercased (as the transport stores them).
inline api::Request SplitRequest(std::string_view data) {
  auto next_line = [&data]() {
    size_t end = data.find('\n');
    std::string_view line = data.substr(0, end);
    data = end == std::string_view::npos ? std::string_view() : data.substr(end + 1);
    return line;
  };
  api::Request request;
  request.method = std::string(next_line());
  request.target = std::string(next_line());
  while (!data.empty()) {
    std::string_view line = next_line();
    if (line.empty()) break;
    size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.emplace_back(std::move(name), std::string(value));
  }
  request.body = std::string(data);
  request.remote_addr = "127.0.0.1";
  return request;
}

// A valid HTTP status, no wire fault (there is no scenario), and a JSON answer
// that is strict JSON; an error in Google's shape, its code the HTTP status.
inline std::string CheckResponse(const api::Response& response) {
  if (response.status < 100 || response.status > 599) {
    return "invalid HTTP status " + std::to_string(response.status);
  }
  if (response.fault) return "a wire fault without a scenario";
  if (!response.content_type.starts_with("application/json")) return "";
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return "the JSON answer does not parse: " + response.body;
  if (response.status >= 400) {
    if (!body.is_object() || !body.contains("error") || !body["error"].is_object() ||
        !body["error"].contains("code") || body["error"]["code"] != response.status) {
      return "error " + std::to_string(response.status) +
             " without Google's error body: " + response.body;
    }
  }
  return "";
}

// One request through a fresh tenant (journal, scenario engine, router) that
// holds the seeded job. The answer must pass CheckResponse; afterwards the
// location's jobs and operations still list; the seeded job must read back
// unchanged unless a successful non-GET request changed it.
inline std::string CheckRequestPath(std::string_view data) {
  Tenant tenant(FakeOptions{});
  store::JobStore& jobs = tenant.env().jobs();
  static const model::NasJob seeded_job =
      model::NasJobFromJson(nlohmann::json::parse(kSeededJob), "").value();
  static const model::NasTrialDetail seeded_detail =
      model::NasTrialDetailFromJson(nlohmann::json::parse(kSeededTrialDetail), "").value();
  if (!jobs.Seed(seeded_job).ok() || !jobs.SeedTrialDetail(seeded_detail).ok()) {
    return "could not seed the job";
  }
  const model::NasJobName name = model::ParseNasJobName(kSeededJobName).value();
  StatusOr<model::NasJob> before = jobs.Peek(name);
  if (!before.ok()) return "the seeded job is missing";

  api::Request request = SplitRequest(data);
  api::Response response = tenant.Handle(request);

  if (std::string error = CheckResponse(response); !error.empty()) return error;
  bool may_change = request.method != "GET" && response.status >= 200 && response.status < 300;
  // Whatever the request left behind renders: the seeded location's jobs and
  // operations list as JSON.
  for (const char* list : {"/v1/projects/123456789012/locations/us-central1/nasJobs?pageSize=5",
                           "/v1/projects/123456789012/locations/us-central1/operations"}) {
    api::Response listed = tenant.Handle(api::Request{"GET", list, {}, "", "127.0.0.1"});
    if (listed.status != 200) {
      return std::string(list) + " answered " + std::to_string(listed.status) + ": " + listed.body;
    }
    if (std::string error = CheckResponse(listed); !error.empty()) return list + (": " + error);
  }
  if (!may_change) {
    StatusOr<model::NasJob> after = jobs.Peek(name);
    if (!after.ok())
      return "the seeded job disappeared (status " + std::to_string(response.status) + ")";
    if (!(*after == *before)) {
      return "the seeded job changed (status " + std::to_string(response.status) +
             "): " + model::ToJson(*before) + " became " + model::ToJson(*after);
    }
  }
  return "";
}

// --- json_mapping ------------------------------------------------------------

// NaN != NaN; a metric value of NaN ("NaN" in JSON) round-trips as NaN.
inline void CanonicalNaN(std::optional<model::NasTrial>& trial) {
  if (!trial || !trial->final_measurement) return;
  for (model::Metric& metric : trial->final_measurement->metrics) {
    if (std::isnan(metric.value)) metric.value = 1.25e308;
  }
}
inline void CanonicalNaN(model::NasJob& job) {
  if (!job.nas_job_output) return;
  for (auto* trials : {&job.nas_job_output->search_trials, &job.nas_job_output->train_trials}) {
    for (model::NasTrial& trial : *trials) {
      std::optional<model::NasTrial> t(std::move(trial));
      CanonicalNaN(t);
      trial = std::move(*t);
    }
  }
}
inline void CanonicalNaN(model::NasTrialDetail& detail) {
  CanonicalNaN(detail.search_trial);
  CanonicalNaN(detail.train_trial);
}
inline void CanonicalNaN(model::Operation&) {}

// FromJson(ToJson(x)) == x for whatever FromJson accepts, with enums by name
// and by number.
template <typename T, typename FromJson>
std::string CheckRoundTrip(const nlohmann::json& value, FromJson from_json, const char* what) {
  StatusOr<T> first = from_json(value, "x");
  if (!first.ok()) return "";
  T expected = *first;
  CanonicalNaN(expected);
  for (bool enums_as_ints : {false, true}) {
    std::string text = model::ToJson(*first, model::JsonWriteOptions{enums_as_ints});
    if (!nlohmann::json::accept(text))
      return std::string(what) + ": ToJson wrote bad JSON: " + text;
    StatusOr<nlohmann::json> reparsed = model::ParseJsonText(text);
    if (!reparsed.ok()) {
      return std::string(what) + ": ToJson's output does not parse: " + text + "\n" +
             reparsed.status().message();
    }
    StatusOr<T> second = from_json(*reparsed, "x");
    if (!second.ok()) {
      return std::string(what) + ": ToJson's output is refused: " + text + "\n" +
             second.status().message();
    }
    CanonicalNaN(*second);
    if (!(*second == expected)) {
      return std::string(what) + ": the round trip changed the value: " + text + " became " +
             model::ToJson(*second, model::JsonWriteOptions{enums_as_ints});
    }
  }
  return "";
}

inline std::string CheckJsonMapping(std::string_view data) {
  StatusOr<nlohmann::json> value = model::ParseJsonText(data);
  if (!value.ok()) return "";
  std::string error = CheckRoundTrip<model::NasJob>(*value, model::NasJobFromJson, "NasJob");
  if (error.empty()) {
    error = CheckRoundTrip<model::NasTrialDetail>(*value, model::NasTrialDetailFromJson,
                                                  "NasTrialDetail");
  }
  if (error.empty()) {
    error = CheckRoundTrip<model::Operation>(*value, model::OperationFromJson, "Operation");
  }
  return error;
}

// --- list_filter -------------------------------------------------------------

inline const std::vector<model::NasJob>& FilterJobs() {
  static const std::vector<model::NasJob> jobs = [] {
    std::vector<model::NasJob> out(4);
    out[0].name = "projects/123456789012/locations/us-central1/nasJobs/1";
    out[0].display_name = "my_job_7";
    out[0].state = model::JobState::kRunning;
    out[0].create_time = model::ParseTimestamp("2021-05-18T10:00:00.123456Z");
    out[0].labels = {{"env", "prod"}, {"canary", ""}};
    out[1].name = "projects/123456789012/locations/us-central1/nasJobs/2";
    out[1].display_name = "a*b \"quoted\" ünïcødé";
    out[1].state = model::JobState::kCancelled;
    out[1].labels = {{"env", "dev"}};
    out[2].name = "projects/123456789012/locations/us-central1/nasJobs/3";
    out[2].state = model::JobState::kFailed;
    out[2].create_time = model::ParseTimestamp("1970-01-01T00:00:00Z");
    out[3] = out[0];
    out[3].display_name = "";
    out[3].state = model::JobState::kUnspecified;
    return out;
  }();
  return jobs;
}

// Parsing never crashes, refusals are INVALID_ARGUMENT, and a filter that
// parses matches the fixed jobs the same way twice (parsing is deterministic).
inline std::string CheckListFilter(std::string_view data) {
  StatusOr<api::ListFilter> filter = api::ListFilter::Parse(data);
  if (!filter.ok()) {
    if (filter.status().code() != StatusCode::kInvalidArgument) {
      return "refused with a code other than INVALID_ARGUMENT: " + filter.status().message();
    }
    return "";
  }
  StatusOr<api::ListFilter> again = api::ListFilter::Parse(data);
  if (!again.ok()) return "the second parse failed: " + again.status().message();
  for (const model::NasJob& job : FilterJobs()) {
    if (filter->Matches(job) != again->Matches(job)) return "two parses disagree on " + job.name;
  }
  return "";
}

// --- scenario_loader ---------------------------------------------------------

inline std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ScenarioFromJson(ScenarioToJson(s)) == s for whatever ScenarioFromJson accepts.
inline std::string CheckScenarioLoader(std::string_view data) {
  StatusOr<nlohmann::json> document = model::ParseJsonText(data);
  if (!document.ok()) return "";
  StatusOr<scenarios::Scenario> scenario = scenarios::ScenarioFromJson(*document, "fuzz");
  if (!scenario.ok()) return "";
  nlohmann::json written = scenarios::ScenarioToJson(*scenario);
  StatusOr<scenarios::Scenario> again = scenarios::ScenarioFromJson(written, "fuzz");
  if (!again.ok()) {
    return "ScenarioToJson's output is refused: " + Dump(written) + "\n" + again.status().message();
  }
  if (!(*again == *scenario)) {
    return "the round trip changed the scenario: " + Dump(written) + " became " +
           Dump(scenarios::ScenarioToJson(*again));
  }
  return "";
}

}  // namespace nasfake::fuzz
