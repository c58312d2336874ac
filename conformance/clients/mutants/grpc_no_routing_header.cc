// Mutant grpc_no_routing_header (overrides RoutingParams).
//
// Bug: no x-goog-request-params on any call: a hand-written stub that calls
// the method without the metadata GAPIC clients add (AIP-4222).
//
// Caught by: routing-header-sent over gRPC (REQUIRED); create and list-paging
// (the parent is not named).
#include "conformance/clients/mutants/grpc_mutants.h"

namespace nasfake::mutants {
namespace {

class Client final : public GrpcNasJobsClient {
 public:
  using GrpcNasJobsClient::GrpcNasJobsClient;

 protected:
  std::string RoutingParams(std::string_view, const std::string&) override { return ""; }
};

}  // namespace

std::unique_ptr<NasJobsApi> NoRoutingHeader(GrpcNasJobsClient::Options options) {
  return std::make_unique<Client>(std::move(options));
}

}  // namespace nasfake::mutants
