// The reference client's REST transport (Vertex AI NasJobs REST API, v1),
// written the way a client-library author would write one: the NasJobsApi
// contract (nas_jobs_api.h) over HTTP/1.1 and JSON.
//
//   nasfake::reference::NasJobsClient client({.endpoint = "http://127.0.0.1:41234",
//                                             .token = "t"});
//   auto job = client.CancelAndWait("projects/p/locations/l/nasJobs/1");
//   if (!job) std::cerr << job.error().status << ": " << job.error().message;
//   else std::cout << (*job)["state"];   // "JOB_STATE_CANCELLED", "JOB_STATE_SUCCEEDED", …
//
// Wire contract (every request):
//   - `Authorization: Bearer <token>` (omitted only when the token is empty),
//     `Accept: application/json`, `Accept-Encoding: identity` (no compression);
//   - `Content-Type: application/json` only on requests with a body (create,
//     cancel); GET and DELETE carry no body and no Content-Type;
//   - resource names go into the path as `/v1/` + name, each '/'-separated
//     segment percent-encoded on its own (RFC 3986 unreserved characters kept),
//     so '/' stays a separator and nothing is encoded twice;
//   - keep-alive connections with TCP_NODELAY.
//
// Retried (idempotent calls only): HTTP 429, 500, 502, 503, 504 and
// connection failures/resets, after RetryInfo.retryDelay in the error body
// or a Retry-After header when the server asks for longer than the backoff.
// Never retried: any other status (400, 401, 403, 404, 409, …) or a 2xx with
// a bad body.
//
// Errors: every failure is an Error {status, message, details}, `status` a
// google.rpc.Code name, chosen as conformance/PROTOCOL.md says: the error
// body's `status` first, else from the HTTP status; `details` the body's
// error.details; a 2xx answer that is not the expected JSON object is
// UNKNOWN; a connection that fails, is reset or closes early is UNAVAILABLE;
// the operation's deadline passing is DEADLINE_EXCEEDED.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "conformance/clients/reference/nas_jobs_api.h"

namespace nasfake::reference {

// The google.rpc.Code name for an error answer without a usable body, as
// google-gax maps it (PROTOCOL.md): 400 INVALID_ARGUMENT, 401
// UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 409 ABORTED, 429
// RESOURCE_EXHAUSTED, 499 CANCELLED, 501 UNIMPLEMENTED, 503 UNAVAILABLE, 504
// DEADLINE_EXCEEDED, other 4xx FAILED_PRECONDITION, other 5xx INTERNAL;
// anything else (1xx, 3xx) UNKNOWN.
std::string StatusNameForHttp(int http_status);
// `name` as a URL path: each '/'-separated segment percent-encoded (all but
// RFC 3986 unreserved characters), the separators kept: "a b/c" → "a%20b/c".
std::string EncodePath(std::string_view name);

class NasJobsClient final : public NasJobsApi {
 public:
  struct Options {
    // Base URL without a trailing slash: "http://127.0.0.1:41234" (a path
    // prefix, "http://host:port/prefix", is kept in front of "/v1/").
    std::string endpoint;
    std::string token;
    // The overall deadline of each operation (all its attempts, backoffs and
    // polls together); every HTTP exchange's connect/read/write timeouts are
    // the time remaining, and an exchange still running at the deadline is
    // aborted. After it: DEADLINE_EXCEEDED.
    std::chrono::milliseconds deadline{30000};
    RetryPolicy retry;
    PollPolicy poll;
  };

  // Never fails; an unusable endpoint makes every call fail with
  // INVALID_ARGUMENT, without touching the network.
  explicit NasJobsClient(Options options);
  ~NasJobsClient() override;
  NasJobsClient(const NasJobsClient&) = delete;
  NasJobsClient& operator=(const NasJobsClient&) = delete;

  // GET /v1/{name}.
  Result<nlohmann::json> Get(const std::string& name) override;
  // POST /v1/{name}:cancel with body `{}`.
  Result<nlohmann::json> Cancel(const std::string& name) override;
  Result<nlohmann::json> CancelAndWait(const std::string& name) override;
  // GET /v1/{parent}/nasJobs?pageSize=100[&filter=…][&pageToken=…].
  Result<nlohmann::json> List(const std::string& parent, const std::string& filter = "") override;
  // POST /v1/{parent}/nasJobs with `job` as the body.
  Result<nlohmann::json> Create(const std::string& parent, const nlohmann::json& job) override;
  // DELETE /v1/{name}, then GET /v1/{operation name} until it is done.
  Result<nlohmann::json> Delete(const std::string& name) override;

 private:
  class Impl;  // the connection and the HTTP exchanges (nas_jobs_client.cc)
  std::unique_ptr<Impl> impl_;
};

}  // namespace nasfake::reference
