// The whole conformance catalogue as GoogleTest cases, against the reference
// client called in-process: how a C++ client library adds the suite to its own
// test binary (conformance/gtest/conformance_gtest.h).
#include <gtest/gtest.h>

#include "conformance/clients/reference/nas_jobs_client.h"
#include "conformance/clients/reference/operation.h"
#include "conformance/gtest/conformance_gtest.h"

namespace {

using nasfake::conformance::ClientEnv;
using nasfake::conformance::ClientResult;

class InProcessReferenceClient : public nasfake::conformance::ClientUnderTest {
 public:
  ClientResult Run(const std::string& operation, const std::vector<std::string>& args,
                   const ClientEnv& env) override {
    nasfake::reference::NasJobsClient::Options options;
    options.endpoint = env.endpoint;
    options.token = env.token;
    options.deadline = env.deadline;
    nasfake::reference::NasJobsClient client(std::move(options));
    auto started = std::chrono::steady_clock::now();
    auto outcome = nasfake::reference::PerformOperation(client, operation, args);
    ClientResult result = outcome.exit_code == 2
                              ? ClientResult{2, "", outcome.problem, {}}
                              : ClientResult{outcome.exit_code, outcome.output.dump(), "", {}};
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return result;
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  int registered = nasfake::conformance::RegisterConformanceTests(
      "ReferenceClientConformance", [] { return std::make_unique<InProcessReferenceClient>(); });
  if (registered < 25) {
    std::cerr << "only " << registered << " conformance cases registered\n";
    return 1;
  }
  return RUN_ALL_TESTS();
}
