// The reference client's gRPC transport: the NasJobsApi contract
// (nas_jobs_api.h) over google.cloud.aiplatform.v1.JobService and
// google.longrunning.Operations, with grpc++ and the generated stubs.
//
//   nasfake::reference::GrpcNasJobsClient client({.endpoint = "127.0.0.1:41235",
//                                                 .token = "t"});
//   auto job = client.CancelAndWait("projects/p/locations/l/nasJobs/1");
//
// Wire contract (every call):
//   - plaintext HTTP/2 to `endpoint` (h2c), one channel per client;
//   - the operation's deadline set on the call, so grpc-timeout carries the
//     time left and the server may give up when the client does;
//   - `authorization: Bearer <token>` metadata (omitted when the token is
//     empty): grpc++'s call credentials need TLS, so the token is plain
//     metadata, as it is a header over REST;
//   - `x-goog-request-params` naming the request's resource (`name=…` or
//     `parent=…`, form-encoded), as GAPIC clients send it (AIP-4222);
//   - user agent "nasfake-reference-client/1.0" in front of grpc++'s own.
//
// Retried (idempotent calls only), as Google's retry guidance asks:
// UNAVAILABLE (a connection reset or closed, a stream refused with
// REFUSED_STREAM, a proxy's 502/503) and RESOURCE_EXHAUSTED, after the
// google.rpc.RetryInfo delay of the error's details when the server asks for
// longer than the backoff. Never retried: any other code. A GOAWAY drain needs
// no retry of ours: grpc++ moves a call the server never processed to a new
// connection itself (so even a create survives it).
//
// Errors: the call's status code's name, its message, and its details
// (grpc-status-details-bin's google.rpc.Status) in the API's JSON ("@type"
// and the fields); a response that does not convert to JSON is UNKNOWN; the
// operation's deadline passing is DEADLINE_EXCEEDED.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "conformance/clients/reference/nas_jobs_api.h"

namespace nasfake::reference {

class GrpcNasJobsClient : public NasJobsApi {
 public:
  struct Options {
    std::string endpoint;  // "127.0.0.1:41235": host:port of the gRPC endpoint
    std::string token;
    // The overall deadline of each operation (all its calls, backoffs and
    // polls together); each call's deadline is what is left of it.
    std::chrono::milliseconds deadline{30000};
    RetryPolicy retry;
    PollPolicy poll;
  };

  // Never fails; the channel is made at the first call (an unusable endpoint
  // makes every call fail: INVALID_ARGUMENT when it is empty, else whatever
  // grpc++ says, UNAVAILABLE).
  explicit GrpcNasJobsClient(Options options);
  ~GrpcNasJobsClient() override;
  GrpcNasJobsClient(const GrpcNasJobsClient&) = delete;
  GrpcNasJobsClient& operator=(const GrpcNasJobsClient&) = delete;

  // JobService.GetNasJob.
  Result<nlohmann::json> Get(const std::string& name) override;
  // JobService.CancelNasJob.
  Result<nlohmann::json> Cancel(const std::string& name) override;
  Result<nlohmann::json> CancelAndWait(const std::string& name) override;
  // JobService.ListNasJobs, page_size 100.
  Result<nlohmann::json> List(const std::string& parent, const std::string& filter = "") override;
  // JobService.CreateNasJob with `job` read as a NasJob (proto3 JSON; a field
  // the message lacks is INVALID_ARGUMENT, before any call).
  Result<nlohmann::json> Create(const std::string& parent, const nlohmann::json& job) override;
  // JobService.DeleteNasJob, then Operations.GetOperation until it is done.
  Result<nlohmann::json> Delete(const std::string& name) override;

 protected:
  // The concerns a subclass may change, one per method (the mutant clients in
  // conformance/clients/mutants/ each override one to add one bug).

  // The channel the client's calls go over, made at the first call.
  virtual std::shared_ptr<::grpc::Channel> NewChannel(const std::string& endpoint);
  // Gives a call the operation's `deadline` (grpc-timeout).
  virtual void SetDeadline(::grpc::ClientContext& context,
                           std::chrono::steady_clock::time_point deadline);
  // The x-goog-request-params value for a request whose resource field
  // `field` ("name", "parent") is `value`; "" sends none.
  virtual std::string RoutingParams(std::string_view field, const std::string& value);
  // A failed call's details: grpc-status-details-bin's google.rpc.Status
  // details in the API's JSON; an empty array when there are none.
  virtual nlohmann::json StatusDetails(const ::grpc::Status& status);

 private:
  class Impl;  // the stubs, calls and their judgement (grpc_nas_jobs_client.cc)
  std::unique_ptr<Impl> impl_;
};

}  // namespace nasfake::reference
