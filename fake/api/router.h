// The API router: the one path every request takes after the transport.
//
//   HttpRequest ─► auth check ─► route match (HTTP rule of §1.2 / §1.4)
//     ─► query parameters bound (system parameters accepted, unknown ones
//        refused) ─► handler (one per REST method) ─► HttpResponse
//
// A URL that matches no HTTP rule (or a known path with a method it has no
// rule for) is answered with Google's HTML 404 page, as Google's front end
// does. Every error answer is built from a Status of the error catalogue
// (fake/errors.h) by ErrorResponse.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fake/api/http.h"
#include "fake/api/query.h"
#include "fake/env.h"
#include "fake/status.h"

namespace nasfake::api {

// What a request addresses, for the scenario engine and the journal: the API
// operation ("nasJobs.cancel") and the resource path as written in the URL
// after the version ("projects/p/locations/l/nasJobs/1"). nullopt when the
// request matches no HTTP rule. Pure: looks at nothing but the request.
struct Route;  // an HTTP rule (router.cc)
struct ResolvedRequest {
  std::string_view operation;
  std::string resource;
  // For Router::Handle, so a request is parsed and matched once: the target
  // (views into the request's target: valid while the request is) and the
  // rule it matched, with the rule's path variables.
  ParsedTarget target;
  const Route* route = nullptr;
  std::vector<std::string> vars;
};
std::optional<ResolvedRequest> Resolve(const HttpRequest& request);

class Router {
 public:
  explicit Router(FakeEnv& env) : env_(env) {}
  HttpResponse Handle(const HttpRequest& request) const;
  // The same, given Resolve(request), which the caller already has.
  HttpResponse Handle(const HttpRequest& request,
                      const std::optional<ResolvedRequest>& resolved) const;

 private:
  FakeEnv& env_;
};

// Google's error body: {"error":{"code":<http_status>,"message":…,
// "status":"<NAME>","details":[…]}}, keys in that order, `details` only when
// there are any. Invalid UTF-8 in the message is replaced, never thrown about.
std::string ErrorBody(const Status& status, int http_status);
// ErrorBody with the HTTP status of the code, as a response.
HttpResponse ErrorResponse(const Status& status);

}  // namespace nasfake::api
