// Properties of the proto3 JSON mapping: every NasJob survives a round trip
// through its JSON text, with enums by name or by number, and with snake_case
// keys; ParseJsonText agrees with nlohmann on what is JSON.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "fake/model/json_mapping.h"
#include "fake/model/json_text.h"

namespace nasfake::model {

// Shown by RapidCheck for a failing case.
static void showValue(const NasJob& job, std::ostream& os) { os << ToJson(job); }

namespace {

using nlohmann::json;
namespace gen = rc::gen;

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Valid UTF-8 with plenty of characters that need escaping.
rc::Gen<std::string> GenString() {
  auto code_point = gen::weightedOneOf<uint32_t>({
      {8, gen::inRange<uint32_t>(0x20, 0x7F)},
      {1, gen::inRange<uint32_t>(0, 0x20)},
      {1, gen::element<uint32_t>('"', '\\', '/')},
      {1, gen::inRange<uint32_t>(0x80, 0x800)},
      {1, gen::inRange<uint32_t>(0x800, 0xD800)},
      {1, gen::inRange<uint32_t>(0xE000, 0x110000)},
  });
  return gen::map(gen::container<std::vector<uint32_t>>(code_point),
                  [](const std::vector<uint32_t>& cps) {
                    std::string s;
                    for (uint32_t cp : cps) AppendUtf8(s, cp);
                    return s;
                  });
}

// A lowerCamelCase identifier (what a CustomJobSpec key looks like after normalisation).
rc::Gen<std::string> GenCamelKey() {
  return gen::map(gen::pair(gen::element<char>('a', 'm', 'x', 'z'),
                            gen::container<std::string>(
                                gen::oneOf(gen::inRange('a', 'z'), gen::inRange('A', 'Z')))),
                  [](const std::pair<char, std::string>& p) { return p.first + p.second; });
}

rc::Gen<double> GenDouble() {
  return gen::weightedOneOf<double>({
      {8, gen::suchThat(gen::arbitrary<double>(), [](double d) { return !std::isnan(d); })},
      {1, gen::element(0.0, -0.0, 0.1, 1e300, -1e-300, std::numeric_limits<double>::denorm_min(),
                       std::numeric_limits<double>::max())},
      {1, gen::element(std::numeric_limits<double>::infinity(),
                       -std::numeric_limits<double>::infinity())},
  });
}

// A small JSON value with camelCase keys and no nulls (a CustomJobSpec's contents).
json GenJsonValue(int depth) {
  switch (*gen::inRange(0, depth > 0 ? 7 : 5)) {
    case 0:
      return *GenString();
    case 1:
      return *gen::arbitrary<int64_t>();
    case 2:
      return *gen::arbitrary<bool>();
    case 3:
      return *gen::suchThat(gen::arbitrary<double>(), [](double d) { return std::isfinite(d); });
    case 4:
      return *gen::arbitrary<uint64_t>();
    case 5: {
      json a = json::array();
      for (int i = *gen::inRange(0, 4); i > 0; --i) a.push_back(GenJsonValue(depth - 1));
      return a;
    }
    default:
      return *gen::exec([depth] {
        json o = json::object();
        for (int i = *gen::inRange(0, 4); i > 0; --i) o[*GenCamelKey()] = GenJsonValue(depth - 1);
        return o;
      });
  }
}

rc::Gen<json> GenJsonObject(int depth) {
  return gen::exec([depth] {
    json o = json::object();
    for (int i = *gen::inRange(0, 4); i > 0; --i) o[*GenCamelKey()] = GenJsonValue(depth - 1);
    return o;
  });
}

// Any timestamp from 1970 to 9999 at microsecond precision.
rc::Gen<Timestamp> GenTimestamp() {
  return gen::map(gen::inRange<int64_t>(0, 253402300800000000),
                  [](int64_t us) { return Timestamp{std::chrono::microseconds{us}}; });
}

template <typename T>
std::optional<T> Maybe(const rc::Gen<T>& g) {
  if (*gen::arbitrary<bool>()) return *g;
  return std::nullopt;
}

template <typename E>
E GenEnum() {
  return static_cast<E>(*gen::inRange<int>(0, static_cast<int>(std::size(EnumTraits<E>::kNames))));
}

rc::Gen<NasTrial> GenTrial() {
  return gen::exec([] {
    NasTrial t;
    t.id = *GenString();
    t.state = GenEnum<TrialState>();
    t.final_measurement = Maybe(gen::exec([] {
      Measurement m;
      m.elapsed_duration =
          Maybe(gen::map(gen::inRange<int64_t>(-315576000000000000, 315576000000000001),
                         [](int64_t us) { return Duration{us}; }));
      m.step_count = *gen::arbitrary<int64_t>();
      m.metrics =
          *gen::container<std::vector<Metric>>(gen::construct<Metric>(GenString(), GenDouble()));
      return m;
    }));
    t.start_time = Maybe(GenTimestamp());
    t.end_time = Maybe(GenTimestamp());
    return t;
  });
}

rc::Gen<NasJob> GenNasJob() {
  return gen::exec([] {
    NasJob job;
    job.name = *GenString();
    job.display_name = *GenString();
    job.nas_job_spec = Maybe(gen::exec([] {
      NasJobSpec spec;
      spec.search_space_spec = *GenString();
      spec.resume_nas_job_id = *GenString();
      spec.multi_trial_algorithm_spec = Maybe(gen::exec([] {
        MultiTrialAlgorithmSpec a;
        a.multi_trial_algorithm = GenEnum<MultiTrialAlgorithm>();
        a.metric = Maybe(gen::exec([] { return MetricSpec{*GenString(), GenEnum<GoalType>()}; }));
        a.search_trial_spec = Maybe(gen::exec([] {
          SearchTrialSpec s;
          if (*gen::arbitrary<bool>()) s.search_trial_job_spec = *GenJsonObject(3);
          s.max_trial_count = *gen::arbitrary<int32_t>();
          s.max_parallel_trial_count = *gen::arbitrary<int32_t>();
          s.max_failed_trial_count = *gen::arbitrary<int32_t>();
          return s;
        }));
        a.train_trial_spec = Maybe(gen::exec([] {
          TrainTrialSpec t;
          if (*gen::arbitrary<bool>()) t.train_trial_job_spec = *GenJsonObject(3);
          t.max_parallel_trial_count = *gen::arbitrary<int32_t>();
          t.frequency = *gen::arbitrary<int32_t>();
          return t;
        }));
        return a;
      }));
      return spec;
    }));
    job.nas_job_output = Maybe(gen::exec([] {
      NasJobOutput out;
      out.search_trials = *gen::resize(8, gen::container<std::vector<NasTrial>>(GenTrial()));
      out.train_trials = *gen::resize(8, gen::container<std::vector<NasTrial>>(GenTrial()));
      return out;
    }));
    job.state = GenEnum<JobState>();
    job.create_time = Maybe(GenTimestamp());
    job.start_time = Maybe(GenTimestamp());
    job.end_time = Maybe(GenTimestamp());
    job.update_time = Maybe(GenTimestamp());
    job.error = Maybe(gen::exec([] {
      RpcStatus s;
      s.code = *gen::arbitrary<int32_t>();
      s.message = *GenString();
      for (int i = *gen::inRange(0, 3); i > 0; --i) {
        json detail = *GenJsonObject(2);
        detail["@type"] = "type.googleapis.com/" + *GenString();
        s.details.push_back(detail);
      }
      return s;
    }));
    job.labels = *gen::container<std::map<std::string, std::string>>(GenString(), GenString());
    job.encryption_spec = Maybe(gen::exec([] { return EncryptionSpec{*GenString()}; }));
    job.enable_restricted_image_training = *gen::arbitrary<bool>();
    job.satisfies_pzs = *gen::arbitrary<bool>();
    job.satisfies_pzi = *gen::arbitrary<bool>();
    return job;
  });
}

NasJob Reparse(const std::string& text) {
  auto parsed = ParseJsonText(text);
  RC_ASSERT(parsed.ok());
  auto job = NasJobFromJson(*parsed, "nas_job");
  if (!job.ok()) RC_FAIL(job.status().message());
  return *job;
}

std::string CamelToSnake(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z') {
      out.push_back('_');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// snake_case for every field name; CustomJobSpec contents, label keys and
// Any contents are data and stay as they are.
json SnakeKeys(const json& v) {
  if (v.is_array()) {
    json out = json::array();
    for (const auto& e : v) out.push_back(SnakeKeys(e));
    return out;
  }
  if (!v.is_object()) return v;
  json out = json::object();
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& k = it.key();
    bool opaque =
        k == "searchTrialJobSpec" || k == "trainTrialJobSpec" || k == "labels" || k == "details";
    out[CamelToSnake(k)] = opaque ? it.value() : SnakeKeys(it.value());
  }
  return out;
}

RC_GTEST_PROP(NasJobJsonProperty, ParseOfSerialiseIsIdentity, ()) {
  NasJob job = *GenNasJob();
  RC_ASSERT(Reparse(ToJson(job)) == job);
}

RC_GTEST_PROP(NasJobJsonProperty, ParseOfSerialiseWithIntegerEnumsIsIdentity, ()) {
  NasJob job = *GenNasJob();
  std::string text = ToJson(job, {.enums_as_ints = true});
  const json j = json::parse(text);
  if (j.contains("state")) RC_ASSERT(j["state"].is_number_integer());
  RC_ASSERT(Reparse(text) == job);
}

RC_GTEST_PROP(NasJobJsonProperty, SnakeCaseKeysParseToTheSameJob, ()) {
  NasJob job = *GenNasJob();
  json snake = SnakeKeys(json::parse(ToJson(job)));
  auto back = NasJobFromJson(snake, "nas_job");
  if (!back.ok()) RC_FAIL(back.status().message());
  RC_ASSERT(*back == job);
}

// Valid JSON (per nlohmann) is accepted and read identically; anything
// ParseJsonText refuses gets Google's prefix; anything it accepts beyond
// nlohmann is one of the kept leniencies (here: a trailing comma).
RC_GTEST_PROP(ParseJsonTextProperty, AgreesWithNlohmannOnMutatedDocuments, ()) {
  std::string text = GenJsonValue(3).dump();
  const int edit = *gen::inRange(0, 4);
  if (edit < 3) {
    const size_t pos = *gen::inRange<size_t>(0, text.size() + 1);
    const char c = *gen::element<char>('{', '}', '[', ']', ',', ':', '"', '\\', '1', '-', '.', 'e',
                                       't', 'n', ' ', 'x', '\xC3', '\x80');
    if (edit == 0) text.insert(pos, 1, c);
    if (edit == 1 && pos < text.size()) text.erase(pos, 1);
    if (edit == 2 && pos < text.size()) text[pos] = c;
  }
  auto ours = ParseJsonText(text);
  RC_CLASSIFY(json::accept(text), "valid JSON");
  if (json::accept(text)) {
    RC_ASSERT(ours.ok());
    RC_ASSERT(*ours == json::parse(text));
  } else if (ours.ok()) {
    bool trailing_comma = false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != ',') continue;
      size_t j = text.find_first_not_of(" \t\r\n", i + 1);
      if (j != std::string::npos && (text[j] == ']' || text[j] == '}')) trailing_comma = true;
    }
    RC_ASSERT(trailing_comma);
  } else {
    RC_ASSERT(ours.status().message().rfind("Invalid JSON payload received. ", 0) == 0);
  }
}

}  // namespace
}  // namespace nasfake::model
