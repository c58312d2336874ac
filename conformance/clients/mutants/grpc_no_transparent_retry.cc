// Mutant grpc_no_transparent_retry (overrides NewChannel).
//
// Bug: the channel is made with grpc.enable_retries = 0 (to "keep retries in
// the client's own hands"), which also turns off grpc's transparent retry of
// calls the server never processed: a server drain's GOAWAY fails a create
// with UNAVAILABLE, and the client does not retry a create itself.
//
// Caught by: goaway-drain-retried over gRPC (RECOMMENDED: one create, exit 1).
#include "conformance/clients/mutants/grpc_mutants.h"

namespace nasfake::mutants {
namespace {

class Client final : public GrpcNasJobsClient {
 public:
  using GrpcNasJobsClient::GrpcNasJobsClient;

 protected:
  std::shared_ptr<::grpc::Channel> NewChannel(const std::string& endpoint) override {
    ::grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    return ::grpc::CreateCustomChannel(endpoint, ::grpc::InsecureChannelCredentials(), args);
  }
};

}  // namespace

std::unique_ptr<NasJobsApi> NoTransparentRetry(GrpcNasJobsClient::Options options) {
  return std::make_unique<Client>(std::move(options));
}

}  // namespace nasfake::mutants
