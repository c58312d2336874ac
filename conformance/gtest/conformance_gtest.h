// The conformance catalogue as GoogleTest cases, for a C++ client library's
// own test binary: each case runs on an in-process fake, with the client
// called in-process (no adapter program).
//
//   class MyClientUnderTest : public nasfake::conformance::ClientUnderTest {
//     ClientResult Run(const std::string& operation, const std::vector<std::string>& args,
//                      const ClientEnv& env) override { … }   // PROTOCOL.md, in-process
//   };
//   int main(int argc, char** argv) {
//     ::testing::InitGoogleTest(&argc, argv);
//     nasfake::conformance::RegisterConformanceTests(
//         "MyClientConformance", [] { return std::make_unique<MyClientUnderTest>(); });
//     return RUN_ALL_TESTS();
//   }
//
// Each case becomes the test <suite>.<case id with '-' as '_'> over REST, and
// <suite>Grpc.<case id …> over gRPC, for the transports the client speaks
// (ClientUnderTest::SupportsTransport: REST alone unless it says otherwise;
// ClientEnv::transport tells Run which one a case is about). A failure message
// lists the expectations violated and the request journal. A case whose
// operation the client does not perform (ClientUnderTest::Supports) is
// skipped.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "conformance/runner/conformance_case.h"
#include "conformance/runner/runner.h"

namespace nasfake::conformance {

using ClientFactory = std::function<std::unique_ptr<ClientUnderTest>()>;

struct CatalogueOptions {
  // Empty: the bundled catalogue and scenario library, under nasfake::DataDir()
  // (fake/data_dir.h): the source tree, or <prefix>/share/nasfake once installed.
  std::filesystem::path cases_dir;
  std::filesystem::path scenarios_dir;
  Level up_to = Level::kOptional;  // cases of this level and stricter
  std::string case_glob = "*";
};

// Registers the catalogue with GoogleTest, asking one client made by
// `factory` which transports it speaks. Returns the number of tests
// registered (a case over two transports is two); a catalogue that cannot be
// loaded registers one failing test that says why.
int RegisterConformanceTests(const std::string& suite, ClientFactory factory,
                             const CatalogueOptions& options = {});

// Builds the result an adapter would have printed, for in-process clients:
// exit 0 and `output` on success; exit 1 and {"error":{"status","message"}}
// for an API error.
ClientResult Succeeded(const nlohmann::json& output);
ClientResult FailedWith(std::string_view status, std::string_view message);

}  // namespace nasfake::conformance
