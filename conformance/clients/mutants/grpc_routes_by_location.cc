// Mutant grpc_routes_by_location (overrides RoutingParams).
//
// Bug: the routing header names the job's location instead of the job
// (`name=projects%2F…%2Flocations%2Fus-central1`): a client that routes every
// call by region, whatever the request's resource.
//
// Caught by: routing-header-sent over gRPC (REQUIRED): the journal notes that
// x-goog-request-params is not the request's name.
#include "conformance/clients/mutants/grpc_mutants.h"

namespace nasfake::mutants {
namespace {

class Client final : public GrpcNasJobsClient {
 public:
  using GrpcNasJobsClient::GrpcNasJobsClient;

 protected:
  std::string RoutingParams(std::string_view field, const std::string& value) override {
    // "projects/p/locations/l/nasJobs/1" → "projects/p/locations/l".
    const size_t locations = value.find("/locations/");
    const size_t end =
        locations == std::string::npos ? std::string::npos : value.find('/', locations + 11);
    return GrpcNasJobsClient::RoutingParams(field, value.substr(0, end));
  }
};

}  // namespace

std::unique_ptr<NasJobsApi> RoutesByLocation(GrpcNasJobsClient::Options options) {
  return std::make_unique<Client>(std::move(options));
}

}  // namespace nasfake::mutants
