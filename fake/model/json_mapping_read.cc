// Reading the proto3 JSON mapping: NasJobFromJson and the other ...FromJson
// (fake/model/json_mapping.h). They take a parsed value (ParseJsonText,
// fake/model/json_text.h); the text itself is not seen here.
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "fake/errors.h"
#include "fake/model/json_mapping.h"
#include "fake/model/json_writer.h"

namespace nasfake::model {
namespace {

using nlohmann::json;

// Error choices (the reference marks the exact texts UNCONFIRMED):
// * Scalars, enums, messages, lists and maps with the wrong JSON type or an
//   out-of-range value: errors::InvalidValue(<path>, "TYPE_<kind>", <the value
//   as compact JSON text>), e.g. "Invalid value at 'nas_job.display_name'
//   (TYPE_STRING), 123". Messages, lists of messages and maps use
//   "TYPE_MESSAGE"; enums "TYPE_ENUM". (Google's front end names messages and
//   enums by their type URL, e.g. "(type.googleapis.com/...JobState)"; the
//   project chose the TYPE_ names for them.)
// * Timestamps and Durations follow what Google's front end answers for these
//   well-known types, which is observed: the proto type is the type URL and
//   the value part names the JSON field and the problem, e.g.
//   "Invalid value at 'nas_job.create_time'
//   (type.googleapis.com/google.protobuf.Timestamp), Field 'createTime',
//   Illegal timestamp format; timestamps must end with 'Z' or have a valid
//   timezone offset."
// * Paths are snake_case proto paths: "nas_job.nas_job_spec", list elements
//   "...search_trials[2]", map entries by position as Google writes them
//   ("nas_job.labels[0].value", counting entries in key order).
// * A null list element or map value is an error (proto3 has no null there).
// * A key that names a field in both spellings ("displayName" and
//   "display_name") in one object: the snake_case one wins (keys are visited
//   in sorted order, '_' sorts after the letters).
// * Any objects (Operation.metadata/response, Status.details[]) must be JSON
//   objects and are kept verbatim (their map fields, e.g. ErrorInfo.metadata,
//   must not have their keys renamed).

constexpr std::string_view kTypeString = "TYPE_STRING";
constexpr std::string_view kTypeInt32 = "TYPE_INT32";
constexpr std::string_view kTypeInt64 = "TYPE_INT64";
constexpr std::string_view kTypeDouble = "TYPE_DOUBLE";
constexpr std::string_view kTypeBool = "TYPE_BOOL";
constexpr std::string_view kTypeEnum = "TYPE_ENUM";
constexpr std::string_view kTypeMessage = "TYPE_MESSAGE";
constexpr std::string_view kTypeTimestamp = "type.googleapis.com/google.protobuf.Timestamp";
constexpr std::string_view kTypeDuration = "type.googleapis.com/google.protobuf.Duration";

std::string Dump(const json& value) {
  JsonWriter w;
  w.Json(value);
  return std::move(w).Release();
}

Status Invalid(const std::string& path, std::string_view type, const json& value) {
  return errors::InvalidValue(path, type, Dump(value));
}

std::string Join(std::string_view path, std::string_view field) {
  std::string out;
  out.reserve(path.size() + 1 + field.size());
  out.append(path);
  if (!path.empty()) out.push_back('.');
  out.append(field);
  return out;
}

std::string Index(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

// A field's two accepted spellings: its JSON (lowerCamelCase) name and its
// proto (snake_case) name, which is also the name used in error paths.
struct FieldName {
  std::string_view json;
  std::string_view proto;
};

// One field of the message being read: which one (its index in the table),
// its value (never null: null means "unset" and is skipped) and its path.
struct Field {
  size_t index;
  std::string_view json_name;
  const json& value;
  std::string path;
};

// Visits every member of `obj` (an object); unknown keys are UnknownField at
// `path`, null values are skipped, the rest are passed to `on_field`.
template <size_t N, typename OnField>
Status ReadFields(const json& obj, std::string_view path, const FieldName (&fields)[N],
                  OnField&& on_field) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& key = it.key();
    size_t i = 0;
    while (i < N && key != fields[i].json && key != fields[i].proto) ++i;
    if (i == N) return errors::UnknownField(key, path);
    if (it.value().is_null()) continue;
    Status s = on_field(Field{i, fields[i].json, it.value(), Join(path, fields[i].proto)});
    if (!s.ok()) return s;
  }
  return Status();
}

Status ReadString(const Field& f, std::string& out) {
  if (!f.value.is_string()) return Invalid(f.path, kTypeString, f.value);
  out = f.value.get_ref<const std::string&>();
  return Status();
}

Status ReadBool(const Field& f, bool& out) {
  if (!f.value.is_boolean()) return Invalid(f.path, kTypeBool, f.value);
  out = f.value.get<bool>();
  return Status();
}

// An integer in [lo, hi] from a JSON number (an integral float is accepted, as
// protobuf does) or a decimal string.
std::optional<int64_t> ToInteger(const json& v, int64_t lo, int64_t hi) {
  int64_t n = 0;
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    n = v.get<int64_t>();
  } else if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    n = static_cast<int64_t>(u);
  } else if (v.is_number_float()) {
    double d = v.get<double>();
    // 2^63 is exactly representable; every double below it fits int64.
    if (!std::isfinite(d) || d != std::trunc(d) || d < -9223372036854775808.0 ||
        d >= 9223372036854775808.0) {
      return std::nullopt;
    }
    n = static_cast<int64_t>(d);
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (n < lo || n > hi) return std::nullopt;
  return n;
}

Status ReadInt32(const Field& f, int32_t& out) {
  auto n =
      ToInteger(f.value, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  if (!n) return Invalid(f.path, kTypeInt32, f.value);
  out = static_cast<int32_t>(*n);
  return Status();
}

Status ReadInt64(const Field& f, int64_t& out) {
  auto n =
      ToInteger(f.value, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  if (!n) return Invalid(f.path, kTypeInt64, f.value);
  out = *n;
  return Status();
}

// A JSON number, "NaN", "Infinity", "-Infinity", or a number in a string.
Status ReadDouble(const Field& f, double& out) {
  if (f.value.is_number()) {
    out = f.value.get<double>();
    return Status();
  }
  if (f.value.is_string()) {
    const std::string& s = f.value.get_ref<const std::string&>();
    if (s == "NaN") {
      out = std::numeric_limits<double>::quiet_NaN();
      return Status();
    }
    if (s == "Infinity" || s == "-Infinity") {
      out = s[0] == '-' ? -std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::infinity();
      return Status();
    }
    // from_chars would also take "inf" and "nan": require a digit first.
    size_t digit = !s.empty() && s[0] == '-' ? 1 : 0;
    if (digit < s.size() && s[digit] >= '0' && s[digit] <= '9') {
      double d = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec == std::errc{} && p == s.data() + s.size()) {
        out = d;
        return Status();
      }
    }
  }
  return Invalid(f.path, kTypeDouble, f.value);
}

template <typename E>
Status ReadEnum(const Field& f, E& out) {
  std::optional<E> e;
  if (f.value.is_string()) {
    e = EnumFromName<E>(f.value.get_ref<const std::string&>());
  } else if (f.value.is_number_integer()) {
    if (f.value.is_number_unsigned()) {
      auto u = f.value.get<uint64_t>();
      if (u <= 1000) e = EnumFromNumber<E>(static_cast<long long>(u));
    } else {
      e = EnumFromNumber<E>(f.value.get<int64_t>());
    }
  }
  if (!e) return Invalid(f.path, kTypeEnum, f.value);
  out = *e;
  return Status();
}

// "Field 'createTime', <problem>", the value part of Google's answer for a
// malformed well-known type.
std::string WellKnownProblem(std::string_view json_name, std::string_view problem) {
  return "Field '" + std::string(json_name) + "', " + std::string(problem);
}

bool HasZoneSuffix(std::string_view s) {
  if (s.empty()) return false;
  if (s.back() == 'Z' || s.back() == 'z') return true;
  // "+hh:mm" / "-hh:mm"
  return s.size() >= 6 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-') &&
         s[s.size() - 3] == ':';
}

Status ReadTimestamp(const Field& f, std::optional<Timestamp>& out) {
  if (!f.value.is_string()) {
    return errors::InvalidValue(
        f.path, kTypeTimestamp,
        WellKnownProblem(f.json_name,
                         "Invalid data type for timestamp, value is " + Dump(f.value)));
  }
  const std::string& s = f.value.get_ref<const std::string&>();
  auto t = ParseTimestamp(s);
  if (!t) {
    return errors::InvalidValue(
        f.path, kTypeTimestamp,
        WellKnownProblem(f.json_name, HasZoneSuffix(s)
                                          ? "Invalid time format: Failed to parse input"
                                          : "Illegal timestamp format; timestamps must end with "
                                            "'Z' or have a valid timezone offset."));
  }
  out = *t;
  return Status();
}

Status ReadDuration(const Field& f, std::optional<Duration>& out) {
  if (!f.value.is_string()) {
    return errors::InvalidValue(
        f.path, kTypeDuration,
        WellKnownProblem(f.json_name, "Invalid data type for duration, value is " + Dump(f.value)));
  }
  const std::string& s = f.value.get_ref<const std::string&>();
  auto d = ParseDuration(s);
  if (!d) {
    return errors::InvalidValue(
        f.path, kTypeDuration,
        WellKnownProblem(f.json_name, !s.empty() && s.back() == 's'
                                          ? "Illegal duration format"
                                          : "Illegal duration format; duration must end with 's'"));
  }
  out = *d;
  return Status();
}

// Reads a message-typed field with `read(object, path, message)`; a present
// message is set even when it is empty.
template <typename T, typename Read>
Status ReadMessage(const Field& f, std::optional<T>& out, Read read) {
  if (!f.value.is_object()) return Invalid(f.path, kTypeMessage, f.value);
  T message{};
  Status s = read(f.value, f.path, message);
  if (!s.ok()) return s;
  out = std::move(message);
  return Status();
}

template <typename T, typename Read>
Status ReadRepeatedMessage(const Field& f, std::vector<T>& out, Read read) {
  if (!f.value.is_array()) return Invalid(f.path, kTypeMessage, f.value);
  out.clear();
  out.reserve(f.value.size());
  for (size_t i = 0; i < f.value.size(); ++i) {
    const json& element = f.value[i];
    std::string path = Index(f.path, i);
    if (!element.is_object()) return Invalid(path, kTypeMessage, element);
    T message{};
    Status s = read(element, path, message);
    if (!s.ok()) return s;
    out.push_back(std::move(message));
  }
  return Status();
}

Status ReadLabels(const Field& f, std::map<std::string, std::string>& out) {
  if (!f.value.is_object()) return Invalid(f.path, kTypeMessage, f.value);
  out.clear();
  size_t i = 0;
  for (auto it = f.value.begin(); it != f.value.end(); ++it, ++i) {
    if (!it.value().is_string()) {
      return Invalid(Index(f.path, i) + ".value", kTypeString, it.value());
    }
    out[it.key()] = it.value().get_ref<const std::string&>();
  }
  return Status();
}

// proto's ToJsonName: drop each '_' and upper-case the letter after it.
std::string SnakeToCamel(const std::string& key) {
  if (key.find('_') == std::string::npos) return key;
  std::string out;
  out.reserve(key.size());
  bool upper = false;
  for (char c : key) {
    if (c == '_') {
      upper = true;
    } else if (upper) {
      out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
      upper = false;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// CustomJobSpec is stored as JSON, not as a typed message: every object key is
// renamed snake_case -> lowerCamelCase (what a proto round trip would print),
// nulls are dropped (members and list elements: proto3 has no null values),
// and nothing inside is checked against the CustomJobSpec schema. Recursion is
// bounded by the depth limit ParseJsonText enforces.
json NormalizeCustomJobSpec(const json& value) {
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it.value().is_null()) continue;
      out[SnakeToCamel(it.key())] = NormalizeCustomJobSpec(it.value());
    }
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const json& element : value) {
      if (!element.is_null()) out.push_back(NormalizeCustomJobSpec(element));
    }
    return out;
  }
  return value;
}

Status ReadCustomJobSpec(const Field& f, json& out) {
  if (!f.value.is_object()) return Invalid(f.path, kTypeMessage, f.value);
  out = NormalizeCustomJobSpec(f.value);
  return Status();
}

// A google.protobuf.Any: kept as sent.
Status ReadAny(const Field& f, json& out) {
  if (!f.value.is_object()) return Invalid(f.path, kTypeMessage, f.value);
  out = f.value;
  return Status();
}

// --- Messages ----------------------------------------------------------------

Status ReadStatusMessage(const json& obj, std::string_view path, RpcStatus& out) {
  static constexpr FieldName kFields[] = {
      {"code", "code"}, {"message", "message"}, {"details", "details"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    switch (f.index) {
      case 0:
        return ReadInt32(f, out.code);
      case 1:
        return ReadString(f, out.message);
      default: {
        if (!f.value.is_array()) return Invalid(f.path, kTypeMessage, f.value);
        for (size_t i = 0; i < f.value.size(); ++i) {
          if (!f.value[i].is_object()) return Invalid(Index(f.path, i), kTypeMessage, f.value[i]);
        }
        out.details = f.value;
        return Status();
      }
    }
  });
}

Status ReadMetric(const json& obj, std::string_view path, Metric& out) {
  static constexpr FieldName kFields[] = {{"metricId", "metric_id"}, {"value", "value"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    return f.index == 0 ? ReadString(f, out.metric_id) : ReadDouble(f, out.value);
  });
}

Status ReadMeasurement(const json& obj, std::string_view path, Measurement& out) {
  static constexpr FieldName kFields[] = {
      {"elapsedDuration", "elapsed_duration"}, {"stepCount", "step_count"}, {"metrics", "metrics"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    switch (f.index) {
      case 0:
        return ReadDuration(f, out.elapsed_duration);
      case 1:
        return ReadInt64(f, out.step_count);
      default:
        return ReadRepeatedMessage(f, out.metrics, ReadMetric);
    }
  });
}

Status ReadTrial(const json& obj, std::string_view path, NasTrial& out) {
  static constexpr FieldName kFields[] = {{"id", "id"},
                                          {"state", "state"},
                                          {"finalMeasurement", "final_measurement"},
                                          {"startTime", "start_time"},
                                          {"endTime", "end_time"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    switch (f.index) {
      case 0:
        return ReadString(f, out.id);
      case 1:
        return ReadEnum(f, out.state);
      case 2:
        return ReadMessage(f, out.final_measurement, ReadMeasurement);
      case 3:
        return ReadTimestamp(f, out.start_time);
      default:
        return ReadTimestamp(f, out.end_time);
    }
  });
}

Status ReadMultiTrialJobOutput(const json& obj, std::string_view path, NasJobOutput& out) {
  static constexpr FieldName kFields[] = {{"searchTrials", "search_trials"},
                                          {"trainTrials", "train_trials"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    return ReadRepeatedMessage(f, f.index == 0 ? out.search_trials : out.train_trials, ReadTrial);
  });
}

// NasJobOutput { oneof output { MultiTrialJobOutput multi_trial_job_output } }:
// the model flattens the oneof, so `{}` and `{"multiTrialJobOutput":{}}` read alike.
Status ReadNasJobOutput(const json& obj, std::string_view path, NasJobOutput& out) {
  static constexpr FieldName kFields[] = {{"multiTrialJobOutput", "multi_trial_job_output"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    if (!f.value.is_object()) return Invalid(f.path, kTypeMessage, f.value);
    return ReadMultiTrialJobOutput(f.value, f.path, out);
  });
}

Status ReadMetricSpec(const json& obj, std::string_view path, MetricSpec& out) {
  static constexpr FieldName kFields[] = {{"metricId", "metric_id"}, {"goal", "goal"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    return f.index == 0 ? ReadString(f, out.metric_id) : ReadEnum(f, out.goal);
  });
}

Status ReadSearchTrialSpec(const json& obj, std::string_view path, SearchTrialSpec& out) {
  static constexpr FieldName kFields[] = {{"searchTrialJobSpec", "search_trial_job_spec"},
                                          {"maxTrialCount", "max_trial_count"},
                                          {"maxParallelTrialCount", "max_parallel_trial_count"},
                                          {"maxFailedTrialCount", "max_failed_trial_count"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    switch (f.index) {
      case 0:
        return ReadCustomJobSpec(f, out.search_trial_job_spec);
      case 1:
        return ReadInt32(f, out.max_trial_count);
      case 2:
        return ReadInt32(f, out.max_parallel_trial_count);
      default:
        return ReadInt32(f, out.max_failed_trial_count);
    }
  });
}

Status ReadTrainTrialSpec(const json& obj, std::string_view path, TrainTrialSpec& out) {
  static constexpr FieldName kFields[] = {{"trainTrialJobSpec", "train_trial_job_spec"},
                                          {"maxParallelTrialCount", "max_parallel_trial_count"},
                                          {"frequency", "frequency"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    switch (f.index) {
      case 0:
        return ReadCustomJobSpec(f, out.train_trial_job_spec);
      case 1:
        return ReadInt32(f, out.max_parallel_trial_count);
      default:
        return ReadInt32(f, out.frequency);
    }
  });
}

Status ReadMultiTrialAlgorithmSpec(const json& obj, std::string_view path,
                                   MultiTrialAlgorithmSpec& out) {
  static constexpr FieldName kFields[] = {{"multiTrialAlgorithm", "multi_trial_algorithm"},
                                          {"metric", "metric"},
                                          {"searchTrialSpec", "search_trial_spec"},
                                          {"trainTrialSpec", "train_trial_spec"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    switch (f.index) {
      case 0:
        return ReadEnum(f, out.multi_trial_algorithm);
      case 1:
        return ReadMessage(f, out.metric, ReadMetricSpec);
      case 2:
        return ReadMessage(f, out.search_trial_spec, ReadSearchTrialSpec);
      default:
        return ReadMessage(f, out.train_trial_spec, ReadTrainTrialSpec);
    }
  });
}

Status ReadNasJobSpec(const json& obj, std::string_view path, NasJobSpec& out) {
  static constexpr FieldName kFields[] = {{"searchSpaceSpec", "search_space_spec"},
                                          {"multiTrialAlgorithmSpec", "multi_trial_algorithm_spec"},
                                          {"resumeNasJobId", "resume_nas_job_id"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    switch (f.index) {
      case 0:
        return ReadString(f, out.search_space_spec);
      case 1:
        return ReadMessage(f, out.multi_trial_algorithm_spec, ReadMultiTrialAlgorithmSpec);
      default:
        return ReadString(f, out.resume_nas_job_id);
    }
  });
}

Status ReadEncryptionSpec(const json& obj, std::string_view path, EncryptionSpec& out) {
  static constexpr FieldName kFields[] = {{"kmsKeyName", "kms_key_name"}};
  return ReadFields(obj, path, kFields,
                    [&](const Field& f) -> Status { return ReadString(f, out.kms_key_name); });
}

Status ReadNasJob(const json& obj, std::string_view path, NasJob& out) {
  static constexpr FieldName kFields[] = {
      {"name", "name"},
      {"displayName", "display_name"},
      {"nasJobSpec", "nas_job_spec"},
      {"nasJobOutput", "nas_job_output"},
      {"state", "state"},
      {"createTime", "create_time"},
      {"startTime", "start_time"},
      {"endTime", "end_time"},
      {"updateTime", "update_time"},
      {"error", "error"},
      {"labels", "labels"},
      {"encryptionSpec", "encryption_spec"},
      {"enableRestrictedImageTraining", "enable_restricted_image_training"},
      {"satisfiesPzs", "satisfies_pzs"},
      {"satisfiesPzi", "satisfies_pzi"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    switch (f.index) {
      case 0:
        return ReadString(f, out.name);
      case 1:
        return ReadString(f, out.display_name);
      case 2:
        return ReadMessage(f, out.nas_job_spec, ReadNasJobSpec);
      case 3:
        return ReadMessage(f, out.nas_job_output, ReadNasJobOutput);
      case 4:
        return ReadEnum(f, out.state);
      case 5:
        return ReadTimestamp(f, out.create_time);
      case 6:
        return ReadTimestamp(f, out.start_time);
      case 7:
        return ReadTimestamp(f, out.end_time);
      case 8:
        return ReadTimestamp(f, out.update_time);
      case 9:
        return ReadMessage(f, out.error, ReadStatusMessage);
      case 10:
        return ReadLabels(f, out.labels);
      case 11:
        return ReadMessage(f, out.encryption_spec, ReadEncryptionSpec);
      case 12:
        return ReadBool(f, out.enable_restricted_image_training);
      case 13:
        return ReadBool(f, out.satisfies_pzs);
      default:
        return ReadBool(f, out.satisfies_pzi);
    }
  });
}

Status ReadNasTrialDetail(const json& obj, std::string_view path, NasTrialDetail& out) {
  static constexpr FieldName kFields[] = {{"name", "name"},
                                          {"parameters", "parameters"},
                                          {"searchTrial", "search_trial"},
                                          {"trainTrial", "train_trial"}};
  return ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    switch (f.index) {
      case 0:
        return ReadString(f, out.name);
      case 1:
        return ReadString(f, out.parameters);
      case 2:
        return ReadMessage(f, out.search_trial, ReadTrial);
      default:
        return ReadMessage(f, out.train_trial, ReadTrial);
    }
  });
}

// Operation { name, metadata (Any), done, oneof result { error, response (Any) } }.
// Both members of the oneof set (neither null) is INVALID_ARGUMENT, as in proto3 JSON.
Status ReadOperation(const json& obj, std::string_view path, Operation& out) {
  static constexpr FieldName kFields[] = {{"name", "name"},
                                          {"metadata", "metadata"},
                                          {"done", "done"},
                                          {"error", "error"},
                                          {"response", "response"}};
  Status s = ReadFields(obj, path, kFields, [&](const Field& f) -> Status {
    switch (f.index) {
      case 0:
        return ReadString(f, out.name);
      case 1:
        return ReadAny(f, out.metadata);
      case 2:
        return ReadBool(f, out.done);
      case 3:
        return ReadMessage(f, out.error, ReadStatusMessage);
      default:
        return ReadAny(f, out.response);
    }
  });
  if (s.ok() && out.error && !out.response.is_null()) {
    return errors::OneofAlreadySet("result", "response");
  }
  return s;
}

// The request-level entry point: the value must be an object.
template <typename T, typename Read>
StatusOr<T> ReadTop(const json& value, std::string_view path, Read read) {
  if (!value.is_object()) {
    if (path.empty()) return errors::RootNotObject();
    return Invalid(std::string(path), kTypeMessage, value);
  }
  T out{};
  Status s = read(value, path, out);
  if (!s.ok()) return s;
  return out;
}

}  // namespace

StatusOr<NasJob> NasJobFromJson(const nlohmann::json& value, std::string_view path) {
  return ReadTop<NasJob>(value, path, ReadNasJob);
}

StatusOr<NasTrialDetail> NasTrialDetailFromJson(const nlohmann::json& value,
                                                std::string_view path) {
  return ReadTop<NasTrialDetail>(value, path, ReadNasTrialDetail);
}

StatusOr<Operation> OperationFromJson(const nlohmann::json& value, std::string_view path) {
  return ReadTop<Operation>(value, path, ReadOperation);
}

}  // namespace nasfake::model
