// x-goog-request-params: the routing header GAPIC clients send with a call,
// over gRPC and over REST alike: the request's path field, form-encoded
// ("name=projects%2Fp%2Flocations%2Fl%2FnasJobs%2F1"; pairs joined by '&').
// Google's front end routes by it; the fake routes by the request itself, so a
// header that disagrees with the request is a client bug nothing else would
// show. The journal notes it (Tenant::Handle).
#pragma once

#include <string>

#include "fake/api/request.h"
#include "fake/api/router.h"

namespace nasfake::api {

// "" when the request has no routing header, the header does not name the
// path field, or its value is the path's; otherwise the note, e.g.
//   x-goog-request-params name="projects/p/locations/l/nasJobs/2" is not the
//   request's "projects/p/locations/l/nasJobs/1"
std::string RoutingHeaderMismatch(const Request& request, const ResolvedRequest& resolved);

}  // namespace nasfake::api
