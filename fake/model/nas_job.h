// The API's resources as C++ values: NasJob, NasTrialDetail, Operation.
//
// Every field of the reference (§2.2) is modelled. Where the strict schema
// stops: a CustomJobSpec (searchTrialJobSpec, trainTrialJobSpec) is kept as a
// JSON object — its keys normalised to lowerCamelCase and its nulls dropped,
// otherwise returned exactly as it was sent.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fake/model/enums.h"
#include "fake/model/time.h"

namespace nasfake::model {

// google.rpc.Status as it appears inside resources (NasJob.error, Operation.error).
struct RpcStatus {
  int code = 0;
  std::string message;
  nlohmann::json details = nlohmann::json::array();  // Any objects with "@type"
  friend bool operator==(const RpcStatus&, const RpcStatus&) = default;
};

struct MetricSpec {
  std::string metric_id;
  GoalType goal = GoalType::kUnspecified;
  friend bool operator==(const MetricSpec&, const MetricSpec&) = default;
};

struct SearchTrialSpec {
  nlohmann::json search_trial_job_spec;  // CustomJobSpec; null when unset
  int32_t max_trial_count = 0;
  int32_t max_parallel_trial_count = 0;
  int32_t max_failed_trial_count = 0;
  friend bool operator==(const SearchTrialSpec&, const SearchTrialSpec&) = default;
};

struct TrainTrialSpec {
  nlohmann::json train_trial_job_spec;  // CustomJobSpec; null when unset
  int32_t max_parallel_trial_count = 0;
  int32_t frequency = 0;
  friend bool operator==(const TrainTrialSpec&, const TrainTrialSpec&) = default;
};

struct MultiTrialAlgorithmSpec {
  MultiTrialAlgorithm multi_trial_algorithm = MultiTrialAlgorithm::kUnspecified;
  std::optional<MetricSpec> metric;
  std::optional<SearchTrialSpec> search_trial_spec;
  std::optional<TrainTrialSpec> train_trial_spec;
  friend bool operator==(const MultiTrialAlgorithmSpec&, const MultiTrialAlgorithmSpec&) = default;
};

struct NasJobSpec {
  std::optional<MultiTrialAlgorithmSpec> multi_trial_algorithm_spec;  // oneof nas_algorithm_spec
  std::string resume_nas_job_id;
  std::string search_space_spec;
  friend bool operator==(const NasJobSpec&, const NasJobSpec&) = default;
};

struct Metric {
  std::string metric_id;
  double value = 0;
  friend bool operator==(const Metric&, const Metric&) = default;
};

struct Measurement {
  std::optional<Duration> elapsed_duration;
  int64_t step_count = 0;
  std::vector<Metric> metrics;
  friend bool operator==(const Measurement&, const Measurement&) = default;
};

struct NasTrial {
  std::string id;
  TrialState state = TrialState::kUnspecified;
  std::optional<Measurement> final_measurement;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  friend bool operator==(const NasTrial&, const NasTrial&) = default;
};

// NasJobOutput with its only oneof member, multiTrialJobOutput.
struct NasJobOutput {
  std::vector<NasTrial> search_trials;
  std::vector<NasTrial> train_trials;
  friend bool operator==(const NasJobOutput&, const NasJobOutput&) = default;
};

struct EncryptionSpec {
  std::string kms_key_name;
  friend bool operator==(const EncryptionSpec&, const EncryptionSpec&) = default;
};

struct NasJob {
  std::string name;
  std::string display_name;
  std::optional<NasJobSpec> nas_job_spec;
  std::optional<NasJobOutput> nas_job_output;
  JobState state = JobState::kUnspecified;
  std::optional<Timestamp> create_time;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  std::optional<Timestamp> update_time;
  std::optional<RpcStatus> error;
  std::map<std::string, std::string> labels;
  std::optional<EncryptionSpec> encryption_spec;
  bool enable_restricted_image_training = false;
  bool satisfies_pzs = false;
  bool satisfies_pzi = false;
  friend bool operator==(const NasJob&, const NasJob&) = default;
};

struct NasTrialDetail {
  std::string name;
  std::string parameters;
  std::optional<NasTrial> search_trial;
  std::optional<NasTrial> train_trial;
  friend bool operator==(const NasTrialDetail&, const NasTrialDetail&) = default;
};

// google.longrunning.Operation. `metadata` and `response` are Any objects
// (JSON with "@type"); exactly one of error/response is set once done.
struct Operation {
  std::string name;
  nlohmann::json metadata;  // null when unset
  bool done = false;
  std::optional<RpcStatus> error;
  nlohmann::json response;  // null when unset
  friend bool operator==(const Operation&, const Operation&) = default;
};

}  // namespace nasfake::model
