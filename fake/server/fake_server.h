// FakeServer: the whole fake on a loopback port, in-process.
//
//   auto server = nasfake::FakeServer::Start().value();   // 127.0.0.1:<free port>
//   MyClient client(server->endpoint());                   // "http://127.0.0.1:41234"
//   server->clock()->Advance(std::chrono::seconds(2));     // virtual time
//
// Any number of servers may run in one process; each owns its state. The
// destructor stops the server; Stop() returns in milliseconds even while
// clients hold keep-alive connections.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "fake/api/http.h"
#include "fake/api/router.h"
#include "fake/env.h"
#include "fake/server/http_transport.h"
#include "fake/status.h"

namespace nasfake {

struct FakeServerOptions {
  FakeOptions fake;                          // clock, lifecycle, auth, ID seed
  server::HttpTransport::Options transport;  // host (127.0.0.1), port (0: any free)
};

class FakeServer {
 public:
  // UNAVAILABLE when the address cannot be bound.
  static StatusOr<std::unique_ptr<FakeServer>> Start(FakeServerOptions options = {});
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // "http://127.0.0.1:41234": the base URL clients use; API paths start with /v1/.
  const std::string& endpoint() const { return endpoint_; }
  int port() const;

  FakeEnv& env() { return env_; }
  store::JobStore& jobs() { return env_.jobs(); }
  // The virtual clock; null when the server was given a real clock.
  store::VirtualClock* clock() { return env_.virtual_clock(); }

  // Seeds jobs and trial details from a fixture file, or every *.json file of
  // a directory in name order (see server/seed.h for the format).
  Status SeedFromPath(const std::filesystem::path& path);

  // One request through the same path as over HTTP, without a socket.
  api::HttpResponse Handle(const api::HttpRequest& request) const;

  void Stop();

 private:
  explicit FakeServer(FakeServerOptions options);

  FakeEnv env_;
  api::Router router_;
  std::unique_ptr<server::HttpTransport> transport_;
  std::string endpoint_;
};

}  // namespace nasfake
