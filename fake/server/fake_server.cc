#include "fake/server/fake_server.h"

#include "fake/server/seed.h"

namespace nasfake {

FakeServer::FakeServer(FakeServerOptions options) : env_(std::move(options.fake)), router_(env_) {}

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
  return server::SeedFromPath(path, env_.jobs());
}

api::HttpResponse FakeServer::Handle(const api::HttpRequest& request) const {
  return router_.Handle(request);
}

void FakeServer::Stop() {
  if (transport_) transport_->Stop();
}

}  // namespace nasfake
