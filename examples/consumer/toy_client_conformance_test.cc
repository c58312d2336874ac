// The conformance catalogue's REQUIRED cases, run in-process against the toy
// client (conformance/gtest/conformance_gtest.h): each case becomes the test
// ToyClientConformance.<case id>, on a fresh embedded fake.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "conformance/gtest/conformance_gtest.h"
#include "toy_nasjobs_client.h"

namespace {

using nasfake::conformance::ClientEnv;
using nasfake::conformance::ClientResult;

// One adapter operation (conformance/PROTOCOL.md), performed in-process.
class ToyClientUnderTest : public nasfake::conformance::ClientUnderTest {
 public:
  ClientResult Run(const std::string& operation, const std::vector<std::string>& args,
                   const ClientEnv& env) override {
    auto started = std::chrono::steady_clock::now();
    toy::NasJobsClient client(env.endpoint, env.token, env.deadline);
    toy::Result result = Perform(client, operation, args);
    ClientResult out =
        result.ok() ? nasfake::conformance::Succeeded(*result.value)
                    : nasfake::conformance::FailedWith(result.error_status, result.error_message);
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return out;
  }

 private:
  static toy::Result Wrap(const char* key, toy::Result result) {
    if (result.ok()) result.value = nlohmann::json{{key, *result.value}};
    return result;
  }
  static toy::Result Perform(const toy::NasJobsClient& client, const std::string& operation,
                             const std::vector<std::string>& args) {
    if (operation == "get") return Wrap("job", client.Get(args.at(0)));
    if (operation == "cancel") return client.Cancel(args.at(0));
    if (operation == "cancel-and-wait") return Wrap("job", client.CancelAndWait(args.at(0)));
    if (operation == "list") return client.List(args.at(0), args.size() > 1 ? args[1] : "");
    if (operation == "delete") return Wrap("operation", client.Delete(args.at(0)));
    if (operation == "create") {
      std::ifstream file(args.at(1));
      return Wrap("job", client.Create(args.at(0), nlohmann::json::parse(file)));
    }
    return {std::nullopt, "UNIMPLEMENTED", "no operation " + operation};
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  nasfake::conformance::CatalogueOptions options;
  options.cases_dir = NASFAKE_DATA_DIR_FROM_CMAKE "/conformance/cases";
  options.scenarios_dir = NASFAKE_DATA_DIR_FROM_CMAKE "/scenarios/library";
  options.up_to = nasfake::conformance::Level::kRequired;  // the toy client does not retry
  int registered = nasfake::conformance::RegisterConformanceTests(
      "ToyClientConformance", [] { return std::make_unique<ToyClientUnderTest>(); }, options);
  if (registered == 0) {
    std::cerr << "no conformance case registered\n";
    return 1;
  }
  return RUN_ALL_TESTS();
}
