// nasfake-reference-adapter: the conformance adapter (conformance/PROTOCOL.md)
// for the reference client, over REST and (when built with grpc++) gRPC.
//
//   export NASFAKE_ENDPOINT=http://127.0.0.1:41234 NASFAKE_TOKEN=t NASFAKE_DEADLINE_MS=5000
//   nasfake-reference-adapter cancel-and-wait projects/p/locations/l/nasJobs/1
//   export NASFAKE_TRANSPORT=grpc NASFAKE_GRPC_ENDPOINT=127.0.0.1:41235
//   nasfake-reference-adapter get projects/p/locations/l/nasJobs/1
//
// Performs one operation and prints exactly one JSON object on stdout:
//   success   → {"job": …} | {} | {"jobs": […]} | {"operation": …}, exit 0;
//   API error → {"error": {"status": "<google.rpc.Code name>", "message": "…"
//                [, "details": […]]}}, exit 1.
// Usage errors (unknown operation, wrong argument count, the transport's
// endpoint unset, a transport it does not speak, NASFAKE_DEADLINE_MS not a
// positive integer, FILE unreadable or not JSON) print a message on stderr
// and nothing on stdout, exit 2.
//
//   nasfake-reference-adapter capabilities   {"operations": [all six],
//                                            "transports": ["rest", "grpc"]}
//   nasfake-reference-adapter persistent     one JSON request per line on stdin
//                                            ({"operation","args","transport",
//                                            "endpoint","grpcEndpoint","token",
//                                            "deadlineMs"}), one answer per line
//                                            on stdout, until EOF (exit 0); a
//                                            usage error ends it (exit 2).
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "conformance/clients/reference/adapter.h"
#include "conformance/clients/reference/nas_jobs_client.h"
#if NASFAKE_REFERENCE_GRPC
#include "conformance/clients/reference/grpc_nas_jobs_client.h"
#endif

namespace {

using nasfake::reference::ClientSettings;
using nasfake::reference::NasJobsApi;

std::unique_ptr<NasJobsApi> NewClient(const ClientSettings& settings) {
#if NASFAKE_REFERENCE_GRPC
  if (settings.transport == "grpc") {
    nasfake::reference::GrpcNasJobsClient::Options options;
    options.endpoint = settings.grpc_endpoint;
    options.token = settings.token;
    options.deadline = settings.deadline;
    return std::make_unique<nasfake::reference::GrpcNasJobsClient>(std::move(options));
  }
#endif
  nasfake::reference::NasJobsClient::Options options;
  options.endpoint = settings.endpoint;
  options.token = settings.token;
  options.deadline = settings.deadline;
  return std::make_unique<nasfake::reference::NasJobsClient>(std::move(options));
}

}  // namespace

int main(int argc, char** argv) {
  const nasfake::reference::AdapterProgram program {
    .name = "nasfake-reference-adapter",
#if NASFAKE_REFERENCE_GRPC
    .transports = {"rest", "grpc"},
#else
    .transports = {"rest"},
#endif
    .new_client = NewClient
  };
  try {
    return nasfake::reference::RunAdapter(program, std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    // Not an API error: a bug. Nothing valid was printed, so the runner reports a crash.
    std::cerr << "nasfake-reference-adapter: internal error: " << e.what() << "\n";
    return 3;
  }
}
