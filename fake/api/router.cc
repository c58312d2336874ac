#include "fake/api/router.h"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "fake/api/handlers.h"
#include "fake/errors.h"

namespace nasfake::api {

struct Route {
  std::string_view operation;  // "nasJobs.get", …: the name scenarios match on
  std::string_view method;
  std::vector<std::string_view> pattern;  // "*" binds one path variable
  std::string_view verb;                  // custom method suffix, "" for none
  std::vector<std::string_view> params;   // the method's query parameters (snake_case)
  Handler handler;
};

namespace {

using nlohmann::json;

#define NASFAKE_LOCATION "projects", "*", "locations", "*"

// The HTTP rules of reference §1.2 and §1.4, and the `/ui/` operation path a
// published client polls (§10).
const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = {
      {"nasJobs.create", "POST", {"v1", NASFAKE_LOCATION, "nasJobs"}, "", {}, CreateNasJob},
      {"nasJobs.list",
       "GET",
       {"v1", NASFAKE_LOCATION, "nasJobs"},
       "",
       {"filter", "page_size", "page_token", "read_mask"},
       ListNasJobs},
      {"nasJobs.get", "GET", {"v1", NASFAKE_LOCATION, "nasJobs", "*"}, "", {}, GetNasJob},
      {"nasJobs.delete", "DELETE", {"v1", NASFAKE_LOCATION, "nasJobs", "*"}, "", {}, DeleteNasJob},
      {"nasJobs.cancel",
       "POST",
       {"v1", NASFAKE_LOCATION, "nasJobs", "*"},
       "cancel",
       {},
       CancelNasJob},
      {"nasTrialDetails.list",
       "GET",
       {"v1", NASFAKE_LOCATION, "nasJobs", "*", "nasTrialDetails"},
       "",
       {"page_size", "page_token"},
       ListNasTrialDetails},
      {"nasTrialDetails.get",
       "GET",
       {"v1", NASFAKE_LOCATION, "nasJobs", "*", "nasTrialDetails", "*"},
       "",
       {},
       GetNasTrialDetail},
      {"operations.list",
       "GET",
       {"v1", NASFAKE_LOCATION, "operations"},
       "",
       {"filter", "page_size", "page_token", "return_partial_success"},
       ListOperations},
      {"operations.get", "GET", {"v1", NASFAKE_LOCATION, "operations", "*"}, "", {}, GetOperation},
      {"operations.get", "GET", {"ui", NASFAKE_LOCATION, "operations", "*"}, "", {}, GetOperation},
      {"operations.delete",
       "DELETE",
       {"v1", NASFAKE_LOCATION, "operations", "*"},
       "",
       {},
       DeleteOperation},
      {"operations.cancel",
       "POST",
       {"v1", NASFAKE_LOCATION, "operations", "*"},
       "cancel",
       {},
       CancelOperation},
      {"operations.wait",
       "POST",
       {"v1", NASFAKE_LOCATION, "operations", "*"},
       "wait",
       {"timeout"},
       WaitOperation},
  };
  return routes;
}

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

HttpResponse HtmlNotFound(std::string_view path) {
  HttpResponse response;
  response.status = 404;
  response.content_type = "text/html; charset=UTF-8";
  response.body = errors::HtmlErrorPage(404, path);
  return response;
}

struct RouteMatch {
  const Route* route;
  std::vector<std::string> vars;
};

std::optional<RouteMatch> FindRoute(const HttpRequest& request, const ParsedTarget& target) {
  std::string_view method = request.method;
  if (method == "HEAD") method = "GET";
  for (const Route& candidate : Routes()) {
    if (candidate.method != method) continue;
    if (auto vars = Match(candidate, target)) return RouteMatch{&candidate, std::move(*vars)};
  }
  return std::nullopt;
}

bool HasBearerToken(const HttpRequest& request) {
  auto value = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  return value && value->size() > kBearer.size() && value->substr(0, kBearer.size()) == kBearer;
}

}  // namespace

std::optional<std::string_view> Call::Param(std::string_view snake_name) const {
  for (const auto& [name, value] : params) {
    if (name == snake_name) return value;
  }
  return std::nullopt;
}

std::string ErrorBody(const Status& status, int http_status) {
  nlohmann::ordered_json error = {{"code", http_status},
                                  {"message", status.message()},
                                  {"status", StatusCodeName(status.code())}};
  if (!status.details().empty()) error["details"] = status.details();
  return nlohmann::ordered_json{{"error", std::move(error)}}.dump(
      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

HttpResponse ErrorResponse(const Status& status) {
  HttpResponse response;
  response.status = HttpStatusFor(status.code());
  response.body = ErrorBody(status, response.status);
  return response;
}

std::optional<ResolvedRequest> Resolve(const HttpRequest& request) {
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

HttpResponse Router::Handle(const HttpRequest& request) const {
  return Handle(request, Resolve(request));
}

HttpResponse Router::Handle(const HttpRequest& request,
                            const std::optional<ResolvedRequest>& resolved) const {
  if (!resolved) {  // no HTTP rule: Google's page names the path without the query
    auto target = ParseTarget(request.target);
    return HtmlNotFound(target ? target->path : std::string_view(request.target));
  }
  const Route* route = resolved->route;
  if (env_.options().require_auth && !HasBearerToken(request)) {
    return ErrorResponse(errors::Unauthenticated());
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
      return ErrorResponse(errors::UnknownQueryParameter(name));
    }
    if (!call.Param(snake)) call.params.emplace_back(std::move(snake), value);
  }

  StatusOr<std::string> body = route->handler(env_, call);
  if (!body.ok()) return ErrorResponse(body.status());
  HttpResponse response;
  response.body = std::move(*body);
  return response;
}

}  // namespace nasfake::api
