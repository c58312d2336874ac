#include "conformance/gtest/conformance_gtest.h"

#include <gtest/gtest.h>

#include "conformance/runner/report.h"
#include "fake/data_dir.h"

namespace nasfake::conformance {
namespace {

class CaseTest : public ::testing::Test {
 public:
  CaseTest(std::shared_ptr<const Case> test_case, api::Transport transport, ClientFactory factory)
      : case_(std::move(test_case)), transport_(transport), factory_(std::move(factory)) {}
  void TestBody() override {
    std::unique_ptr<ClientUnderTest> client = factory_();
    Verdict verdict = RunCase(*case_, *client, transport_);
    if (verdict.outcome == Outcome::kSkipped) GTEST_SKIP() << verdict.failures.front();
    if (!verdict.passed()) {
      std::vector<Verdict> one = {std::move(verdict)};
      ADD_FAILURE() << case_->title << "\n" << TextReport(one, false);
    }
  }

 private:
  std::shared_ptr<const Case> case_;
  api::Transport transport_;
  ClientFactory factory_;
};

class LoadFailure : public ::testing::Test {
 public:
  explicit LoadFailure(std::string why) : why_(std::move(why)) {}
  void TestBody() override { FAIL() << "cannot load the conformance catalogue: " << why_; }

 private:
  std::string why_;
};

}  // namespace

ClientResult Succeeded(const nlohmann::json& output) {
  return ClientResult{0, output.dump(), "", {}, {}};
}

ClientResult FailedWith(std::string_view status, std::string_view message) {
  nlohmann::json error = {{"error", {{"status", status}, {"message", message}}}};
  return ClientResult{
      1, error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "", {}, {}};
}

int RegisterConformanceTests(const std::string& suite, ClientFactory factory,
                             const CatalogueOptions& options) {
  std::filesystem::path cases_dir =
      options.cases_dir.empty() ? DataDir() / "conformance/cases" : options.cases_dir;
  std::filesystem::path scenarios_dir =
      options.scenarios_dir.empty() ? DataDir() / "scenarios/library" : options.scenarios_dir;
  auto cases = LoadCases(cases_dir, scenarios_dir, options.case_glob);
  if (!cases.ok()) {
    std::string why = cases.status().message();
    ::testing::RegisterTest(suite.c_str(), "LoadCatalogue", nullptr, nullptr, __FILE__, __LINE__,
                            [why]() -> ::testing::Test* { return new LoadFailure(why); });
    return 0;
  }
  Transports transports;
  {
    std::unique_ptr<ClientUnderTest> client = factory();
    for (api::Transport t : kEveryTransport) {
      if (client->SupportsTransport(t)) transports.push_back(t);
    }
  }
  int registered = 0;
  for (auto& c : *cases) {
    if (c.level > options.up_to) continue;
    std::string name = c.id;
    for (char& ch : name) {
      if (ch == '-') ch = '_';
    }
    auto shared = std::make_shared<const Case>(std::move(c));
    for (api::Transport transport : transports) {
      if (!AppliesTo(shared->transports, transport)) continue;
      const std::string suite_name = transport == api::Transport::kRest ? suite : suite + "Grpc";
      ::testing::RegisterTest(suite_name.c_str(), name.c_str(), nullptr,
                              std::string(LevelName(shared->level)).c_str(), __FILE__, __LINE__,
                              [shared, transport, factory]() -> ::testing::Test* {
                                return new CaseTest(shared, transport, factory);
                              });
      ++registered;
    }
  }
  return registered;
}

}  // namespace nasfake::conformance
