#include "fake/server/control_api.h"

#include <algorithm>
#include <chrono>

#include "fake/api/query.h"
#include "fake/api/router.h"
#include "fake/errors.h"
#include "fake/glob.h"
#include "fake/model/json_mapping.h"
#include "fake/model/json_text.h"
#include "fake/server/seed.h"
#include "fake/version.h"
#include "scenarios/engine.h"
#include "scenarios/scenario_json.h"
#include "scenarios/transcript.h"

namespace nasfake::server {
namespace {

using nlohmann::json;

constexpr auto kMaxWait = std::chrono::seconds(60);

Status Invalid(std::string message) { return errors::InvalidControlRequest(std::move(message)); }

api::Response Ok(const json& body) {
  api::Response response;
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

// The request body as a JSON object; an empty body is {}.
StatusOr<json> BodyObject(const api::Request& request) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  auto parsed = model::ParseJsonText(request.body);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return Invalid("the control API takes a JSON object");
  return std::move(*parsed);
}

// The duration at body[key], >= 0; the error echoes the value and the form.
StatusOr<model::Duration> DurationField(const json& body, const char* key) {
  const json& value = body[key];
  auto d = value.is_string() ? model::ParseDuration(value.get<std::string>()) : std::nullopt;
  if (!d || d->count() < 0) {
    return Invalid(std::string(key) +
                   ": expected a duration >= 0s such as \"5s\" or \"0.5s\", got " +
                   value.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  return *d;
}

StatusOr<std::chrono::milliseconds> Timeout(const json& body) {
  if (!body.contains("timeout")) return std::chrono::milliseconds(5000);
  auto d = DurationField(body, "timeout");
  if (!d.ok()) return d.status();
  return std::min<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(*d), kMaxWait);
}

// A met wait's answer, {"met":true,"reason":…}; one not met is an error
// (DEADLINE_EXCEEDED with the reason), so every HTTP client sees it fail.
api::Response WaitAnswer(const WaitResult& result) {
  if (!result.met) return errors::ErrorResponse(errors::WaitNotMet(result.reason));
  return Ok({{"met", true}, {"reason", result.reason}});
}

// The journal entries a query or a journal:wait body selects: by operation
// and method (exact) and resource (glob); an unset part matches anything.
struct JournalFilter {
  std::string operation, method, resource;

  bool Matches(const journal::Entry& e) const {
    return (operation.empty() || e.operation == operation) &&
           (method.empty() || e.method == method) &&
           (resource.empty() || GlobMatch(resource, e.resource));
  }
  // " GET nasJobs.get of */nasJobs/1", for wait reasons.
  std::string Describe() const {
    return (method.empty() ? "" : " " + method) + (operation.empty() ? "" : " " + operation) +
           (resource.empty() ? "" : " of " + resource);
  }
};

constexpr char kFilterKeys[] = "operation, method and resource";

// GET journal?operation=…&method=…&resource=…: the filter; any other
// parameter is INVALID_ARGUMENT, as the API refuses unknown parameters.
StatusOr<JournalFilter> FilterFromQuery(const api::QueryParams& query) {
  JournalFilter filter;
  for (const auto& [name, value] : query) {
    if (name == "operation") {
      filter.operation = value;
    } else if (name == "method") {
      filter.method = value;
    } else if (name == "resource") {
      filter.resource = value;
    } else {
      return Invalid("unknown query parameter \"" + name + "\"; GET journal takes " + kFilterKeys);
    }
  }
  return filter;
}

StatusOr<size_t> Count(const json& body, size_t fallback) {
  if (!body.contains("count")) return fallback;
  if (!body["count"].is_number_unsigned()) return Invalid("count must be a whole number");
  return body["count"].get<size_t>();
}

// GET journal: the entries the query selects, oldest first.
api::Response JournalAnswer(const journal::Journal& journal, const api::QueryParams& query) {
  auto filter = FilterFromQuery(query);
  if (!filter.ok()) return errors::ErrorResponse(filter.status());
  json entries = json::array();
  for (const auto& entry : journal.Entries()) {
    if (filter->Matches(entry)) entries.push_back(journal::ToJson(entry));
  }
  return Ok({{"entries", entries}, {"dropped", journal.dropped()}});
}

api::Response Clock(Tenant& tenant, const std::string& verb, const api::Request& request) {
  store::VirtualClock* clock = tenant.env().virtual_clock();
  if (verb.empty()) {
    return Ok({{"now", model::FormatTimestamp(tenant.env().clock().Now())},
               {"virtual", clock != nullptr}});
  }
  auto body = BodyObject(request);
  if (!body.ok()) return errors::ErrorResponse(body.status());
  if (clock == nullptr) {
    return errors::ErrorResponse(Status(StatusCode::kFailedPrecondition,
                                        "this fake runs on the real clock; time cannot be moved"));
  }
  if (body->contains("by")) {
    auto by = DurationField(*body, "by");
    if (!by.ok()) return errors::ErrorResponse(by.status());
    clock->Advance(*by);
  } else if (body->contains("to")) {
    const json& value = (*body)["to"];
    auto to = value.is_string() ? model::ParseTimestamp(value.get<std::string>()) : std::nullopt;
    if (!to) {
      return errors::ErrorResponse(
          Invalid("to: expected an RFC 3339 timestamp such as \"2026-01-01T00:00:00Z\", got " +
                  value.dump(-1, ' ', false, json::error_handler_t::replace)));
    }
    if (*to < clock->Now()) {
      return errors::ErrorResponse(
          Invalid("to: " + model::FormatTimestamp(*to) + " is before the clock's now, " +
                  model::FormatTimestamp(clock->Now()) + "; time never goes back"));
    }
    clock->AdvanceTo(*to);
  } else {
    return errors::ErrorResponse(Invalid("clock:advance takes {\"by\":\"2s\"} or {\"to\":\"…\"}"));
  }
  return Ok({{"now", model::FormatTimestamp(clock->Now())}, {"virtual", true}});
}

api::Response Holds(Tenant& tenant, const std::vector<std::string>& rest, const std::string& verb,
                    const api::Request& request) {
  if (rest.empty()) {
    json holds = json::object(), banked = json::object();
    for (const auto& [name, waiting] : tenant.engine().Held()) holds[name] = waiting;
    for (const auto& [name, releases] : tenant.engine().Banked()) banked[name] = releases;
    return Ok({{"holds", holds}, {"banked", banked}});
  }
  auto body = BodyObject(request);
  if (!body.ok()) return errors::ErrorResponse(body.status());
  const std::string& name = rest[0];
  if (verb == "release") {
    std::optional<size_t> count;
    if (body->contains("count")) {
      auto c = Count(*body, 0);
      if (!c.ok()) return errors::ErrorResponse(c.status());
      count = *c;
    }
    auto released = tenant.engine().ReleaseHold(name, count);
    if (!released.ok()) return errors::ErrorResponse(released.status());
    return Ok({{"released", released->released}, {"banked", released->banked}});
  }
  if (verb == "wait") {
    auto count = Count(*body, 1);
    auto timeout = Timeout(*body);
    if (!count.ok()) return errors::ErrorResponse(count.status());
    if (!timeout.ok()) return errors::ErrorResponse(timeout.status());
    if (Status known = tenant.engine().HoldExists(name); !known.ok()) {
      return errors::ErrorResponse(known);
    }
    return WaitAnswer(tenant.engine().WaitForHeld(name, *count, *timeout));
  }
  return errors::ErrorResponse(Invalid("holds/NAME takes :release or :wait"));
}

api::Response JournalWait(Tenant& tenant, const api::Request& request) {
  auto body = BodyObject(request);
  if (!body.ok()) return errors::ErrorResponse(body.status());
  auto count = Count(*body, 1);
  auto timeout = Timeout(*body);
  if (!count.ok()) return errors::ErrorResponse(count.status());
  if (!timeout.ok()) return errors::ErrorResponse(timeout.status());
  JournalFilter filter;
  for (const auto& [key, value] : body->items()) {
    std::string* part = key == "operation"  ? &filter.operation
                        : key == "method"   ? &filter.method
                        : key == "resource" ? &filter.resource
                                            : nullptr;
    if (part == nullptr && key != "count" && key != "timeout") {
      return errors::ErrorResponse(Invalid("unknown key \"" + key + "\"; journal:wait takes " +
                                           kFilterKeys + ", count and timeout"));
    }
    if (part == nullptr) continue;
    if (!value.is_string()) {
      return errors::ErrorResponse(Invalid(key + ": expected a string, got " + value.dump()));
    }
    *part = value.get<std::string>();
  }
  std::string what = std::to_string(*count) + " request(s)" + filter.Describe();
  auto result = tenant.journal().WaitFor(
      [&](const std::vector<journal::Entry>& entries) {
        return static_cast<size_t>(std::count_if(
                   entries.begin(), entries.end(),
                   [&](const journal::Entry& e) { return filter.Matches(e); })) >= *count;
      },
      *timeout, what);
  return WaitAnswer(result);
}

api::Response Jobs(Tenant& tenant, const std::vector<std::string>& rest, const std::string& verb,
                   const api::Request& request) {
  std::string joined;
  for (const auto& segment : rest) joined += (joined.empty() ? "" : "/") + segment;
  auto name = model::ParseNasJobName(joined);
  if (!name) return errors::ErrorResponse(errors::InvalidResourceName("NasJob", joined));
  if (verb.empty() && request.method == "GET") {
    auto job = tenant.env().jobs().Peek(*name);
    if (!job.ok()) return errors::ErrorResponse(job.status());
    api::Response response;
    response.body = model::ToJson(*job);
    return response;
  }
  if (verb == "setState" && request.method == "POST") {
    auto body = BodyObject(request);
    if (!body.ok()) return errors::ErrorResponse(body.status());
    auto state = body->contains("state") && (*body)["state"].is_string()
                     ? model::EnumFromName<model::JobState>((*body)["state"].get<std::string>())
                     : std::nullopt;
    if (!state) return errors::ErrorResponse(Invalid("state must be a JobState name"));
    auto job = tenant.env().jobs().ForceState(*name, *state);
    if (!job.ok()) return errors::ErrorResponse(job.status());
    api::Response response;
    response.body = model::ToJson(*job);
    return response;
  }
  return errors::ErrorResponse(Invalid("jobs/NAME takes GET or POST :setState"));
}

}  // namespace

bool IsControlRequest(const api::Request& request) {
  return std::string_view(request.target).substr(0, kControlPrefix.size()) == kControlPrefix;
}

json TranscriptOf(const journal::Journal& journal) {
  scenarios::Transcript transcript;
  for (const auto& entry : journal.Entries()) {
    if (!entry.completed) continue;
    scenarios::Exchange exchange;
    exchange.request = {.method = entry.method,
                        .target = entry.target,
                        .headers = entry.headers,
                        .body = entry.body,
                        .remote_addr = "",
                        .transport = entry.transport};
    exchange.response.status = entry.status;
    exchange.response.content_type = entry.response_content_type;
    exchange.response.headers = entry.response_headers;
    exchange.response.body = entry.response_body;
    exchange.response.fault = entry.fault;
    scenarios::RedactCredentials(exchange);
    transcript.exchanges.push_back(std::move(exchange));
  }
  return scenarios::TranscriptToJson(transcript);
}

api::Response HandleServiceControl(const api::Request& request, const journal::Journal& journal) {
  auto target = api::ParseTarget(request.target);
  if (!target || target->segments.size() < 3 || target->segments[1] != "v1") {
    return errors::ErrorResponse(errors::UnknownControlCall(""));
  }
  const std::string& what = target->segments[2];
  if (request.method == "GET" && target->segments.size() == 3 && target->verb.empty()) {
    if (what == "health") return Ok({{"ok", true}, {"version", NASFAKE_VERSION}});
    if (what == "journal") return JournalAnswer(journal, target->query);
  }
  return errors::ErrorResponse(
      errors::UnknownControlCall(request.method + " " + std::string(target->path) +
                                 (target->verb.empty() ? "" : ":" + target->verb)));
}

api::Response HandleControl(const api::Request& request, TenantDirectory& tenants) {
  auto target = api::ParseTarget(request.target);
  if (!target || target->segments.size() < 3 || target->segments[1] != "v1") {
    return errors::ErrorResponse(errors::UnknownControlCall(""));
  }
  std::string test_id(request.Header(kTestIdHeader).value_or(""));
  const std::string& what = target->segments[2];
  std::vector<std::string> rest(target->segments.begin() + 3, target->segments.end());
  const std::string& verb = target->verb;
  const std::string& method = request.method;
  const bool takes_query = what == "journal" && rest.empty() && method == "GET" && verb.empty();
  if (!takes_query && !target->query.empty()) {
    return errors::ErrorResponse(Invalid("unknown query parameter \"" + target->query[0].first +
                                         "\"; only GET journal takes query parameters (" +
                                         kFilterKeys + ")"));
  }

  if (what == "health" && method == "GET") {
    return Ok({{"ok", true}, {"version", NASFAKE_VERSION}});
  }
  if (what == "reset" && method == "POST") {
    tenants.ResetTenant(test_id);
    return Ok(json::object());
  }
  if (what == "scenario" && method == "POST") {
    auto document = model::ParseJsonText(request.body);
    if (!document.ok()) return errors::ErrorResponse(document.status());
    auto scenario = scenarios::ScenarioFromJson(*document, "request body");
    if (!scenario.ok()) return errors::ErrorResponse(scenario.status());
    std::shared_ptr<Tenant> tenant = tenants.ResetTenant(test_id);
    if (Status s = tenant->ApplyScenario(*scenario); !s.ok()) {
      tenants.ResetTenant(test_id);  // nothing half-loaded
      return errors::ErrorResponse(s);
    }
    return Ok({{"name", scenario->name}, {"rules", scenario->rules.size()}});
  }

  auto found = tenants.TenantFor(test_id);
  if (!found.ok()) return errors::ErrorResponse(found.status());
  Tenant& tenant = **found;
  if (what == "seed" && method == "POST") {
    auto document = model::ParseJsonText(request.body);
    if (!document.ok()) return errors::ErrorResponse(document.status());
    if (Status s = SeedFromJson(*document, "request body", tenant.env().jobs()); !s.ok()) {
      return errors::ErrorResponse(s);
    }
    return Ok({{"jobs", tenant.env().jobs().size()}});
  }
  if (what == "clock" &&
      ((method == "GET" && verb.empty()) || (method == "POST" && verb == "advance"))) {
    return Clock(tenant, verb, request);
  }
  if (what == "holds" && (method == "GET" || method == "POST")) {
    return Holds(tenant, rest, verb, request);
  }
  if (what == "journal" && rest.empty()) {
    if (method == "GET" && verb.empty()) return JournalAnswer(tenant.journal(), target->query);
    if (method == "DELETE" && verb.empty()) {
      tenant.journal().Clear();
      return Ok(json::object());
    }
    if (method == "POST" && verb == "wait") return JournalWait(tenant, request);
  }
  if (what == "transcript" && method == "GET") return Ok(TranscriptOf(tenant.journal()));
  if (what == "jobs" && !rest.empty()) return Jobs(tenant, rest, verb, request);
  return errors::ErrorResponse(errors::UnknownControlCall(method + " " + std::string(target->path) +
                                                          (verb.empty() ? "" : ":" + verb)));
}

}  // namespace nasfake::server
