#include "fake/server/fake_server.h"

#include <chrono>

#include "fake/api/router.h"
#include "fake/errors.h"
#include "fake/server/seed.h"
#include "fake/tls/certificates.h"
#include "fake/tls/server_context.h"

namespace nasfake {

FakeServer::FakeServer(FakeServerOptions options)
    : options_(std::move(options)),
      default_tenant_(NewTenant(true)),
      grpc_front_end_([this](api::Request&& request) { return Handle(request); }) {}

namespace {

// "HOST:PORT", an IPv6 address in brackets.
std::string HostPort(const std::string& host, int port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

std::shared_ptr<Tenant> FakeServer::NewTenant(bool is_default) const {
  FakeOptions fake = options_.fake;
  // A given virtual clock belongs to the default tenant; every other tenant
  // gets a virtual clock of its own. A real clock is shared.
  if (!is_default && dynamic_cast<store::VirtualClock*>(fake.clock.get()) != nullptr) {
    fake.clock = nullptr;
  }
  return std::make_shared<Tenant>(std::move(fake));
}

StatusOr<std::unique_ptr<FakeServer>> FakeServer::Start(FakeServerOptions options) {
  server::HttpTransport::Options transport_options = options.transport;
  std::shared_ptr<const tls::ServerContext> grpc_tls;
  std::string ca_pem;
  transport_options.tls = nullptr;
  if (options.tls) {
    tls::ServerIdentity identity{options.tls_cert_pem, options.tls_key_pem, ""};
    if (identity.cert_pem.empty() && identity.key_pem.empty()) {
      auto made = tls::MakeTestIdentity(tls::TestNames(transport_options.host));
      if (!made.ok()) return made.status();
      identity = std::move(*made);
    }
    auto rest = tls::ServerContext::Create(identity, "http/1.1");
    if (!rest.ok()) return rest.status();
    auto grpc = tls::ServerContext::Create(identity, "h2");
    if (!grpc.ok()) return grpc.status();
    transport_options.tls = std::move(*rest);
    grpc_tls = std::move(*grpc);
    ca_pem = std::move(identity.ca_pem);
  }
  std::unique_ptr<FakeServer> server(new FakeServer(std::move(options)));
  server->ca_pem_ = std::move(ca_pem);
  FakeServer* self = server.get();
  auto transport = server::HttpTransport::Start(
      transport_options, [self](api::Request&& request) { return self->Handle(request); });
  if (!transport.ok()) return transport.status();
  server->transport_ = std::move(*transport);
  server->endpoint_ = (server->options_.tls ? "https://" : "http://") +
                      HostPort(server->transport_->host(), server->transport_->port());
  if (server->options_.grpc) {
    grpc::GrpcTransport::Options grpc_options = server->options_.grpc_transport;
    grpc_options.host = transport_options.host;
    grpc_options.tls = grpc_tls;
    // Holds and delays end when the server stops, so waiting handlers return.
    grpc_options.on_stop = [self] { self->ShutdownTenants(); };
    auto grpc = grpc::GrpcTransport::Start(grpc_options, [self](const grpc::GrpcCall& call) {
      return self->grpc_front_end_.Handle(call);
    });
    if (!grpc.ok()) return Status(grpc.status().code(), "gRPC: " + grpc.status().message());
    server->grpc_transport_ = std::move(*grpc);
    server->grpc_endpoint_ =
        HostPort(server->grpc_transport_->host(), server->grpc_transport_->port());
  }
  return server;
}

FakeServer::~FakeServer() { Stop(); }

int FakeServer::port() const { return transport_->port(); }

Status FakeServer::SeedFromPath(const std::filesystem::path& path) {
  return server::SeedFromPath(path, jobs());
}

Status FakeServer::LoadScenario(const scenarios::Scenario& scenario) {
  return tenant().ApplyScenario(scenario);
}

StatusOr<std::shared_ptr<Tenant>> FakeServer::TenantFor(const std::string& test_id) {
  std::lock_guard lock(mu_);
  if (test_id.empty()) return default_tenant_;
  auto it = tenants_.find(test_id);
  if (it != tenants_.end()) return it->second;
  if (tenants_.size() >= options_.max_tenants) {
    return errors::TooManyTestIds(options_.max_tenants);
  }
  return tenants_.emplace(test_id, NewTenant(false)).first->second;
}

std::shared_ptr<Tenant> FakeServer::ResetTenant(const std::string& test_id) {
  std::shared_ptr<Tenant> fresh = NewTenant(test_id.empty());
  std::shared_ptr<Tenant> old;
  {
    std::lock_guard lock(mu_);
    if (test_id.empty()) {
      old = std::exchange(default_tenant_, fresh);
    } else {
      old = std::exchange(tenants_[test_id], fresh);
    }
  }
  if (old) old->Shutdown();  // requests still waiting on it are released
  return fresh;
}

api::Response FakeServer::Handle(const api::Request& request) {
  if (!options_.request_log) {
    Tenant::Outcome outcome;
    return Route(request, outcome);
  }
  const auto start = std::chrono::steady_clock::now();
  Tenant::Outcome outcome;
  api::Response response = Route(request, outcome);
  server::RequestLogRecord record;
  record.grpc = request.transport == api::Transport::kGrpc;
  record.test_id = request.Header(server::kTestIdHeader).value_or("");
  record.method = request.method;
  record.target = request.target;
  record.status = outcome.status;
  record.rule = outcome.rule;
  record.action = outcome.action;
  record.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  options_.request_log(record);
  return response;
}

api::Response FakeServer::Route(const api::Request& request, Tenant::Outcome& outcome) {
  if (!server::IsControlRequest(request)) {
    auto tenant = TenantFor(std::string(request.Header(server::kTestIdHeader).value_or("")));
    if (tenant.ok()) return (*tenant)->Handle(request, &outcome);
    api::Response response = errors::ErrorResponse(tenant.status());
    outcome = {.rule = "", .action = "refused", .status = response.status};
    return response;
  }
  api::Response response;
  if (!options_.control_api) {
    response = errors::HtmlErrorResponse(404, request.target);
  } else if (!options_.control_token.empty() &&
             request.Header("x-nasfake-control-token") != options_.control_token) {
    response = errors::ErrorResponse(errors::ControlTokenRequired());
  } else {
    response = server::HandleControl(request, *this);
  }
  outcome = {.rule = "", .action = "control", .status = response.status};
  return response;
}

void FakeServer::ShutdownTenants() {
  std::lock_guard lock(mu_);
  default_tenant_->Shutdown();
  for (auto& [id, tenant] : tenants_) tenant->Shutdown();
}

void FakeServer::Stop() {
  ShutdownTenants();
  if (grpc_transport_) grpc_transport_->Stop();
  if (transport_) transport_->Stop();
}

}  // namespace nasfake
