// Scenario files (scenario_json.h): a strict reader and its inverse writer.
//
// The reader checks everything the schema says before returning: every key
// of every object must be one the schema names there, every value has the
// type and range its key requires, and the first violation is the error
// (INVALID_ARGUMENT "<origin>: <path>: <what is wrong; what was expected>").
// Paths use dots for keys, [i] for array elements and ["…"] for keys the
// document chooses (job names, header names): rules[2].action.fault,
// jobLifecycles["projects/1/locations/l/nasJobs/2"].queuedFor. A missing
// required key is reported at the path it should have had.
//
// Normalisations (the writer emits the normal form, so a round trip is exact):
//  - jobLifecycles: names canonicalised (model::ParseNasJobName: a project ID
//    becomes its number) and sorted; two keys naming one job are an error.
//  - header names (match.headers and answer headers) are lowercased, as
//    api::HeaderList stores them; two names equal but for case are an error.
//  - "sequence" with one action is stored as that action with times = 1 (a
//    single action without `times` applies every time; a sequence does not).
//  - every answer form ("error", "json", "body", the catalogue's "error":
//    NAME, "html") becomes a ScriptedAnswer; the writer emits the raw form
//    {"answer": {"status", "contentType", "headers", "body"}}.
//
// Headers may be written as an object {name: value} (its keys come out sorted)
// or, to keep an order, as an array of [name, value] pairs; the writer uses the
// object unless the names are not in sorted order.
#include "scenarios/scenario_json.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <sstream>

#include "fake/api/router.h"
#include "fake/errors.h"
#include "fake/model/enums.h"
#include "fake/model/json_file.h"
#include "fake/model/json_mapping.h"
#include "fake/model/resource_names.h"
#include "scenarios/answers.h"

namespace nasfake::scenarios {
namespace {

using nlohmann::json;
using Keys = std::vector<std::string_view>;

const Keys kRootKeys = {"name",       "description", "seed",  "lifecycle",   "jobLifecycles",
                        "operations", "pagination",  "rules", "randomFaults"};
const Keys kLifecycleKeys = {"queuedFor",       "pendingFor", "runningFor",   "cancellingFor",
                             "cancellingPolls", "outcome",    "failureError", "cancelEffect"};
const Keys kRuleKeys = {"id", "match", "after", "times", "action", "sequence"};
const Keys kMatchKeys = {"transport", "method", "operation", "resource", "headers", "body"};
const Keys kAnswerKeys = {"status", "error", "json", "body", "contentType", "headers"};
const Keys kActionKinds = {"pass", "answer", "error", "html", "fault", "delay", "hold"};
// The API's operations, as the router names them.
const Keys& Operations() { return api::OperationNames(); }
const Keys kCatalogueErrors = {"UNAVAILABLE", "RATE_LIMITED", "PERMISSION_DENIED",
                               "UNAUTHENTICATED", "NOT_FOUND"};
// The fault kinds, by their names in the one table (fake/api/wire_fault.h).
const Keys& FaultNames() {
  static const Keys names = [] {
    Keys out;
    for (const auto& row : api::kFaultKinds) out.push_back(row.name);
    return out;
  }();
  return names;
}

// The HTTP/2 error codes by name (RFC 9113 §7), for a fault's "code".
const Keys& Http2ErrorNames() {
  static const Keys names = [] {
    Keys out;
#define NASFAKE_H2_NAME(value, name) out.push_back(name);
    NASFAKE_HTTP2_ERROR_CODES(NASFAKE_H2_NAME)
#undef NASFAKE_H2_NAME
    return out;
  }();
  return names;
}

// "\"partial\" or \"dribble\"": the fault kinds for which `takes` holds.
template <typename Predicate>
std::string FaultsThat(Predicate takes) {
  std::string out;
  for (const auto& row : api::kFaultKinds) {
    if (!std::invoke(takes, row)) continue;
    if (!out.empty()) out += " or ";
    out += "\"" + std::string(row.name) + "\"";
  }
  return out;
}

// The schema violation that ends a read. Thrown only inside this file and
// caught by ScenarioFromJson, so that the reader can stop at any depth.
struct SchemaError {
  std::string path;
  std::string what;
};

[[noreturn]] void Fail(std::string path, std::string what) {
  throw SchemaError{std::move(path), std::move(what)};
}

std::string Join(Keys keys) {
  std::string out;
  for (auto key : keys) out += (out.empty() ? "" : ", ") + std::string(key);
  return out;
}

bool OneOf(std::string_view value, Keys keys) {
  return std::find(keys.begin(), keys.end(), value) != keys.end();
}

std::string Quoted(std::string_view s);

std::string Field(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string Item(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string Entry(const std::string& path, std::string_view key) {
  return path + "[" + Quoted(key) + "]";
}
std::string Shown(const std::string& path) { return path.empty() ? "(root)" : path; }

// JSON text of a value for messages; never throws (invalid UTF-8 is replaced).
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Quoted(std::string_view s) { return Dump(json(s)); }

// "got number" for the error messages.
std::string Got(const json& value) { return std::string("got ") + value.type_name(); }

// `value` must be an object whose keys are all in `allowed`.
void CheckObject(const json& value, const std::string& path, Keys allowed) {
  if (!value.is_object()) Fail(Shown(path), "expected an object, " + Got(value));
  for (const auto& [key, unused] : value.items()) {
    if (!OneOf(key, allowed)) {
      Fail(Field(path, key), "unknown key; expected one of " + Join(allowed));
    }
  }
}

const json* Find(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& Require(const json& object, const std::string& path, std::string_view key,
                    std::string_view expected) {
  const json* value = Find(object, key);
  if (value == nullptr) Fail(Field(path, key), "required; expected " + std::string(expected));
  return *value;
}

std::string ReadString(const json& value, const std::string& path, bool non_empty = false) {
  if (!value.is_string()) {
    Fail(path, std::string(non_empty ? "expected a non-empty string, " : "expected a string, ") +
                   Got(value));
  }
  std::string s = value.get<std::string>();
  if (non_empty && s.empty()) Fail(path, "expected a non-empty string");
  return s;
}

int64_t ReadInteger(const json& value, const std::string& path, int64_t min, int64_t max) {
  // Limits of the C++ field (int) are not part of the schema's wording.
  bool open_ended = max == std::numeric_limits<int64_t>::max() || max == INT_MAX;
  std::string expected =
      open_ended ? "expected an integer >= " + std::to_string(min)
                 : "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value.is_number_integer()) Fail(path, expected + ", " + Got(value));
  bool huge = value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(max);
  int64_t n = huge ? max : value.get<int64_t>();
  if (n < min) Fail(path, expected + ", got " + Dump(value));
  if (huge || n > max) {
    Fail(path, (open_ended ? "expected an integer <= " + std::to_string(max) : expected) +
                   ", got " + Dump(value));
  }
  return n;
}

std::string ReadEnum(const json& value, const std::string& path, Keys allowed) {
  std::string expected = "expected one of " + Join(allowed);
  if (!value.is_string()) Fail(path, expected + ", " + Got(value));
  std::string s = value.get<std::string>();
  if (!OneOf(s, allowed)) Fail(path, "unknown value " + Quoted(s) + "; " + expected);
  return s;
}

model::Duration ReadDuration(const json& value, const std::string& path) {
  constexpr std::string_view kExpected = "expected a duration >= 0s such as \"0.5s\"";
  if (!value.is_string()) Fail(path, std::string(kExpected) + ", " + Got(value));
  auto d = model::ParseDuration(value.get<std::string>());
  if (!d || d->count() < 0) Fail(path, std::string(kExpected) + ", got " + Dump(value));
  return *d;
}

// [{"@type": "…", …}, …], as google.rpc.Status.details.
json ReadDetails(const json& value, const std::string& path) {
  if (!value.is_array()) Fail(path, "expected an array of objects with \"@type\", " + Got(value));
  for (size_t i = 0; i < value.size(); ++i) {
    const json& d = value[i];
    if (!d.is_object()) Fail(Item(path, i), "expected an object with \"@type\", " + Got(d));
    ReadString(Require(d, Item(path, i), "@type", "a type URL string"),
               Field(Item(path, i), "@type"), true);
  }
  return value;
}

// A header name as api::HeaderList keeps it: lowercase, an HTTP token.
std::string HeaderName(std::string_view name, const std::string& path) {
  constexpr std::string_view kSeparators = "()<>@,;:\\\"/[]?={} \t";
  bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return c > 0x20 && c < 0x7f && kSeparators.find(c) == std::string_view::npos;
  });
  if (!ok) Fail(path, "expected an HTTP header name (letters, digits, '-' …)");
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::string HeaderValue(const json& value, const std::string& path) {
  std::string s = ReadString(value, path);
  if (s.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    Fail(path, "expected a header value without CR, LF or NUL");
  }
  return s;
}

// {name: value} or [[name, value], …]; names lowercased and unique.
// `answer`: framing headers and Content-Type are refused (the transport sets
// them; the content type has its own key).
api::HeaderList ReadHeaders(const json& value, const std::string& path, bool answer) {
  std::vector<std::pair<std::string, const json*>> raw;
  if (value.is_object()) {
    for (const auto& [name, v] : value.items()) raw.emplace_back(name, &v);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      const json& pair = value[i];
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string()) {
        Fail(Item(path, i), "expected a [name, value] pair of strings");
      }
      raw.emplace_back(pair[0].get<std::string>(), &pair[1]);
    }
  } else {
    Fail(path, "expected an object of header name to value (or an array of [name, value]), " +
                   Got(value));
  }
  api::HeaderList headers;
  for (size_t i = 0; i < raw.size(); ++i) {
    const auto& [name, v] = raw[i];
    std::string where = value.is_object() ? Entry(path, name) : Item(path, i);
    std::string lower = HeaderName(name, where);
    if (answer && (lower == "content-length" || lower == "transfer-encoding" ||
                   lower == "connection" || lower == "keep-alive")) {
      Fail(where, "the transport sets this header; it cannot be scripted");
    }
    if (answer && lower == "content-type") Fail(where, "use the answer's \"contentType\" key");
    for (const auto& [seen, unused] : headers) {
      if (seen == lower) Fail(where, "header " + Quoted(lower) + " given twice");
    }
    headers.emplace_back(lower, HeaderValue(*v, value.is_object() ? where : Item(where, 1)));
  }
  return headers;
}

// --- Lifecycle ---------------------------------------------------------------

store::LifecycleSettings ReadLifecycle(const json& value, const std::string& path) {
  CheckObject(value, path, kLifecycleKeys);
  store::LifecycleSettings s;
  auto duration = [&](std::string_view key, std::optional<model::Duration>& out) {
    if (const json* v = Find(value, key)) {
      if (v->is_null()) {
        out.reset();  // forever: until a test moves the job
      } else {
        out = ReadDuration(*v, Field(path, key));
      }
    }
  };
  duration("queuedFor", s.queued_for);
  duration("pendingFor", s.pending_for);
  duration("runningFor", s.running_for);
  duration("cancellingFor", s.cancelling_for);
  if (const json* v = Find(value, "cancellingPolls")) {
    s.cancelling_polls =
        static_cast<int>(ReadInteger(*v, Field(path, "cancellingPolls"), 0, INT_MAX));
  }
  if (const json* v = Find(value, "outcome")) {
    s.outcome = *model::EnumFromName<model::JobState>(
        ReadEnum(*v, Field(path, "outcome"), {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED"}));
  }
  if (const json* v = Find(value, "failureError")) {
    std::string at = Field(path, "failureError");
    CheckObject(*v, at, {"code", "message", "details"});
    s.failure_error.code = static_cast<int>(
        ReadInteger(Require(*v, at, "code", "a google.rpc.Code number from 1 to 16"),
                    Field(at, "code"), 1, 16));
    s.failure_error.message =
        ReadString(Require(*v, at, "message", "a string"), Field(at, "message"));
    if (const json* d = Find(*v, "details"))
      s.failure_error.details = ReadDetails(*d, Field(at, "details"));
  }
  if (const json* v = Find(value, "cancelEffect")) {
    s.cancel_effect =
        ReadEnum(*v, Field(path, "cancelEffect"), {"CANCELS", "FINISHES_FIRST"}) == "CANCELS"
            ? store::LifecycleSettings::CancelEffect::kCancels
            : store::LifecycleSettings::CancelEffect::kFinishesFirst;
  }
  return s;
}

// --- Rules -------------------------------------------------------------------

RequestMatch ReadMatch(const json& value, const std::string& path) {
  CheckObject(value, path, kMatchKeys);
  RequestMatch m;
  if (const json* v = Find(value, "transport")) {
    m.transport = api::TransportFromName(ReadEnum(*v, Field(path, "transport"), {"rest", "grpc"}));
  }
  if (const json* v = Find(value, "method")) {
    std::string at = Field(path, "method");
    std::string method = ReadString(*v, at);
    if (method.empty() ||
        !std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      Fail(at,
           "expected an HTTP method in uppercase letters such as \"GET\", got " + Quoted(method));
    }
    m.method = method;
  }
  if (const json* v = Find(value, "operation")) {
    m.operation = ReadEnum(*v, Field(path, "operation"), Operations());
  }
  if (const json* v = Find(value, "resource")) m.resource = ReadString(*v, Field(path, "resource"));
  if (const json* v = Find(value, "headers"))
    m.headers = ReadHeaders(*v, Field(path, "headers"), false);
  if (const json* v = Find(value, "body")) m.body = ReadString(*v, Field(path, "body"));
  return m;
}

ScriptedAnswer ReadAnswer(const json& value, const std::string& path) {
  CheckObject(value, path, kAnswerKeys);
  int forms = (value.contains("error") ? 1 : 0) + (value.contains("json") ? 1 : 0) +
              (value.contains("body") ? 1 : 0);
  if (forms > 1) Fail(path, "at most one of error, json, body");
  ScriptedAnswer a;
  std::optional<Status> error;
  if (const json* v = Find(value, "error")) {
    std::string at = Field(path, "error");
    CheckObject(*v, at, {"status", "message", "details"});
    std::string status_at = Field(at, "status");
    const json& name = Require(*v, at, "status", "a google.rpc.Code name such as \"UNAVAILABLE\"");
    std::optional<StatusCode> code;
    if (name.is_string()) code = StatusCodeFromName(name.get<std::string>());
    if (!code || *code == StatusCode::kOk) {
      std::string names;
      for (int c = 1; c <= 16; ++c) {
        names += (c > 1 ? ", " : "") + std::string(StatusCodeName(static_cast<StatusCode>(c)));
      }
      Fail(status_at,
           (name.is_string() ? "unknown value " + Quoted(name.get<std::string>()) : Got(name)) +
               "; expected a google.rpc.Code name other than OK: " + names);
    }
    std::string message;
    if (const json* m = Find(*v, "message")) message = ReadString(*m, Field(at, "message"));
    json details = json::array();
    if (const json* d = Find(*v, "details")) details = ReadDetails(*d, Field(at, "details"));
    error = Status(*code, std::move(message), std::move(details));
    a.http_status = HttpStatusFor(*code);
  }
  if (const json* v = Find(value, "status")) {
    a.http_status = static_cast<int>(ReadInteger(*v, Field(path, "status"), 100, 599));
  }
  if (error) a.body = errors::ErrorBody(*error, a.http_status);
  if (const json* v = Find(value, "json")) a.body = Dump(*v);
  if (const json* v = Find(value, "body")) a.body = ReadString(*v, Field(path, "body"));
  if (const json* v = Find(value, "contentType")) {
    std::string at = Field(path, "contentType");
    a.content_type = HeaderValue(*v, at);
    if (a.content_type.empty()) Fail(at, "expected a non-empty string");
  }
  if (const json* v = Find(value, "headers"))
    a.headers = ReadHeaders(*v, Field(path, "headers"), true);
  return a;
}

// The keys an action of each kind may have besides its kind key.
Keys ExtraKeys(std::string_view kind) {
  static const Keys kNone = {};
  static const Keys kError = {"retryDelay"};
  static const Keys kFault = {"bytes", "duration", "code", "answer"};
  static const Keys kDelay = {"clock"};
  if (kind == "error") return kError;
  if (kind == "fault") return kFault;
  if (kind == "delay") return kDelay;
  return kNone;
}

Action ReadAction(const json& value, const std::string& path) {
  static const Keys kAllKeys = {"pass",  "answer",   "error", "retryDelay", "html", "fault",
                                "bytes", "duration", "code",  "delay",      "clock", "hold"};
  CheckObject(value, path, kAllKeys);
  // The kind: "fault" if present (its "answer" is then a modifier), else the one kind key.
  std::vector<std::string_view> kinds;
  for (auto kind : kActionKinds) {
    if (value.contains(kind) && !(kind == "answer" && value.contains("fault"))) {
      kinds.push_back(kind);
    }
  }
  if (kinds.size() != 1) {
    std::string got = kinds.empty() ? "none" : "";
    for (size_t i = 0; i < kinds.size(); ++i) got += (i ? " and " : "") + std::string(kinds[i]);
    Fail(Shown(path), "expected exactly one of " + Join(kActionKinds) + "; got " + got);
  }
  std::string_view kind = kinds[0];
  for (const auto& [key, unused] : value.items()) {
    if (key != kind && !OneOf(key, ExtraKeys(kind))) {
      Keys extra = ExtraKeys(kind);
      Fail(Field(path, key), "not allowed in a \"" + std::string(kind) + "\" action" +
                                 (extra.size() ? "; it takes " + Join(extra) : ""));
    }
  }
  const json& v = value[std::string(kind)];
  std::string at = Field(path, kind);
  Action a;
  if (kind == "pass") {
    if (v != json(true)) Fail(at, "expected true, got " + Dump(v));
    a.kind = Action::Kind::kPass;
  } else if (kind == "answer") {
    a.kind = Action::Kind::kAnswer;
    a.answer = ReadAnswer(v, at);
  } else if (kind == "error") {
    std::string name = ReadEnum(v, at, kCatalogueErrors);
    if (value.contains("retryDelay") && name != "RATE_LIMITED") {
      Fail(Field(path, "retryDelay"), "only allowed with \"error\": \"RATE_LIMITED\"");
    }
    a.kind = Action::Kind::kAnswer;
    if (name == "UNAVAILABLE") {
      a.answer = ErrorAnswer(errors::Unavailable());
    } else if (name == "RATE_LIMITED") {
      model::Duration delay = std::chrono::seconds(1);
      if (const json* d = Find(value, "retryDelay"))
        delay = ReadDuration(*d, Field(path, "retryDelay"));
      a.answer = RateLimitedAnswer(delay);
    } else if (name == "PERMISSION_DENIED") {
      // A rule does not know the request it answers, so the detail names the
      // permission of the commonest call and "*" for the resource.
      a.answer = ErrorAnswer(errors::PermissionDenied("aiplatform.nasJobs.get", "*"));
    } else if (name == "UNAUTHENTICATED") {
      a.answer = ErrorAnswer(errors::Unauthenticated());
    } else {
      a.answer = ErrorAnswer(errors::NasJobNotFound());
    }
  } else if (kind == "html") {
    if (!v.is_number_integer() || (v != 404 && v != 502 && v != 503)) {
      Fail(at, "expected 404, 502 or 503, got " + Dump(v));
    }
    a.kind = Action::Kind::kAnswer;
    a.answer = HtmlAnswer(v.get<int>());
  } else if (kind == "fault") {
    std::string name = ReadEnum(v, at, FaultNames());
    a.kind = Action::Kind::kFault;
    a.fault.kind = *api::FaultKindFromName(name);  // ReadEnum took a name of the table
    const api::FaultKindInfo& row = api::FaultKindOf(a.fault.kind);
    bool takes_bytes = row.takes_bytes;
    bool takes_duration = row.takes_duration;
    std::string bytes_at = Field(path, "bytes"), duration_at = Field(path, "duration");
    if (const json* b = Find(value, "bytes")) {
      if (!takes_bytes)
        Fail(bytes_at,
             "only allowed with \"fault\": " + FaultsThat(&api::FaultKindInfo::takes_bytes));
      a.fault.bytes =
          static_cast<size_t>(ReadInteger(*b, bytes_at, 1, std::numeric_limits<int64_t>::max()));
    } else if (takes_bytes) {
      Fail(bytes_at, "required with \"fault\": " + Quoted(name) + "; expected an integer >= 1");
    }
    if (const json* d = Find(value, "duration")) {
      if (!takes_duration) {
        Fail(duration_at,
             "only allowed with \"fault\": " + FaultsThat(&api::FaultKindInfo::takes_duration));
      }
      model::Duration duration = ReadDuration(*d, duration_at);
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(duration);
      if (ms <= std::chrono::milliseconds(0) || ms != duration) {
        Fail(duration_at,
             "expected a positive whole number of milliseconds such as \"0.5s\", got " + Dump(*d));
      }
      a.fault.duration = ms;
    } else if (takes_duration) {
      Fail(duration_at,
           "required with \"fault\": " + Quoted(name) + "; expected a duration such as \"0.5s\"");
    }
    if (const json* c = Find(value, "code")) {
      std::string code_at = Field(path, "code");
      if (!row.takes_code()) {
        Fail(code_at, "only allowed with \"fault\": " + FaultsThat(&api::FaultKindInfo::takes_code));
      }
      std::string code = ReadEnum(*c, code_at, Http2ErrorNames());
      a.fault.code = api::Http2ErrorFromName(code);
    }
    if (const json* answer = Find(value, "answer")) {
      a.answer = ReadAnswer(*answer, Field(path, "answer"));
      a.has_answer = true;
    }
  } else if (kind == "delay") {
    a.kind = Action::Kind::kDelay;
    a.delay = ReadDuration(v, at);
    if (const json* c = Find(value, "clock")) {
      a.virtual_delay = ReadEnum(*c, Field(path, "clock"), {"virtual", "real"}) == "virtual";
    }
  } else {
    a.kind = Action::Kind::kHold;
    a.hold = ReadString(v, at, true);
  }
  return a;
}

std::vector<Action> ReadActions(const json& value, const std::string& path) {
  if (!value.is_array() || value.empty()) {
    Fail(path, "expected a non-empty array of actions, " +
                   (value.is_array() ? std::string("got []") : Got(value)));
  }
  std::vector<Action> actions;
  for (size_t i = 0; i < value.size(); ++i) actions.push_back(ReadAction(value[i], Item(path, i)));
  return actions;
}

// Refuses a fault that a front end does not perform (api::FaultKindInfo's
// rest and grpc) among the actions of a rule or random schedule that may
// match requests of that front end. `actions_field` is where the actions
// were read: "action" (one), "sequence" or "choices" (arrays).
void CheckFaultsFitTheTransport(const std::vector<Action>& actions, const RequestMatch& match,
                                const std::string& path, const std::string& actions_field) {
  for (size_t i = 0; i < actions.size(); ++i) {
    const Action& a = actions[i];
    if (a.kind != Action::Kind::kFault) continue;
    const api::FaultKindInfo& row = api::FaultKindOf(a.fault.kind);
    for (api::Transport t : {api::Transport::kRest, api::Transport::kGrpc}) {
      const bool performs = t == api::Transport::kRest ? row.rest : row.grpc;
      if (performs || (match.transport && *match.transport != t)) continue;
      const api::Transport other =
          t == api::Transport::kRest ? api::Transport::kGrpc : api::Transport::kRest;
      std::string at = actions_field == "action" ? Field(Field(path, "action"), "fault")
                                                 : Field(Item(Field(path, actions_field), i), "fault");
      Fail(at, Quoted(std::string(row.name)) + " is a fault of " +
                   std::string(api::TransportName(other)) + " calls only; the rule must match " +
                   "\"transport\": " + Quoted(std::string(api::TransportName(other))));
    }
  }
}

Rule ReadRule(const json& value, const std::string& path) {
  CheckObject(value, path, kRuleKeys);
  Rule r;
  r.id = ReadString(Require(value, path, "id", "a non-empty string"), Field(path, "id"), true);
  if (const json* v = Find(value, "match")) r.match = ReadMatch(*v, Field(path, "match"));
  if (const json* v = Find(value, "after")) {
    r.after = static_cast<int>(ReadInteger(*v, Field(path, "after"), 0, INT_MAX));
  }
  const json* action = Find(value, "action");
  const json* sequence = Find(value, "sequence");
  if ((action == nullptr) == (sequence == nullptr)) {
    Fail(path, action ? "has both \"action\" and \"sequence\"; expected exactly one"
                      : "expected exactly one of \"action\" and \"sequence\"");
  }
  if (action) {
    r.actions.push_back(ReadAction(*action, Field(path, "action")));
    if (const json* v = Find(value, "times")) {
      r.times = static_cast<int>(ReadInteger(*v, Field(path, "times"), 1, INT_MAX));
    }
  } else {
    if (value.contains("times")) {
      Fail(Field(path, "times"),
           "only allowed with \"action\" (a sequence applies once per action)");
    }
    r.actions = ReadActions(*sequence, Field(path, "sequence"));
    if (r.actions.size() == 1) r.times = 1;  // see the file comment
  }
  CheckFaultsFitTheTransport(r.actions, r.match, path, action ? "action" : "sequence");
  return r;
}

RandomFaults ReadRandomFaults(const json& value, const std::string& path) {
  CheckObject(value, path, {"seed", "rate", "match", "choices"});
  RandomFaults f;
  const json& seed = Require(value, path, "seed", "an integer >= 0");
  if (seed.is_number_unsigned()) {
    f.seed = seed.get<uint64_t>();
  } else {
    f.seed = static_cast<uint64_t>(
        ReadInteger(seed, Field(path, "seed"), 0, std::numeric_limits<int64_t>::max()));
  }
  const json& rate = Require(value, path, "rate", "a number from 0 to 1");
  if (!rate.is_number() || !(rate.get<double>() >= 0 && rate.get<double>() <= 1)) {
    Fail(Field(path, "rate"), "expected a number from 0 to 1, got " + Dump(rate));
  }
  f.rate = rate.get<double>();
  if (const json* v = Find(value, "match")) f.match = ReadMatch(*v, Field(path, "match"));
  f.choices = ReadActions(Require(value, path, "choices", "a non-empty array of actions"),
                          Field(path, "choices"));
  CheckFaultsFitTheTransport(f.choices, f.match, path, "choices");
  return f;
}

Scenario Read(const json& document) {
  CheckObject(document, "", kRootKeys);
  Scenario s;
  s.name = ReadString(Require(document, "", "name", "a non-empty string"), "name", true);
  if (const json* v = Find(document, "description")) s.description = ReadString(*v, "description");
  if (const json* v = Find(document, "seed")) {
    // Only the outline is checked here; the jobs and trial details themselves
    // are checked by server::SeedFromJson when the scenario's seed is applied.
    CheckObject(*v, "seed", {"nasJobs", "nasTrialDetails"});
    for (const auto& [key, list] : v->items()) {
      if (!list.is_array()) Fail(Field("seed", key), "expected an array, " + Got(list));
    }
    s.seed = *v;
  }
  if (const json* v = Find(document, "lifecycle")) s.lifecycle = ReadLifecycle(*v, "lifecycle");
  if (const json* v = Find(document, "jobLifecycles")) {
    if (!v->is_object())
      Fail("jobLifecycles", "expected an object of job name to lifecycle, " + Got(*v));
    for (const auto& [name, settings] : v->items()) {
      std::string at = Entry("jobLifecycles", name);
      auto parsed = model::ParseNasJobName(name);
      if (!parsed) {
        Fail(at,
             "expected a job name projects/{project}/locations/{location}/nasJobs/{numeric id}");
      }
      std::string canonical = parsed->ToString();
      for (const auto& [seen, unused] : s.job_lifecycles) {
        if (seen == canonical) Fail(at, "names the same job as another key: " + canonical);
      }
      s.job_lifecycles.emplace_back(std::move(canonical), ReadLifecycle(settings, at));
    }
    std::sort(s.job_lifecycles.begin(), s.job_lifecycles.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  if (const json* v = Find(document, "operations")) {
    CheckObject(*v, "operations", {"deletePollsUntilDone"});
    if (const json* n = Find(*v, "deletePollsUntilDone")) {
      s.delete_polls_until_done =
          static_cast<int>(ReadInteger(*n, "operations.deletePollsUntilDone", 0, INT_MAX));
    }
  }
  if (const json* v = Find(document, "pagination")) {
    CheckObject(*v, "pagination", {"maxPageSize"});
    if (const json* n = Find(*v, "maxPageSize")) {
      s.max_page_size = static_cast<int>(ReadInteger(*n, "pagination.maxPageSize", 1, 1000));
    }
  }
  if (const json* v = Find(document, "rules")) {
    if (!v->is_array()) Fail("rules", "expected an array of rules, " + Got(*v));
    for (size_t i = 0; i < v->size(); ++i) {
      Rule rule = ReadRule((*v)[i], Item("rules", i));
      for (size_t j = 0; j < s.rules.size(); ++j) {
        if (s.rules[j].id == rule.id) {
          Fail(Field(Item("rules", i), "id"),
               "duplicate id " + Quoted(rule.id) + " (also rules[" + std::to_string(j) + "].id)");
        }
      }
      s.rules.push_back(std::move(rule));
    }
  }
  if (const json* v = Find(document, "randomFaults")) {
    s.random_faults = ReadRandomFaults(*v, "randomFaults");
  }
  return s;
}

// --- Writing -----------------------------------------------------------------

json HeadersToJson(const api::HeaderList& headers) {
  bool sorted = true;
  for (size_t i = 1; i < headers.size(); ++i) sorted &= headers[i - 1].first < headers[i].first;
  if (sorted) {
    json out = json::object();
    for (const auto& [name, value] : headers) out[name] = value;
    return out;
  }
  json out = json::array();
  for (const auto& [name, value] : headers) out.push_back({name, value});
  return out;
}

json DurationToJson(const std::optional<model::Duration>& d) {
  return d ? json(model::FormatDuration(*d)) : json(nullptr);
}

json LifecycleToJson(const store::LifecycleSettings& s) {
  json error = {{"code", s.failure_error.code}, {"message", s.failure_error.message}};
  if (!s.failure_error.details.is_array() || !s.failure_error.details.empty()) {
    error["details"] = s.failure_error.details;
  }
  return {{"queuedFor", DurationToJson(s.queued_for)},
          {"pendingFor", DurationToJson(s.pending_for)},
          {"runningFor", DurationToJson(s.running_for)},
          {"cancellingFor", DurationToJson(s.cancelling_for)},
          {"cancellingPolls", s.cancelling_polls},
          {"outcome", model::EnumName(s.outcome)},
          {"failureError", std::move(error)},
          {"cancelEffect", s.cancel_effect == store::LifecycleSettings::CancelEffect::kCancels
                               ? "CANCELS"
                               : "FINISHES_FIRST"}};
}

json MatchToJson(const RequestMatch& m) {
  json out = json::object();
  if (m.transport) out["transport"] = api::TransportName(*m.transport);
  if (m.method) out["method"] = *m.method;
  if (m.operation) out["operation"] = *m.operation;
  if (m.resource) out["resource"] = *m.resource;
  if (!m.headers.empty()) out["headers"] = HeadersToJson(m.headers);
  if (m.body) out["body"] = *m.body;
  return out;
}

json AnswerToJson(const ScriptedAnswer& a) {
  json out = {{"status", a.http_status}, {"contentType", a.content_type}, {"body", a.body}};
  if (!a.headers.empty()) out["headers"] = HeadersToJson(a.headers);
  return out;
}

// Writes what the action holds for its kind; stray fault sizes are written
// too, so that the reader refuses an action it could not have produced.
json ActionToJson(const Action& a) {
  switch (a.kind) {
    case Action::Kind::kPass:
      return {{"pass", true}};
    case Action::Kind::kAnswer:
      return {{"answer", AnswerToJson(a.answer)}};
    case Action::Kind::kFault: {
      const api::FaultKindInfo& row = api::FaultKindOf(a.fault.kind);
      json out = {{"fault", row.name}};
      if (a.fault.bytes != 0 || row.takes_bytes) out["bytes"] = a.fault.bytes;
      if (a.fault.duration.count() != 0 || row.takes_duration) {
        out["duration"] = model::FormatDuration(a.fault.duration);
      }
      if (a.fault.code) {
        const std::string_view name = api::Http2ErrorName(*a.fault.code);
        out["code"] = name.empty() ? json(*a.fault.code) : json(name);
      }
      if (a.has_answer) out["answer"] = AnswerToJson(a.answer);
      return out;
    }
    case Action::Kind::kDelay:
      return {{"delay", model::FormatDuration(a.delay)},
              {"clock", a.virtual_delay ? "virtual" : "real"}};
    case Action::Kind::kHold:
      return {{"hold", a.hold}};
  }
  return json::object();
}

json ActionsToJson(const std::vector<Action>& actions) {
  json out = json::array();
  for (const auto& a : actions) out.push_back(ActionToJson(a));
  return out;
}

json RuleToJson(const Rule& r) {
  json out = {{"id", r.id}};
  if (r.match != RequestMatch{}) out["match"] = MatchToJson(r.match);
  if (r.after != 0) out["after"] = r.after;
  if (r.actions.size() == 1) {
    out["action"] = ActionToJson(r.actions[0]);
  } else {
    out["sequence"] = ActionsToJson(r.actions);
  }
  if (r.times) out["times"] = *r.times;
  return out;
}

}  // namespace

StatusOr<Scenario> ScenarioFromJson(const json& document, std::string_view origin) {
  try {
    return Read(document);
  } catch (const SchemaError& e) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(origin) + ": " + e.path + ": " + e.what);
  } catch (const json::exception& e) {
    // Not expected (every value's type is checked before use); kept so that a
    // document built in C++ can never make the reader throw.
    return Status(StatusCode::kInvalidArgument, std::string(origin) + ": (root): " + e.what());
  }
}

StatusOr<Scenario> LoadScenarioFile(const std::filesystem::path& path) {
  auto document = model::ReadJsonFile(path);
  if (!document.ok()) return document.status();
  return ScenarioFromJson(*document, path.string());
}

json ScenarioToJson(const Scenario& s) {
  json out = {{"name", s.name}};
  if (!s.description.empty()) out["description"] = s.description;
  if (!s.seed.is_null()) out["seed"] = s.seed;
  if (s.lifecycle) out["lifecycle"] = LifecycleToJson(*s.lifecycle);
  if (!s.job_lifecycles.empty()) {
    json jobs = json::object();
    for (const auto& [name, settings] : s.job_lifecycles) jobs[name] = LifecycleToJson(settings);
    out["jobLifecycles"] = std::move(jobs);
  }
  if (s.delete_polls_until_done != 0) {
    out["operations"] = {{"deletePollsUntilDone", s.delete_polls_until_done}};
  }
  if (s.max_page_size != 0) out["pagination"] = {{"maxPageSize", s.max_page_size}};
  if (!s.rules.empty()) {
    json rules = json::array();
    for (const auto& r : s.rules) rules.push_back(RuleToJson(r));
    out["rules"] = std::move(rules);
  }
  if (s.random_faults) {
    json f = {{"seed", s.random_faults->seed},
              {"rate", s.random_faults->rate},
              {"choices", ActionsToJson(s.random_faults->choices)}};
    if (s.random_faults->match != RequestMatch{}) f["match"] = MatchToJson(s.random_faults->match);
    out["randomFaults"] = std::move(f);
  }
  return out;
}

}  // namespace nasfake::scenarios
