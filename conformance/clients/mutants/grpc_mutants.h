// The gRPC mutant clients: each is the reference GrpcNasJobsClient with one
// customisation point overridden to add one realistic, gRPC-specific bug
// (README.md says which case catches each). One per grpc_<name>.cc; the
// program nasfake-grpc-mutant (mutant_adapter_main.cc) runs them as adapters.
#pragma once

#include <memory>

#include "conformance/clients/reference/grpc_nas_jobs_client.h"

namespace nasfake::mutants {

using reference::GrpcNasJobsClient;
using reference::NasJobsApi;

std::unique_ptr<NasJobsApi> NoCallDeadline(GrpcNasJobsClient::Options options);
std::unique_ptr<NasJobsApi> NoRoutingHeader(GrpcNasJobsClient::Options options);
std::unique_ptr<NasJobsApi> RoutesByLocation(GrpcNasJobsClient::Options options);
std::unique_ptr<NasJobsApi> IgnoresStatusDetails(GrpcNasJobsClient::Options options);
std::unique_ptr<NasJobsApi> NoTransparentRetry(GrpcNasJobsClient::Options options);

}  // namespace nasfake::mutants
