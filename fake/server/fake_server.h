// FakeServer: the whole fake on a loopback port, in-process.
//
//   auto server = nasfake::FakeServer::Start().value();   // 127.0.0.1:<free port>
//   MyClient client(server->endpoint());                   // "http://127.0.0.1:41234"
//   server->clock()->Advance(std::chrono::seconds(2));     // virtual time
//
// Any number of servers may run in one process; each owns its state. The
// destructor stops the server; Stop() returns in milliseconds even while
// clients hold keep-alive connections, and ends every hold and delay.
//
// State is kept per tenant (see tenant.h): the accessors below reach the
// default tenant, which serves requests without an `x-nasfake-test-id` header.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "fake/api/http.h"
#include "fake/env.h"
#include "fake/journal/journal.h"
#include "fake/server/control_api.h"
#include "fake/server/http_transport.h"
#include "fake/server/request_log.h"
#include "fake/server/tenant.h"
#include "fake/status.h"
#include "scenarios/scenario.h"

namespace nasfake {

struct FakeServerOptions {
  FakeOptions fake;                          // clock, lifecycle, auth, ID seed
  server::HttpTransport::Options transport;  // host (127.0.0.1), port (0: any free)
  // Serve the control API under /__nasfake/. When `control_token` is set,
  // control requests must carry it in `x-nasfake-control-token`.
  bool control_api = true;
  std::string control_token;
  // Test ids beyond this many are refused (RESOURCE_EXHAUSTED).
  size_t max_tenants = 1024;
  // When set, called once per request (API and control API) with what
  // answered it (server/request_log.h). Off by default.
  server::RequestLogSink request_log;
};

class FakeServer : private server::TenantDirectory {
 public:
  // UNAVAILABLE when the address cannot be bound.
  static StatusOr<std::unique_ptr<FakeServer>> Start(FakeServerOptions options = {});
  ~FakeServer() override;
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // "http://127.0.0.1:41234": the base URL clients use; API paths start with /v1/.
  const std::string& endpoint() const { return endpoint_; }
  int port() const;

  // The default tenant. (A control-API reset of the default tenant replaces
  // it: references taken before are then stale.)
  Tenant& tenant() { return *default_tenant_; }
  FakeEnv& env() { return tenant().env(); }
  store::JobStore& jobs() { return env().jobs(); }
  journal::Journal& journal() { return tenant().journal(); }
  scenarios::ScenarioEngine& scenario_engine() { return tenant().engine(); }
  // The virtual clock; null when the server was given a real clock.
  store::VirtualClock* clock() { return env().virtual_clock(); }

  // Seeds jobs and trial details from a fixture file, or every *.json file of
  // a directory in name order (see server/seed.h for the format).
  Status SeedFromPath(const std::filesystem::path& path);
  // Applies a scenario to the default tenant (see Tenant::ApplyScenario).
  Status LoadScenario(const scenarios::Scenario& scenario);

  // One request through the same path as over HTTP, without a socket.
  api::HttpResponse Handle(const api::HttpRequest& request);

  void Stop();

 private:
  explicit FakeServer(FakeServerOptions options);
  StatusOr<std::shared_ptr<Tenant>> TenantFor(const std::string& test_id) override;
  std::shared_ptr<Tenant> ResetTenant(const std::string& test_id) override;
  std::shared_ptr<Tenant> NewTenant(bool is_default) const;
  // Handle without the request log; `outcome` receives what answered.
  api::HttpResponse Route(const api::HttpRequest& request, Tenant::Outcome& outcome);

  const FakeServerOptions options_;
  std::mutex mu_;  // guards the tenant map and default_tenant_ swaps
  std::shared_ptr<Tenant> default_tenant_;
  std::map<std::string, std::shared_ptr<Tenant>> tenants_;
  std::unique_ptr<server::HttpTransport> transport_;
  std::string endpoint_;
};

}  // namespace nasfake
