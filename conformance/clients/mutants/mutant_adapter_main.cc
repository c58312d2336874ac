// nasfake-grpc-mutant: the gRPC mutant clients (grpc_mutants.h) as conformance
// adapters (conformance/PROTOCOL.md), over gRPC only.
//
//   nasfake-grpc-mutant NAME <operation> <args…>   NAME: grpc_no_routing_header, …
//   nasfake conformance --transport grpc --client 'nasfake-grpc-mutant grpc_no_routing_header'
//
// An unknown NAME is a usage error (exit 2).
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "conformance/clients/mutants/grpc_mutants.h"
#include "conformance/clients/reference/adapter.h"

namespace {

using nasfake::mutants::GrpcNasJobsClient;
using nasfake::mutants::NasJobsApi;

struct Mutant {
  const char* name;
  std::unique_ptr<NasJobsApi> (*make)(GrpcNasJobsClient::Options);
};

constexpr Mutant kMutants[] = {
    {"grpc_no_call_deadline", nasfake::mutants::NoCallDeadline},
    {"grpc_no_routing_header", nasfake::mutants::NoRoutingHeader},
    {"grpc_routes_by_location", nasfake::mutants::RoutesByLocation},
    {"grpc_ignores_status_details", nasfake::mutants::IgnoresStatusDetails},
    {"grpc_no_transparent_retry", nasfake::mutants::NoTransparentRetry},
};

}  // namespace

int main(int argc, char** argv) {
  const std::string name = argc > 1 ? argv[1] : "";
  for (const Mutant& mutant : kMutants) {
    if (name != mutant.name) continue;
    const nasfake::reference::AdapterProgram program{
        .name = "nasfake-grpc-mutant " + name,
        .transports = {"grpc"},
        .new_client = [&](const nasfake::reference::ClientSettings& settings) {
          GrpcNasJobsClient::Options options;
          options.endpoint = settings.grpc_endpoint;
          options.token = settings.token;
          options.deadline = settings.deadline;
          return mutant.make(std::move(options));
        }};
    try {
      return nasfake::reference::RunAdapter(program,
                                            std::vector<std::string>(argv + 2, argv + argc));
    } catch (const std::exception& e) {
      std::cerr << "nasfake-grpc-mutant: internal error: " << e.what() << "\n";
      return 3;
    }
  }
  std::cerr << "nasfake-grpc-mutant: unknown mutant \"" << name << "\"; one of:";
  for (const Mutant& mutant : kMutants) std::cerr << " " << mutant.name;
  std::cerr << "\nusage: nasfake-grpc-mutant NAME <operation> <args…>\n";
  return 2;
}
