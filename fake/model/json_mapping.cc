#include "fake/model/json_mapping.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>
#include <vector>

#include "fake/errors.h"
#include "fake/model/json_writer.h"
#include "fake/utf8.h"

namespace nasfake::model {
namespace {

using nlohmann::json;

// ===========================================================================
// Output
// ===========================================================================
//
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

// ===========================================================================
// Input
// ===========================================================================
//
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

// ===========================================================================
// ParseJsonText
// ===========================================================================
//
// A linear, non-recursive scan checks the whole text before nlohmann builds
// anything: syntax, nesting depth (at most kMaxJsonDepth arrays/objects) and
// UTF-8 inside strings (outside strings any byte >= 0x80 is a syntax error
// anyway). Its complaints use the wording of protobuf's JSON stream parser,
// which Google's front ends answer with ("Expected , or } after key:value
// pair.", "Unexpected end of string. Expected a value.", ...).
//
// Two leniencies of that parser are kept, by rewriting the text before
// nlohmann sees it: raw control characters inside strings (written back as
// \u00XX) and a trailing comma before '}' or ']'. Others (single quotes,
// unquoted keys) are not.

struct ScanError {
  size_t pos;
  std::string reason;
};

struct Edit {
  size_t pos;
  bool blank;  // true: a trailing comma, replaced by ' '; false: a raw control char
};

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

unsigned HexValue(std::string_view s, size_t i) {  // 4 hex digits at s[i]
  unsigned v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

bool IsUnicodeEscape(std::string_view s, size_t i) {  // "\uXXXX" at s[i]
  return i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u' && IsHex(s[i + 2]) &&
         IsHex(s[i + 3]) && IsHex(s[i + 4]) && IsHex(s[i + 5]);
}

// s[i] is the opening quote; on success i is just past the closing quote.
std::optional<ScanError> ScanString(std::string_view s, size_t& i, std::vector<Edit>& edits) {
  const size_t start = i++;
  const size_t n = s.size();
  while (true) {
    if (i >= n) return ScanError{start, "Closing quote expected in string."};
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      ++i;
      return std::nullopt;
    }
    if (c == '\\') {
      if (i + 1 >= n) return ScanError{start, "Closing quote expected in string."};
      const char e = s[i + 1];
      if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
          e == 't') {
        i += 2;
        continue;
      }
      if (e != 'u') return ScanError{i, "Invalid escape sequence."};
      if (i + 6 > n) return ScanError{i, "Illegal hex string."};
      if (!IsUnicodeEscape(s, i)) return ScanError{i, "Invalid escape sequence."};
      const unsigned code = HexValue(s, i + 2);
      if (code >= 0xD800 && code <= 0xDBFF) {
        if (!IsUnicodeEscape(s, i + 6)) return ScanError{i, "Missing low surrogate."};
        const unsigned low = HexValue(s, i + 8);
        if (low < 0xDC00 || low > 0xDFFF) return ScanError{i + 6, "Invalid low surrogate."};
        i += 12;
      } else if (code >= 0xDC00 && code <= 0xDFFF) {
        return ScanError{i, "Invalid unicode code point."};
      } else {
        i += 6;
      }
      continue;
    }
    if (c < 0x20) {
      edits.push_back({i, false});
      ++i;
    } else if (c < 0x80) {
      ++i;
    } else {
      const size_t len = Utf8SequenceLength(s, i);
      if (len == 0) return ScanError{i, "Encountered non UTF-8 code points."};
      i += len;
    }
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259 number grammar; s[i] is '-' or a digit.
std::optional<ScanError> ScanNumber(std::string_view s, size_t& i) {
  const size_t start = i;
  const size_t n = s.size();
  auto digits = [&] {
    size_t from = i;
    while (i < n && IsDigit(s[i])) ++i;
    return i > from;
  };
  const ScanError bad{start, "Unable to parse number."};
  if (s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return bad;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) return bad;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return bad;
  }
  // "01", "1.2.3", "1e5e5": protobuf reads the whole run of number characters.
  if (i < n &&
      (IsDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' || s[i] == '+' || s[i] == '-')) {
    return bad;
  }
  return std::nullopt;
}

enum class Expect {
  kValue,       // any value (top level, or after "key":)
  kArrayFirst,  // after '['
  kArrayNext,   // after ',' in an array
  kArrayMid,    // after an array element
  kKeyFirst,    // after '{'
  kKeyNext,     // after ',' in an object
  kColon,       // after a key
  kObjectMid,   // after a member value
  kEnd,         // after the top-level value
};

std::string_view ExpectedText(Expect e) {
  switch (e) {
    case Expect::kArrayFirst:
    case Expect::kArrayNext:
      return "Expected a value or ] within an array.";
    case Expect::kArrayMid:
      return "Expected , or ] after array value.";
    case Expect::kKeyFirst:
    case Expect::kKeyNext:
      return "Expected an object key or }.";
    case Expect::kColon:
      return "Expected : between key:value pair.";
    case Expect::kObjectMid:
      return "Expected , or } after key:value pair.";
    default:
      return "Expected a value.";
  }
}

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters protobuf's tokenizer recognises as some token; anything else
// where a value belongs is "Expected a value." rather than "Unexpected token.".
bool IsTokenStart(char c) {
  return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' || c == '_' ||
         c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::optional<ScanError> ScanJson(std::string_view s, std::vector<Edit>& edits) {
  const size_t n = s.size();
  std::string stack;  // 'o' / 'a' per open container; never longer than kMaxJsonDepth
  std::string_view last_key;
  size_t last_comma = 0;
  Expect expect = Expect::kValue;
  size_t i = 0;
  auto after_value = [&] {
    if (stack.empty()) {
      expect = Expect::kEnd;
    } else {
      expect = stack.back() == 'o' ? Expect::kObjectMid : Expect::kArrayMid;
    }
  };
  auto close = [&](Expect was) {
    if (was == Expect::kKeyNext || was == Expect::kArrayNext) edits.push_back({last_comma, true});
    stack.pop_back();
    ++i;
    after_value();
  };
  while (true) {
    while (i < n && IsWhitespace(s[i])) ++i;
    if (expect == Expect::kEnd) {
      if (i < n) return ScanError{i, "Parsing terminated before end of input."};
      return std::nullopt;
    }
    if (i >= n)
      return ScanError{n, "Unexpected end of string. " + std::string(ExpectedText(expect))};
    const char c = s[i];
    switch (expect) {
      case Expect::kKeyFirst:
      case Expect::kKeyNext:
        if (c == '}') {
          close(expect);
        } else if (c == '"') {
          const size_t start = i;
          if (auto err = ScanString(s, i, edits)) return err;
          last_key = s.substr(start + 1, i - start - 2);
          expect = Expect::kColon;
        } else {
          return ScanError{i, std::string(ExpectedText(expect))};
        }
        continue;
      case Expect::kColon:
        if (c != ':') return ScanError{i, std::string(ExpectedText(expect))};
        ++i;
        expect = Expect::kValue;
        continue;
      case Expect::kObjectMid:
      case Expect::kArrayMid:
        if (c == ',') {
          last_comma = i++;
          expect = expect == Expect::kObjectMid ? Expect::kKeyNext : Expect::kArrayNext;
        } else if (c == (expect == Expect::kObjectMid ? '}' : ']')) {
          close(expect);
        } else {
          return ScanError{i, std::string(ExpectedText(expect))};
        }
        continue;
      case Expect::kArrayFirst:
      case Expect::kArrayNext:
        if (c == ']') {
          close(expect);
          continue;
        }
        break;
      default:
        break;
    }
    // A value.
    if (c == '{' || c == '[') {
      if (stack.size() >= static_cast<size_t>(kMaxJsonDepth)) {
        return ScanError{i, "Message too deep. Max recursion depth reached for key '" +
                                std::string(last_key) + "'"};
      }
      stack.push_back(c == '{' ? 'o' : 'a');
      ++i;
      expect = c == '{' ? Expect::kKeyFirst : Expect::kArrayFirst;
      continue;
    }
    if (c == '"') {
      if (auto err = ScanString(s, i, edits)) return err;
    } else if (c == '-' || IsDigit(c)) {
      if (auto err = ScanNumber(s, i)) return err;
    } else if (s.substr(i, 4) == "true" || s.substr(i, 4) == "null") {
      i += 4;
    } else if (s.substr(i, 5) == "false") {
      i += 5;
    } else if (IsTokenStart(c)) {
      return ScanError{i, "Unexpected token."};
    } else {
      return ScanError{i, std::string(ExpectedText(expect))};
    }
    after_value();
  }
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The error with a snippet of the line it is on: up to kContext bytes either
// side of `pos`, cut at line ends and at character boundaries; control
// characters become spaces and invalid UTF-8 U+FFFD, so the caret (placed by
// counting characters) lines up.
Status Malformed(std::string_view s, size_t pos, std::string_view reason) {
  constexpr size_t kContext = 40;
  pos = std::min(pos, s.size());
  if (pos == s.size()) {  // at the end: point just after the last non-blank byte
    while (pos > 0 && IsWhitespace(s[pos - 1])) --pos;
  }
  auto line_break = [&](size_t k) { return s[k] == '\n' || s[k] == '\r'; };
  size_t begin = pos;
  while (begin > 0 && pos - begin < kContext && !line_break(begin - 1)) --begin;
  while (begin < pos && IsContinuation(s[begin])) ++begin;
  size_t end = pos;
  while (end < s.size() && end - pos < kContext && !line_break(end)) ++end;
  while (end > pos && end < s.size() && IsContinuation(s[end])) --end;

  std::string snippet;
  size_t column = 0;
  for (size_t k = begin; k < end;) {
    if (k < pos) ++column;
    const auto c = static_cast<unsigned char>(s[k]);
    if (c < 0x20 || c == 0x7F) {
      snippet.push_back(' ');
      ++k;
    } else if (c < 0x80) {
      snippet.push_back(static_cast<char>(c));
      ++k;
    } else {
      const size_t len = Utf8SequenceLength(s.substr(0, end), k);
      if (len == 0) {
        snippet.append("\xEF\xBF\xBD");
        ++k;
      } else {
        snippet.append(s.substr(k, len));
        k += len;
      }
    }
  }
  if (snippet.find_first_not_of(' ') == std::string::npos) snippet.clear();  // nothing to show
  return errors::MalformedJson(reason, snippet, column);
}

}  // namespace

// --- Public API ---------------------------------------------------------------

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

StatusOr<nlohmann::json> ParseJsonText(std::string_view text) {
  std::vector<Edit> edits;
  if (auto err = ScanJson(text, edits)) return Malformed(text, err->pos, err->reason);
  std::string rewritten;
  std::string_view input = text;
  if (!edits.empty()) {
    rewritten.reserve(text.size() + 5 * edits.size());
    size_t from = 0;
    for (const Edit& e : edits) {
      rewritten.append(text.substr(from, e.pos - from));
      if (e.blank) {
        rewritten.push_back(' ');
      } else {
        const auto c = static_cast<unsigned char>(text[e.pos]);
        const char esc[] = {
            '\\', 'u', '0', '0', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 0xF]};
        rewritten.append(esc, sizeof esc);
      }
      from = e.pos + 1;
    }
    rewritten.append(text.substr(from));
    input = rewritten;
  }
  try {
    return json::parse(input.begin(), input.end());
  } catch (const json::parse_error& e) {
    // The scan accepts only what nlohmann accepts; kept as a safety net.
    size_t pos = e.byte > 0 ? e.byte - 1 : 0;
    return Malformed(input, pos, "Unexpected token.");
  } catch (const json::exception&) {
    return Malformed(input, 0, "Unexpected token.");
  }
}

StatusOr<nlohmann::json> ReadJsonFile(const std::filesystem::path& path) {
  auto error = [&](std::string_view where, std::string_view what) {
    return Status(StatusCode::kInvalidArgument,
                  path.string() + ": " + std::string(where) + ": " + std::string(what));
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return error("(file)", "is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return error("(file)", "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return error("(file)", "cannot be read");
  auto document = ParseJsonText(text.str());
  if (!document.ok()) return error("(json)", document.status().message());
  return document;
}

}  // namespace nasfake::model
