// Helpers shared by the test suites: fixtures, a loopback HTTP client, and a
// JSON matcher whose failure message is the JSON Patch from actual to expected.
// Includes fake/testing/status_matchers.h, so every suite prints a Status the
// same way and has IsOk / StatusIs / IsOkAndHolds.
#pragma once

#include <gmock/gmock.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fake/server/fake_server.h"
#include "fake/testing/status_matchers.h"

namespace nasfake::testing {

// A file under the source tree, e.g. "fixtures/reference/nasjob-state-running.json".
std::string ReadSourceFile(std::string_view relative_path);
nlohmann::json ReadJsonFixture(std::string_view relative_path);

// Journal entries written as Entry values, for tests of the journal itself:
// BeginEntry records `request`'s method, target, headers, body, operation,
// resource and times; CompleteEntry records `outcome`'s rule, action, status,
// response_content_type, response_headers, response_body and fault.
uint64_t BeginEntry(journal::Journal& journal, const journal::Entry& request);
void CompleteEntry(journal::Journal& journal, uint64_t id, const journal::Entry& outcome);

// A FakeServer on 127.0.0.1 with a virtual clock; fails the test if it cannot start.
std::unique_ptr<FakeServer> StartFakeServer(FakeServerOptions options = {});

struct Reply {
  int status = 0;                                   // 0: the request failed at the transport
  std::string error;                                // the transport error, if any
  std::multimap<std::string, std::string> headers;  // names lowercase
  std::string body;
  nlohmann::json json() const;  // the body parsed (discarded value if not JSON)
  std::string Header(const std::string& lowercase_name) const;
};

// One keep-alive HTTP/1.1 connection to a server (cpp-httplib client).
class TestClient {
 public:
  // To the server's endpoint(): over TLS trusting its ca_pem() when it has one.
  explicit TestClient(const FakeServer& server);
  TestClient(const std::string& host, int port);
  // Over TLS (https://host:port), verifying the server's certificate and
  // host name against the system's CAs and `ca_pem` (PEM text; "" for the
  // system's alone).
  TestClient(const std::string& host, int port, const std::string& ca_pem);
  ~TestClient();
  Reply Get(const std::string& target, const std::map<std::string, std::string>& headers = {});
  Reply Delete(const std::string& target);
  // `content_type` empty: the request carries no Content-Type header.
  Reply Post(const std::string& target, const std::string& body,
             const std::string& content_type = "application/json",
             const std::map<std::string, std::string>& headers = {});
  Reply Send(const std::string& method, const std::string& target, const std::string& body,
             const std::map<std::string, std::string>& headers);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Matches a JSON value (or JSON text) equal to `expected`; on mismatch it
// prints the JSON Patch that turns the actual value into the expected one.
MATCHER_P(EqualsJson, expected, "") {
  nlohmann::json actual;
  if constexpr (std::is_convertible_v<decltype(arg), std::string_view>) {
    actual = nlohmann::json::parse(std::string_view(arg), nullptr, false);
  } else {
    actual = arg;
  }
  nlohmann::json want = expected;
  if (actual == want) return true;
  *result_listener << "\n  actual: " << actual.dump()
                   << "\n  patch to expected: " << nlohmann::json::diff(actual, want).dump();
  return false;
}

// Matches a Reply that is a Google error body with this HTTP status and
// `status` name, whose message matches `message_matcher`.
MATCHER_P3(IsApiError, http_status, status_name, message_matcher, "") {
  nlohmann::json body = arg.json();
  bool shape = body.is_object() && body.contains("error") && body["error"].is_object();
  if (arg.status != http_status || !shape || body["error"].value("code", 0) != http_status ||
      body["error"].value("status", "") != std::string(status_name)) {
    *result_listener << "status " << arg.status << ", body " << arg.body;
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, body["error"].value("message", ""),
                                       result_listener);
}

}  // namespace nasfake::testing
