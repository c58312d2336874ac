// The API router: the one path every request takes after the transport.
//
//   Request ─► auth check ─► route match (HTTP rule of §1.2 / §1.4)
//     ─► query parameters bound (system parameters accepted, unknown ones
//        refused) ─► handler (one per REST method) ─► Response
//
// A URL that matches no HTTP rule (or a known path with a method it has no
// rule for) is answered with Google's HTML 404 page, as Google's front end
// does. Every error answer is built from a Status of the error catalogue
// (fake/errors.h) by errors::ErrorResponse.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fake/api/query.h"
#include "fake/api/request.h"
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
std::optional<ResolvedRequest> Resolve(const Request& request);

// The request field a resolved path binds and its value as the path spells
// it: {"name", "projects/p/locations/l/nasJobs/1"} for a get, {"parent",
// "projects/p/locations/l"} for a list. What a GAPIC client repeats in its
// routing header (x-goog-request-params).
struct PathField {
  std::string_view name;
  std::string value;
};
PathField PathFieldOf(const ResolvedRequest& resolved);

// The operation names of the route table, each once, in table order: what
// ResolvedRequest::operation can be and what scenario rules may match on.
const std::vector<std::string_view>& OperationNames();

class Router {
 public:
  explicit Router(FakeEnv& env) : env_(env) {}
  Response Handle(const Request& request) const;
  // The same, given Resolve(request), which the caller already has.
  Response Handle(const Request& request, const std::optional<ResolvedRequest>& resolved) const;

 private:
  FakeEnv& env_;
};

}  // namespace nasfake::api
