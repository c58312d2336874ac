// The TLS settings a listening transport serves with (an OpenSSL SSL_CTX):
// TLS 1.2 and 1.3 only, OpenSSL's default ciphers for them, no
// renegotiation, the identity's certificate chain and key, and one ALPN
// protocol the server selects when the client offers it ("h2" for gRPC,
// "http/1.1" for REST; a client that offers neither gets no ALPN answer).
// Immutable once made; shared by every connection of a transport.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fake/status.h"
#include "fake/tls/certificates.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace nasfake::tls {

class ServerContext {
 public:
  // INVALID_ARGUMENT when the identity's PEM texts do not load or the key is
  // not the certificate's; INTERNAL when OpenSSL fails otherwise.
  static StatusOr<std::shared_ptr<const ServerContext>> Create(const ServerIdentity& identity,
                                                               std::string_view alpn);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  ssl_ctx_st* native() const { return ctx_; }
  // The ALPN protocol in wire form (a length byte, then the name).
  const std::string& alpn_wire() const { return alpn_wire_; }

 private:
  ServerContext(ssl_ctx_st* ctx, std::string alpn_wire);
  ssl_ctx_st* const ctx_;
  const std::string alpn_wire_;
};

}  // namespace nasfake::tls
