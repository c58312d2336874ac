// Properties of the proto3 JSON mapping: every NasJob survives a round trip
// through its JSON text, with enums by name or by number, and with snake_case
// keys; ParseJsonText accepts exactly what RFC 8259 does (an independent
// reference check, and nlohmann as a second opinion); encoded strings round-trip.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "fake/model/json_mapping.h"
#include "fake/model/json_text.h"
#include "fake/model/json_writer.h"
#include "fake/utf8.h"

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

// --- RFC 8259, independently ---------------------------------------------------
//
// A reference check written from the RFC's grammar (§2-§8) and RFC 3629's
// UTF-8 table, sharing no code with ParseJsonText: recursive descent, plus
// the two limits ParseJsonText sets (nesting at most kMaxJsonDepth, numbers
// within the range of a double).
class Rfc8259 {
 public:
  static bool Accepts(std::string_view text) {
    Rfc8259 r(text);
    r.Ws();
    if (!r.Value(0)) return false;
    r.Ws();
    return r.i_ == text.size();
  }

 private:
  explicit Rfc8259(std::string_view s) : s_(s) {}

  bool At(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool Eat(char c) {
    if (!At(c)) return false;
    ++i_;
    return true;
  }
  bool Digit() const { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; }
  void Ws() {  // §2: space, horizontal tab, line feed, carriage return
    while (At(' ') || At('\t') || At('\n') || At('\r')) ++i_;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  bool Value(int depth) {
    if (At('{') || At('[')) {
      if (depth >= kMaxJsonDepth) return false;
      return At('{') ? Object(depth + 1) : Array(depth + 1);
    }
    if (At('"')) return String();
    if (At('-') || Digit()) return Number();
    return Literal("true") || Literal("false") || Literal("null");
  }
  bool Object(int depth) {  // §4: '{' [ member *( ',' member ) ] '}'
    ++i_;
    Ws();
    if (Eat('}')) return true;
    while (true) {
      Ws();
      if (!At('"') || !String()) return false;
      Ws();
      if (!Eat(':')) return false;
      Ws();
      if (!Value(depth)) return false;
      Ws();
      if (Eat('}')) return true;
      if (!Eat(',')) return false;
    }
  }
  bool Array(int depth) {  // §5: '[' [ value *( ',' value ) ] ']'
    ++i_;
    Ws();
    if (Eat(']')) return true;
    while (true) {
      Ws();
      if (!Value(depth)) return false;
      Ws();
      if (Eat(']')) return true;
      if (!Eat(',')) return false;
    }
  }
  // §6: [ '-' ] ( '0' / 1-9 *DIGIT ) [ '.' 1*DIGIT ] [ e [ + / - ] 1*DIGIT ], and
  // (§9's leave to limit the range, which ParseJsonText takes) within a double.
  bool Number() {
    const size_t start = i_;
    Eat('-');
    if (Eat('0')) {
    } else if (Digit()) {
      while (Digit()) ++i_;
    } else {
      return false;
    }
    if (Eat('.')) {
      if (!Digit()) return false;
      while (Digit()) ++i_;
    }
    if (Eat('e') || Eat('E')) {
      if (!Eat('+')) Eat('-');
      if (!Digit()) return false;
      while (Digit()) ++i_;
    }
    return !std::isinf(std::strtod(std::string(s_.substr(start, i_ - start)).c_str(), nullptr));
  }
  std::optional<unsigned> Hex4() {
    if (i_ + 4 > s_.size()) return std::nullopt;
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      unsigned d = c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : 16;
      if (d == 16) return std::nullopt;
      v = v * 16 + d;
    }
    return v;
  }
  bool String() {  // §7, with §8.2: escapes must denote Unicode scalar values
    ++i_;
    while (true) {
      if (i_ >= s_.size()) return false;
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        ++i_;
        if (i_ >= s_.size()) return false;
        char e = s_[i_++];
        if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) continue;
        if (e != 'u') return false;
        auto u = Hex4();
        if (!u) return false;
        if (*u >= 0xDC00 && *u <= 0xDFFF) return false;
        if (*u >= 0xD800 && *u <= 0xDBFF) {
          if (!Eat('\\') || !Eat('u')) return false;
          auto low = Hex4();
          if (!low || *low < 0xDC00 || *low > 0xDFFF) return false;
        }
        continue;
      }
      if (c < 0x80) {
        ++i_;
        continue;
      }
      if (!Utf8Char()) return false;
    }
  }
  bool Utf8Char() {  // RFC 3629 §4: the well-formed sequences, nothing else
    auto b = [&](size_t k) { return static_cast<unsigned char>(s_[i_ + k]); };
    auto in = [](unsigned char x, int lo, int hi) { return x >= lo && x <= hi; };
    const size_t left = s_.size() - i_;
    const unsigned char c = b(0);
    size_t len = 0;
    if (in(c, 0xC2, 0xDF)) {
      len = left >= 2 && in(b(1), 0x80, 0xBF) ? 2 : 0;
    } else if (c == 0xE0) {
      len = left >= 3 && in(b(1), 0xA0, 0xBF) && in(b(2), 0x80, 0xBF) ? 3 : 0;
    } else if (in(c, 0xE1, 0xEC) || in(c, 0xEE, 0xEF)) {
      len = left >= 3 && in(b(1), 0x80, 0xBF) && in(b(2), 0x80, 0xBF) ? 3 : 0;
    } else if (c == 0xED) {
      len = left >= 3 && in(b(1), 0x80, 0x9F) && in(b(2), 0x80, 0xBF) ? 3 : 0;
    } else if (c == 0xF0) {
      len =
          left >= 4 && in(b(1), 0x90, 0xBF) && in(b(2), 0x80, 0xBF) && in(b(3), 0x80, 0xBF) ? 4 : 0;
    } else if (in(c, 0xF1, 0xF3)) {
      len =
          left >= 4 && in(b(1), 0x80, 0xBF) && in(b(2), 0x80, 0xBF) && in(b(3), 0x80, 0xBF) ? 4 : 0;
    } else if (c == 0xF4) {
      len =
          left >= 4 && in(b(1), 0x80, 0x8F) && in(b(2), 0x80, 0xBF) && in(b(3), 0x80, 0xBF) ? 4 : 0;
    }
    i_ += len;
    return len != 0;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// Bytes a JSON text is likely to trip on: structure, number and escape
// characters, every control character, whitespace RFC 8259 does not allow,
// and pieces of (in)valid UTF-8.
rc::Gen<std::string> GenJsonish() {
  auto piece = gen::weightedOneOf<std::string>({
      {6, gen::element<std::string>("{", "}", "[", "]", ",", ":", "\"", "\\", " ", "\n", "0", "1",
                                    "-", "+", ".", "e", "E", "a", "true", "null", "false", "NaN",
                                    "\"k\":", "\\u", "\\ud800", "\\udc00", "\\u0041", "\\n", "\\x",
                                    "\xEF\xBB\xBF", "\f", "\v", "\xC2\xA0")},
      {2,
       gen::map(gen::inRange(0, 0x20), [](int c) { return std::string(1, static_cast<char>(c)); })},
      {2, gen::map(gen::inRange(0x80, 0x100),
                   [](int c) { return std::string(1, static_cast<char>(c)); })},
      {1, gen::element<std::string>("\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xED\xA0\x80",
                                    "\xC0\xAF", "\xF4\x90\x80\x80", "\xE2\x82")},
  });
  return gen::map(gen::container<std::vector<std::string>>(piece),
                  [](const std::vector<std::string>& pieces) {
                    std::string s;
                    for (const auto& p : pieces) s += p;
                    return s;
                  });
}

// A valid document with one piece of GenJsonish put in, over or in place of a
// byte: most are near-misses, which is where a scanner and the RFC can differ.
rc::Gen<std::string> GenNearMiss() {
  return gen::exec([] {
    std::string text = GenJsonValue(3).dump();
    const size_t pos = *gen::inRange<size_t>(0, text.size() + 1);
    const std::string piece = *GenJsonish();
    switch (*gen::inRange(0, 3)) {
      case 0:
        text.insert(pos, piece);
        break;
      case 1:
        if (pos < text.size()) text.erase(pos, 1);
        break;
      default:
        if (pos < text.size()) text.replace(pos, 1, piece);
    }
    return text;
  });
}

void CheckAgainstTheRfc(const std::string& text) {
  const bool valid = Rfc8259::Accepts(text);
  auto ours = ParseJsonText(text);
  RC_CLASSIFY(valid, "valid JSON");
  RC_ASSERT(ours.ok() == valid);
  if (valid) {
    RC_ASSERT(*ours == json::parse(text));
  } else {
    RC_ASSERT(ours.status().code() == StatusCode::kInvalidArgument);
    RC_ASSERT(ours.status().message().rfind("Invalid JSON payload received. ", 0) == 0);
  }
}

RC_GTEST_PROP(ParseJsonTextProperty, AcceptsExactlyWhatRfc8259AcceptsOnRandomBytes, ()) {
  CheckAgainstTheRfc(*GenJsonish());
}

RC_GTEST_PROP(ParseJsonTextProperty, AcceptsExactlyWhatRfc8259AcceptsOnNearMisses, ()) {
  CheckAgainstTheRfc(*GenNearMiss());
}

// nlohmann::json::accept is a second opinion, and it agrees but for three
// points, checked rather than assumed: it skips a UTF-8 BOM at the start (RFC
// 8259 §8.1 lets a parser ignore one; ParseJsonText refuses it, as protobuf's
// parser does), it takes a NUL byte outside a string for the end of the input
// (so it accepts "null\0"; ParseJsonText never lets nlohmann see such text),
// and it has no depth limit (the documents here are shallower than kMaxJsonDepth).
RC_GTEST_PROP(ParseJsonTextProperty, AgreesWithNlohmannAcceptButForABomOrANul, ()) {
  const std::string text = *gen::oneOf(GenJsonish(), GenNearMiss());
  RC_PRE(text.rfind("\xEF\xBB\xBF", 0) != 0 && text.find('\0') == std::string::npos);
  RC_ASSERT(ParseJsonText(text).ok() == json::accept(text));
}

// Any string, encoded by the writer, parses back to itself: control
// characters, quotes, backslashes and every plane of Unicode.
RC_GTEST_PROP(ParseJsonTextProperty, EncodedStringsRoundTrip, ()) {
  const std::string s = *GenString();
  std::string text;
  AppendJsonString(text, s);
  auto parsed = ParseJsonText(text);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(parsed->get<std::string>() == s);
  NasJob job;
  job.display_name = s;
  job.labels[s] = s;
  RC_ASSERT(Reparse(ToJson(job)) == job);
}

RC_GTEST_PROP(ParseJsonTextProperty, AnyBytesEncodedParseBack, ()) {
  const std::string bytes = *gen::container<std::string>(gen::arbitrary<char>());
  std::string text;
  AppendJsonString(text, bytes);
  RC_ASSERT(Rfc8259::Accepts(text));
  auto parsed = ParseJsonText(text);
  RC_ASSERT(parsed.ok());
  const std::string& back = parsed->get_ref<const std::string&>();
  // Well-formed bytes come back as they were; ill-formed ones as U+FFFD.
  RC_ASSERT(back == ValidUtf8(bytes));
}

}  // namespace
}  // namespace nasfake::model
