// Writing the proto3 JSON mapping: ToJson (fake/model/json_mapping.h).
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include "fake/model/json_mapping.h"
#include "fake/model/json_writer.h"

namespace nasfake::model {
namespace {

using nlohmann::json;

// Members are written in proto field-number order (so output reads like the
// reference examples), fields at their default value are left out, and a set
// optional message is written even when it is empty ("{}"), as proto3 does for
// message fields.

template <typename E>
void WriteEnum(JsonWriter& w, std::string_view key, E value, const JsonWriteOptions& options) {
  if (static_cast<int>(value) == 0) return;
  w.Key(key);
  if (options.enums_as_ints) {
    w.Int(static_cast<int>(value));
  } else {
    w.String(EnumName(value));
  }
}

void WriteString(JsonWriter& w, std::string_view key, const std::string& value) {
  if (value.empty()) return;
  w.Key(key);
  w.String(value);
}

void WriteInt32(JsonWriter& w, std::string_view key, int32_t value) {
  if (value == 0) return;
  w.Key(key);
  w.Int(value);
}

// int64 is a JSON string in the proto3 mapping.
void WriteInt64(JsonWriter& w, std::string_view key, int64_t value) {
  if (value == 0) return;
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  w.Key(key);
  w.String(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
}

void WriteBool(JsonWriter& w, std::string_view key, bool value) {
  if (!value) return;
  w.Key(key);
  w.Bool(true);
}

// proto3 treats -0.0 as set (its bits are not all zero), so only +0.0 is left out.
void WriteDouble(JsonWriter& w, std::string_view key, double value) {
  if (value == 0 && !std::signbit(value)) return;
  w.Key(key);
  w.Double(value);
}

void WriteTimestamp(JsonWriter& w, std::string_view key, const std::optional<Timestamp>& t) {
  if (!t) return;
  w.Key(key);
  w.String(FormatTimestamp(*t));
}

// A JSON-valued field (CustomJobSpec, Any): null means unset.
void WriteJsonValue(JsonWriter& w, std::string_view key, const json& value) {
  if (value.is_null()) return;
  w.Key(key);
  w.Json(value);
}

void WriteStatus(JsonWriter& w, const RpcStatus& status) {
  w.BeginObject();
  WriteInt32(w, "code", status.code);
  WriteString(w, "message", status.message);
  if (status.details.is_array() && !status.details.empty()) {
    w.Key("details");
    w.Json(status.details);
  }
  w.EndObject();
}

void WriteMeasurement(JsonWriter& w, const Measurement& m) {
  w.BeginObject();
  if (m.elapsed_duration) {
    w.Key("elapsedDuration");
    w.String(FormatDuration(*m.elapsed_duration));
  }
  WriteInt64(w, "stepCount", m.step_count);
  if (!m.metrics.empty()) {
    w.Key("metrics");
    w.BeginArray();
    for (const Metric& metric : m.metrics) {
      w.BeginObject();
      WriteString(w, "metricId", metric.metric_id);
      WriteDouble(w, "value", metric.value);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

void WriteTrial(JsonWriter& w, const NasTrial& trial, const JsonWriteOptions& options) {
  w.BeginObject();
  WriteString(w, "id", trial.id);
  WriteEnum(w, "state", trial.state, options);
  if (trial.final_measurement) {
    w.Key("finalMeasurement");
    WriteMeasurement(w, *trial.final_measurement);
  }
  WriteTimestamp(w, "startTime", trial.start_time);
  WriteTimestamp(w, "endTime", trial.end_time);
  w.EndObject();
}

void WriteTrials(JsonWriter& w, std::string_view key, const std::vector<NasTrial>& trials,
                 const JsonWriteOptions& options) {
  if (trials.empty()) return;
  w.Key(key);
  w.BeginArray();
  for (const NasTrial& trial : trials) WriteTrial(w, trial, options);
  w.EndArray();
}

void WriteNasJobSpec(JsonWriter& w, const NasJobSpec& spec, const JsonWriteOptions& options) {
  w.BeginObject();
  WriteString(w, "searchSpaceSpec", spec.search_space_spec);
  if (spec.multi_trial_algorithm_spec) {
    const MultiTrialAlgorithmSpec& algo = *spec.multi_trial_algorithm_spec;
    w.Key("multiTrialAlgorithmSpec");
    w.BeginObject();
    WriteEnum(w, "multiTrialAlgorithm", algo.multi_trial_algorithm, options);
    if (algo.metric) {
      w.Key("metric");
      w.BeginObject();
      WriteString(w, "metricId", algo.metric->metric_id);
      WriteEnum(w, "goal", algo.metric->goal, options);
      w.EndObject();
    }
    if (algo.search_trial_spec) {
      const SearchTrialSpec& s = *algo.search_trial_spec;
      w.Key("searchTrialSpec");
      w.BeginObject();
      WriteJsonValue(w, "searchTrialJobSpec", s.search_trial_job_spec);
      WriteInt32(w, "maxTrialCount", s.max_trial_count);
      WriteInt32(w, "maxParallelTrialCount", s.max_parallel_trial_count);
      WriteInt32(w, "maxFailedTrialCount", s.max_failed_trial_count);
      w.EndObject();
    }
    if (algo.train_trial_spec) {
      const TrainTrialSpec& t = *algo.train_trial_spec;
      w.Key("trainTrialSpec");
      w.BeginObject();
      WriteJsonValue(w, "trainTrialJobSpec", t.train_trial_job_spec);
      WriteInt32(w, "maxParallelTrialCount", t.max_parallel_trial_count);
      WriteInt32(w, "frequency", t.frequency);
      w.EndObject();
    }
    w.EndObject();
  }
  WriteString(w, "resumeNasJobId", spec.resume_nas_job_id);
  w.EndObject();
}

}  // namespace

std::string ToJson(const NasJob& job, const JsonWriteOptions& options) {
  JsonWriter w(1024);
  w.BeginObject();
  WriteString(w, "name", job.name);
  WriteString(w, "displayName", job.display_name);
  if (job.nas_job_spec) {
    w.Key("nasJobSpec");
    WriteNasJobSpec(w, *job.nas_job_spec, options);
  }
  if (job.nas_job_output) {
    w.Key("nasJobOutput");
    w.BeginObject();
    w.Key("multiTrialJobOutput");
    w.BeginObject();
    WriteTrials(w, "searchTrials", job.nas_job_output->search_trials, options);
    WriteTrials(w, "trainTrials", job.nas_job_output->train_trials, options);
    w.EndObject();
    w.EndObject();
  }
  WriteEnum(w, "state", job.state, options);
  WriteTimestamp(w, "createTime", job.create_time);
  WriteTimestamp(w, "startTime", job.start_time);
  WriteTimestamp(w, "endTime", job.end_time);
  WriteTimestamp(w, "updateTime", job.update_time);
  if (job.error) {
    w.Key("error");
    WriteStatus(w, *job.error);
  }
  if (!job.labels.empty()) {
    w.Key("labels");
    w.BeginObject();
    for (const auto& [key, value] : job.labels) {
      w.Key(key);
      w.String(value);
    }
    w.EndObject();
  }
  if (job.encryption_spec) {
    w.Key("encryptionSpec");
    w.BeginObject();
    WriteString(w, "kmsKeyName", job.encryption_spec->kms_key_name);
    w.EndObject();
  }
  WriteBool(w, "enableRestrictedImageTraining", job.enable_restricted_image_training);
  WriteBool(w, "satisfiesPzs", job.satisfies_pzs);
  WriteBool(w, "satisfiesPzi", job.satisfies_pzi);
  w.EndObject();
  return std::move(w).Release();
}

std::string ToJson(const NasTrialDetail& detail, const JsonWriteOptions& options) {
  JsonWriter w(512);
  w.BeginObject();
  WriteString(w, "name", detail.name);
  WriteString(w, "parameters", detail.parameters);
  if (detail.search_trial) {
    w.Key("searchTrial");
    WriteTrial(w, *detail.search_trial, options);
  }
  if (detail.train_trial) {
    w.Key("trainTrial");
    WriteTrial(w, *detail.train_trial, options);
  }
  w.EndObject();
  return std::move(w).Release();
}

std::string ToJson(const Operation& operation, const JsonWriteOptions& /*options*/) {
  JsonWriter w(256);
  w.BeginObject();
  WriteString(w, "name", operation.name);
  WriteJsonValue(w, "metadata", operation.metadata);
  WriteBool(w, "done", operation.done);
  if (operation.error) {  // oneof result: error wins over response
    w.Key("error");
    WriteStatus(w, *operation.error);
  } else {
    WriteJsonValue(w, "response", operation.response);
  }
  w.EndObject();
  return std::move(w).Release();
}

std::string ToJson(const RpcStatus& status, const JsonWriteOptions& /*options*/) {
  JsonWriter w(64);
  WriteStatus(w, status);
  return std::move(w).Release();
}

}  // namespace nasfake::model
