#include "fake/server/fake_server.h"

#include <chrono>

#include "fake/api/router.h"
#include "fake/errors.h"
#include "fake/server/seed.h"

namespace nasfake {

FakeServer::FakeServer(FakeServerOptions options)
    : options_(std::move(options)), default_tenant_(NewTenant(true)) {}

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
  std::unique_ptr<FakeServer> server(new FakeServer(std::move(options)));
  FakeServer* self = server.get();
  auto transport = server::HttpTransport::Start(
      transport_options, [self](api::HttpRequest&& request) { return self->Handle(request); });
  if (!transport.ok()) return transport.status();
  server->transport_ = std::move(*transport);
  const std::string& host = server->transport_->host();
  bool ipv6 = host.find(':') != std::string::npos;
  server->endpoint_ = "http://" + (ipv6 ? "[" + host + "]" : host) + ":" +
                      std::to_string(server->transport_->port());
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
    return Status(StatusCode::kResourceExhausted, "Too many test ids on this fake (" +
                                                      std::to_string(options_.max_tenants) +
                                                      "); reset or reuse them.");
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

api::HttpResponse FakeServer::Handle(const api::HttpRequest& request) {
  if (!options_.request_log) {
    Tenant::Outcome outcome;
    return Route(request, outcome);
  }
  const auto start = std::chrono::steady_clock::now();
  Tenant::Outcome outcome;
  api::HttpResponse response = Route(request, outcome);
  server::RequestLogRecord record;
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

api::HttpResponse FakeServer::Route(const api::HttpRequest& request, Tenant::Outcome& outcome) {
  if (!server::IsControlRequest(request)) {
    auto tenant = TenantFor(std::string(request.Header(server::kTestIdHeader).value_or("")));
    if (tenant.ok()) return (*tenant)->Handle(request, &outcome);
    api::HttpResponse response = api::ErrorResponse(tenant.status());
    outcome = {.rule = "", .action = "refused", .status = response.status};
    return response;
  }
  api::HttpResponse response;
  if (!options_.control_api) {
    response.status = 404;
    response.content_type = "text/html; charset=UTF-8";
    response.body = errors::HtmlErrorPage(404, request.target);
  } else if (!options_.control_token.empty() &&
             request.Header("x-nasfake-control-token") != options_.control_token) {
    response =
        api::ErrorResponse(Status(StatusCode::kPermissionDenied,
                                  "The control API needs the x-nasfake-control-token header."));
  } else {
    response = server::HandleControl(request, *this);
  }
  outcome = {.rule = "", .action = "control", .status = response.status};
  return response;
}

void FakeServer::Stop() {
  {
    std::lock_guard lock(mu_);
    default_tenant_->Shutdown();
    for (auto& [id, tenant] : tenants_) tenant->Shutdown();
  }
  if (transport_) transport_->Stop();
}

}  // namespace nasfake
