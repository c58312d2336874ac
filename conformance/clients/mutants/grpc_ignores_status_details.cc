// Mutant grpc_ignores_status_details (overrides StatusDetails).
//
// Bug: grpc-status-details-bin is never read: the caller gets the code and
// message only, and a retry waits the backoff alone, whatever RetryInfo asks.
//
// Caught by: rate-limited-honours-retry-info over gRPC (RECOMMENDED: the
// retry comes ~50 ms after RESOURCE_EXHAUSTED instead of >= 2 s) and
// status-details-surfaced over gRPC (RECOMMENDED: no BadRequest).
#include "conformance/clients/mutants/grpc_mutants.h"

namespace nasfake::mutants {
namespace {

class Client final : public GrpcNasJobsClient {
 public:
  using GrpcNasJobsClient::GrpcNasJobsClient;

 protected:
  nlohmann::json StatusDetails(const ::grpc::Status&) override { return nlohmann::json::array(); }
};

}  // namespace

std::unique_ptr<NasJobsApi> IgnoresStatusDetails(GrpcNasJobsClient::Options options) {
  return std::make_unique<Client>(std::move(options));
}

}  // namespace nasfake::mutants
