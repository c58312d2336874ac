// The HTTP/1.1 transport: cpp-httplib's parser and writer, with the traps of
// Debian's compiled cpp-httplib 0.11.4 removed:
// - TCP_NODELAY on every accepted socket (no 40 ms Nagle stalls);
// - one thread per live connection from a growing pool, bounded by
//   max_connections (a 9th keep-alive client is served, not starved);
// - keep-alive without a per-connection request limit;
// - listen backlog raised to 1024;
// - no response compression (Accept-Encoding is ignored);
// - Stop() returns in milliseconds even while clients hold idle keep-alive
//   connections, and releases stalled faults.
// - TLS when Options::tls is set (https://): the handshake must finish
//   within read_timeout of the accept, as the first request must.
// Every wait is bounded: reading a request (headers and body) must finish
// within read_timeout; bodies over max_body_bytes are answered 413 without
// being read.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "fake/api/request.h"
#include "fake/status.h"
#include "fake/tls/server_context.h"

namespace nasfake::server {

class HttpTransport {
 public:
  using Handler = std::function<api::Response(api::Request&&)>;

  struct Options {
    std::string host = "127.0.0.1";
    int port = 0;  // 0: any free port
    size_t max_body_bytes = 16 * 1024 * 1024;
    size_t max_header_bytes = 64 * 1024;
    std::chrono::milliseconds read_timeout{10000};
    size_t max_connections = 1024;
    // Serve TLS (TLS 1.2+, ALPN "http/1.1") with this context; null: plaintext.
    std::shared_ptr<const tls::ServerContext> tls;
  };

  // Binds and starts serving on a background thread; returns once the port
  // accepts connections. Errors: UNAVAILABLE "cannot listen on HOST:PORT:
  // <reason>", the reason the OS's ("Address already in use", "Cannot assign
  // requested address") or '"HOST" is not an IP address or a known host name'.
  static StatusOr<std::unique_ptr<HttpTransport>> Start(const Options& options, Handler handler);

  ~HttpTransport();  // Stop()s
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  int port() const;
  const std::string& host() const;

  // Closes the listener and every connection, ends stalls, joins all threads.
  // Idempotent. Must not be called from inside the handler.
  void Stop();

 private:
  class Impl;
  explicit HttpTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nasfake::server
