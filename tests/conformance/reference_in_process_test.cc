// The whole conformance catalogue as GoogleTest cases, against the reference
// client called in-process over both transports: how a C++ client library
// adds the suite to its own test binary (conformance/gtest/conformance_gtest.h).
// Under TSan the gRPC half is not registered: grpc++ is not instrumented
// (tests/grpc/grpc_test_support.h).
#include <gtest/gtest.h>

#include "conformance/clients/reference/grpc_nas_jobs_client.h"
#include "conformance/clients/reference/nas_jobs_client.h"
#include "conformance/clients/reference/operation.h"
#include "conformance/gtest/conformance_gtest.h"
#include "tests/grpc/grpc_test_support.h"

namespace {

using nasfake::api::Transport;
using nasfake::conformance::ClientEnv;
using nasfake::conformance::ClientResult;

// The client the adapter program would make for `env`.
std::unique_ptr<nasfake::reference::NasJobsApi> NewClient(const ClientEnv& env) {
  if (env.transport == Transport::kGrpc) {
    nasfake::reference::GrpcNasJobsClient::Options options;
    options.endpoint = env.grpc_endpoint;
    options.token = env.token;
    options.deadline = env.deadline;
    return std::make_unique<nasfake::reference::GrpcNasJobsClient>(std::move(options));
  }
  nasfake::reference::NasJobsClient::Options options;
  options.endpoint = env.endpoint;
  options.token = env.token;
  options.deadline = env.deadline;
  return std::make_unique<nasfake::reference::NasJobsClient>(std::move(options));
}

class InProcessReferenceClient : public nasfake::conformance::ClientUnderTest {
 public:
  ClientResult Run(const std::string& operation, const std::vector<std::string>& args,
                   const ClientEnv& env) override {
    auto client = NewClient(env);
    auto started = std::chrono::steady_clock::now();
    auto outcome = nasfake::reference::PerformOperation(*client, operation, args);
    ClientResult result = outcome.exit_code == 2
                              ? ClientResult{2, "", outcome.problem, {}}
                              : ClientResult{outcome.exit_code, outcome.output.dump(), "", {}};
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return result;
  }
  bool SupportsTransport(Transport transport) override {
    return transport == Transport::kRest || nasfake::testing::UseGrpcClient();
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  int registered = nasfake::conformance::RegisterConformanceTests(
      "ReferenceClientConformance", [] { return std::make_unique<InProcessReferenceClient>(); });
  const int expected = nasfake::testing::UseGrpcClient() ? 55 : 30;
  if (registered < expected) {
    std::cerr << "only " << registered << " conformance tests registered\n";
    return 1;
  }
  return RUN_ALL_TESTS();
}
