// FakeServer: the whole fake on a loopback port, in-process.
//
//   auto server = nasfake::FakeServer::Start().value();   // 127.0.0.1:<free port>
//   MyClient client(server->endpoint());                   // "http://127.0.0.1:41234"
//   MyGrpcClient grpc_client(server->grpc_endpoint());     // "127.0.0.1:41235" (h2c)
//   server->clock()->Advance(std::chrono::seconds(2));     // virtual time
//
// Over TLS (FakeServerOptions::tls): endpoint() is "https://127.0.0.1:41234",
// gRPC is HTTP/2 over TLS, and clients trust ca_pem():
//   auto server = nasfake::FakeServer::Start({.tls = true}).value();
//   grpc::SslCredentialsOptions ssl{.pem_root_certs = server->ca_pem()};
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

#include "fake/api/request.h"
#include "fake/env.h"
#include "fake/grpc/grpc_front_end.h"
#include "fake/grpc/grpc_transport.h"
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
  // The gRPC endpoint (JobService and google.longrunning.Operations over
  // HTTP/2, fake/grpc/): on by default, on the same host as `transport`
  // (its `grpc_transport.host` is ignored), port grpc_transport.port (0: any).
  bool grpc = true;
  grpc::GrpcTransport::Options grpc_transport;
  // Serve both endpoints over TLS 1.2+ (REST: https://, ALPN http/1.1; gRPC:
  // ALPN h2) with tls_cert_pem (the certificate, then any intermediates) and
  // tls_key_pem; when both are empty, with a throwaway CA and a certificate
  // it signed for 127.0.0.1, ::1, localhost and transport.host, made at
  // Start (in memory: nothing is written to disk), whose CA ca_pem() gives.
  // `transport.tls` and `grpc_transport.tls` are set from these.
  bool tls = false;
  std::string tls_cert_pem;
  std::string tls_key_pem;
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
  // UNAVAILABLE when an address cannot be bound: "cannot listen on HOST:PORT:
  // <reason>", prefixed "gRPC: " when it is the gRPC port.
  static StatusOr<std::unique_ptr<FakeServer>> Start(FakeServerOptions options = {});
  ~FakeServer() override;
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // "http://127.0.0.1:41234" ("https://…" with tls): the base URL clients
  // use; API paths start with /v1/.
  const std::string& endpoint() const { return endpoint_; }
  int port() const;
  // "127.0.0.1:41235": the gRPC target (HTTP/2, over TLS with tls); "" when
  // gRPC is off.
  const std::string& grpc_endpoint() const { return grpc_endpoint_; }
  // With tls and no given certificate: the PEM certificate of the CA that
  // signed the server's, for clients to trust. Empty otherwise.
  const std::string& ca_pem() const { return ca_pem_; }

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
  api::Response Handle(const api::Request& request);

  void Stop();

 private:
  explicit FakeServer(FakeServerOptions options);
  StatusOr<std::shared_ptr<Tenant>> TenantFor(const std::string& test_id) override;
  std::shared_ptr<Tenant> ResetTenant(const std::string& test_id) override;
  std::shared_ptr<Tenant> NewTenant(bool is_default) const;
  // Ends every hold, delay and wait of every tenant (Tenant::Shutdown).
  void ShutdownTenants();
  // Handle without the request log; `outcome` receives what answered.
  api::Response Route(const api::Request& request, Tenant::Outcome& outcome);

  const FakeServerOptions options_;
  std::mutex mu_;  // guards the tenant map and default_tenant_ swaps
  std::shared_ptr<Tenant> default_tenant_;
  std::map<std::string, std::shared_ptr<Tenant>> tenants_;
  std::unique_ptr<server::HttpTransport> transport_;
  std::string endpoint_;
  grpc::GrpcFrontEnd grpc_front_end_;
  std::unique_ptr<grpc::GrpcTransport> grpc_transport_;
  std::string grpc_endpoint_;
  std::string ca_pem_;
};

}  // namespace nasfake
