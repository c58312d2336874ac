// Mutant grpc_no_call_deadline (overrides SetDeadline).
//
// Bug: the operation's deadline is kept by the client's own loops but never
// set on the call, so no grpc-timeout is sent and a call that gets no answer
// waits for ever (grpc++'s default): the classic forgotten
// ClientContext::set_deadline.
//
// Caught by: deadline-on-stalled-get over gRPC (no grpc-timeout; the client
// outlives its deadline and is killed).
#include "conformance/clients/mutants/grpc_mutants.h"

namespace nasfake::mutants {
namespace {

class Client final : public GrpcNasJobsClient {
 public:
  using GrpcNasJobsClient::GrpcNasJobsClient;

 protected:
  void SetDeadline(::grpc::ClientContext&, std::chrono::steady_clock::time_point) override {}
};

}  // namespace

std::unique_ptr<NasJobsApi> NoCallDeadline(GrpcNasJobsClient::Options options) {
  return std::make_unique<Client>(std::move(options));
}

}  // namespace nasfake::mutants
