#include "fake/api/router.h"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "fake/api/handlers.h"
#include "fake/api/http_rule.h"
#include "fake/errors.h"

namespace nasfake::api {

struct Route {
  std::string_view operation;  // "nasJobs.get", …: the name scenarios match on
  std::string_view method;
  std::vector<std::string_view> pattern;  // "*" binds one path variable
  std::string_view verb;                  // custom method suffix, "" for none
  std::vector<std::string_view> params;   // the method's query parameters (snake_case)
  Handler handler;
  // The gRPC method this rule is the HTTP binding of (google.api.http): its
  // name, the request field the path is built from, and the body field.
  std::string_view rpc;         // "" for a REST-only path
  std::string_view path_field;  // "name" or "parent"
  std::string_view body_field;  // "*", a field's name, or "" (none)
};

namespace {

using nlohmann::json;

#define NASFAKE_LOCATION "projects", "*", "locations", "*"
#define NASFAKE_JOBS "/google.cloud.aiplatform.v1.JobService/"
#define NASFAKE_OPERATIONS "/google.longrunning.Operations/"

// The HTTP rules of reference §1.2 and §1.4, with the gRPC method each binds
// (protos/google/cloud/aiplatform/v1/job_service.proto, §11), and the `/ui/`
// operation path a published client polls (§10).
const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = {
      {"nasJobs.create",
       "POST",
       {"v1", NASFAKE_LOCATION, "nasJobs"},
       "",
       {},
       CreateNasJob,
       NASFAKE_JOBS "CreateNasJob",
       "parent",
       "nas_job"},
      {"nasJobs.list",
       "GET",
       {"v1", NASFAKE_LOCATION, "nasJobs"},
       "",
       {"filter", "page_size", "page_token", "read_mask"},
       ListNasJobs,
       NASFAKE_JOBS "ListNasJobs",
       "parent",
       ""},
      {"nasJobs.get",
       "GET",
       {"v1", NASFAKE_LOCATION, "nasJobs", "*"},
       "",
       {},
       GetNasJob,
       NASFAKE_JOBS "GetNasJob",
       "name",
       ""},
      {"nasJobs.delete",
       "DELETE",
       {"v1", NASFAKE_LOCATION, "nasJobs", "*"},
       "",
       {},
       DeleteNasJob,
       NASFAKE_JOBS "DeleteNasJob",
       "name",
       ""},
      {"nasJobs.cancel",
       "POST",
       {"v1", NASFAKE_LOCATION, "nasJobs", "*"},
       "cancel",
       {},
       CancelNasJob,
       NASFAKE_JOBS "CancelNasJob",
       "name",
       "*"},
      {"nasTrialDetails.list",
       "GET",
       {"v1", NASFAKE_LOCATION, "nasJobs", "*", "nasTrialDetails"},
       "",
       {"page_size", "page_token"},
       ListNasTrialDetails,
       NASFAKE_JOBS "ListNasTrialDetails",
       "parent",
       ""},
      {"nasTrialDetails.get",
       "GET",
       {"v1", NASFAKE_LOCATION, "nasJobs", "*", "nasTrialDetails", "*"},
       "",
       {},
       GetNasTrialDetail,
       NASFAKE_JOBS "GetNasTrialDetail",
       "name",
       ""},
      {"operations.list",
       "GET",
       {"v1", NASFAKE_LOCATION, "operations"},
       "",
       {"filter", "page_size", "page_token", "return_partial_success"},
       ListOperations,
       NASFAKE_OPERATIONS "ListOperations",
       "name",
       ""},
      {"operations.get",
       "GET",
       {"v1", NASFAKE_LOCATION, "operations", "*"},
       "",
       {},
       GetOperation,
       NASFAKE_OPERATIONS "GetOperation",
       "name",
       ""},
      {"operations.get",
       "GET",
       {"ui", NASFAKE_LOCATION, "operations", "*"},
       "",
       {},
       GetOperation,
       "",
       "",
       ""},
      {"operations.delete",
       "DELETE",
       {"v1", NASFAKE_LOCATION, "operations", "*"},
       "",
       {},
       DeleteOperation,
       NASFAKE_OPERATIONS "DeleteOperation",
       "name",
       ""},
      {"operations.cancel",
       "POST",
       {"v1", NASFAKE_LOCATION, "operations", "*"},
       "cancel",
       {},
       CancelOperation,
       NASFAKE_OPERATIONS "CancelOperation",
       "name",
       "*"},
      {"operations.wait",
       "POST",
       {"v1", NASFAKE_LOCATION, "operations", "*"},
       "wait",
       {"timeout"},
       WaitOperation,
       NASFAKE_OPERATIONS "WaitOperation",
       "name",
       ""},
  };
  return routes;
}

#undef NASFAKE_OPERATIONS
#undef NASFAKE_JOBS
#undef NASFAKE_LOCATION

// Google's standard parameters: accepted on every method, never bound to a
// field ("$" spellings too).
bool IsSystemParameter(std::string_view name) {
  if (!name.empty() && name.front() == '$') name.remove_prefix(1);
  static constexpr std::array<std::string_view, 14> kNames = {
      "alt",      "prettyPrint",   ".xgafv",          "fields",
      "key",      "quotaUser",     "access_token",    "oauth_token",
      "callback", "uploadType",    "upload_protocol", "trace",
      "userIp",   "outputDefaults"};
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

std::string SnakeCase(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::vector<std::string>> Match(const Route& route, const ParsedTarget& target) {
  if (route.pattern.size() != target.segments.size() || route.verb != target.verb) {
    return std::nullopt;
  }
  std::vector<std::string> vars;
  for (size_t i = 0; i < route.pattern.size(); ++i) {
    if (route.pattern[i] == "*") {
      if (target.segments[i].empty()) return std::nullopt;
      vars.push_back(target.segments[i]);
    } else if (route.pattern[i] != target.segments[i]) {
      return std::nullopt;
    }
  }
  return vars;
}

struct RouteMatch {
  const Route* route;
  std::vector<std::string> vars;
};

std::optional<RouteMatch> FindRoute(const Request& request, const ParsedTarget& target) {
  std::string_view method = request.method;
  if (method == "HEAD") method = "GET";
  for (const Route& candidate : Routes()) {
    if (candidate.method != method) continue;
    if (auto vars = Match(candidate, target)) return RouteMatch{&candidate, std::move(*vars)};
  }
  return std::nullopt;
}

bool HasBearerToken(const Request& request) {
  auto value = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  return value && value->size() > kBearer.size() && value->substr(0, kBearer.size()) == kBearer;
}

}  // namespace

const HttpRule* HttpRuleOfRpc(std::string_view rpc) {
  static const std::vector<HttpRule> rules = [] {
    std::vector<HttpRule> out;
    for (const Route& route : Routes()) {
      if (route.rpc.empty()) continue;
      // The literal segment after the path field: a parent's collection.
      std::string_view collection = route.pattern.back() == "*" ? "" : route.pattern.back();
      out.push_back({route.operation, route.rpc, route.method, route.path_field, collection,
                     route.verb, route.body_field});
    }
    return out;
  }();
  for (const HttpRule& rule : rules) {
    if (rule.rpc == rpc) return &rule;
  }
  return nullptr;
}

const std::vector<std::string_view>& OperationNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const Route& route : Routes()) {
      if (std::find(out.begin(), out.end(), route.operation) == out.end()) {
        out.push_back(route.operation);
      }
    }
    return out;
  }();
  return names;
}

std::optional<std::string_view> Call::Param(std::string_view snake_name) const {
  for (const auto& [name, value] : params) {
    if (name == snake_name) return value;
  }
  return std::nullopt;
}

std::optional<ResolvedRequest> Resolve(const Request& request) {
  auto target = ParseTarget(request.target);
  if (!target) return std::nullopt;
  auto match = FindRoute(request, *target);
  if (!match) return std::nullopt;
  ResolvedRequest resolved;
  resolved.operation = match->route->operation;
  for (size_t i = 1; i < target->segments.size(); ++i) {
    if (i > 1) resolved.resource += '/';
    resolved.resource += target->segments[i];
  }
  resolved.target = std::move(*target);
  resolved.route = match->route;
  resolved.vars = std::move(match->vars);
  return resolved;
}

PathField PathFieldOf(const ResolvedRequest& resolved) {
  PathField field{resolved.route->path_field, resolved.resource};
  if (resolved.route->pattern.back() != "*") {  // a parent's collection follows the field
    field.value.erase(std::min(field.value.size(), field.value.rfind('/')));
  }
  return field;
}

Response Router::Handle(const Request& request) const { return Handle(request, Resolve(request)); }

Response Router::Handle(const Request& request,
                        const std::optional<ResolvedRequest>& resolved) const {
  if (!resolved) {  // no HTTP rule: Google's page names the path without the query
    auto target = ParseTarget(request.target);
    return errors::HtmlErrorResponse(404, target ? target->path : std::string_view(request.target));
  }
  const Route* route = resolved->route;
  if (env_.options().require_auth && !HasBearerToken(request)) {
    return errors::ErrorResponse(errors::Unauthenticated());
  }

  Call call{request, resolved->vars, {}, {}};
  for (const auto& [name, value] : resolved->target.query) {
    if (IsSystemParameter(name)) {
      if ((name == "$alt" || name == "alt") &&
          value.find("enum-encoding=int") != std::string::npos) {
        call.json.enums_as_ints = true;
      }
      continue;
    }
    std::string snake = SnakeCase(name);
    if (std::find(route->params.begin(), route->params.end(), snake) == route->params.end()) {
      return errors::ErrorResponse(errors::UnknownQueryParameter(name));
    }
    if (!call.Param(snake)) call.params.emplace_back(std::move(snake), value);
  }

  StatusOr<std::string> body = route->handler(env_, call);
  if (!body.ok()) return errors::ErrorResponse(body.status());
  Response response;
  response.body = std::move(*body);
  return response;
}

}  // namespace nasfake::api
