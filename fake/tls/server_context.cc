#include "fake/tls/server_context.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "fake/tls/openssl_error.h"

namespace nasfake::tls {
namespace {

// Selects the server's one protocol when the client offers it.
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void* arg) {
  const auto* self = static_cast<const ServerContext*>(arg);
  const std::string& wire = self->alpn_wire();
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned int>(wire.size()), in,
                            inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

// Loads the certificate chain and key of `identity` into `ctx`.
Status UseIdentity(SSL_CTX* ctx, const ServerIdentity& identity) {
  auto invalid = [](std::string what) {
    ERR_clear_error();
    return Status(StatusCode::kInvalidArgument, std::move(what));
  };
  BIO* certs =
      BIO_new_mem_buf(identity.cert_pem.data(), static_cast<int>(identity.cert_pem.size()));
  if (certs == nullptr) return Status(StatusCode::kInternal, OpenSslError());
  X509* leaf = PEM_read_bio_X509(certs, nullptr, nullptr, nullptr);
  bool ok = leaf != nullptr && SSL_CTX_use_certificate(ctx, leaf) == 1;
  X509_free(leaf);
  while (ok) {
    X509* intermediate = PEM_read_bio_X509(certs, nullptr, nullptr, nullptr);
    if (intermediate == nullptr) break;
    ok = SSL_CTX_add0_chain_cert(ctx, intermediate) == 1;  // takes it on success
    if (!ok) X509_free(intermediate);
  }
  BIO_free(certs);
  if (!ok) return invalid("the TLS certificate is not a PEM certificate chain");
  ERR_clear_error();  // the end of the chain reads as an error

  BIO* key_bio =
      BIO_new_mem_buf(identity.key_pem.data(), static_cast<int>(identity.key_pem.size()));
  if (key_bio == nullptr) return Status(StatusCode::kInternal, OpenSslError());
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  if (key == nullptr) return invalid("the TLS key is not an unencrypted PEM private key");
  ok = SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
  EVP_PKEY_free(key);
  if (!ok) return invalid("the TLS key is not the certificate's");
  return Status();
}

}  // namespace

StatusOr<std::shared_ptr<const ServerContext>> ServerContext::Create(const ServerIdentity& identity,
                                                                     std::string_view alpn) {
  if (alpn.empty() || alpn.size() > 255) {
    return Status(StatusCode::kInvalidArgument, "an ALPN protocol is 1 to 255 bytes");
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Status(StatusCode::kInternal, "SSL_CTX_new: " + OpenSslError());
  std::shared_ptr<const ServerContext> context(
      new ServerContext(ctx, static_cast<char>(alpn.size()) + std::string(alpn)));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // A peer that closes without close_notify is an ordinary end of stream
  // here, as it is for the plaintext transports.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Writes behave as send(): partial progress is reported, and a retry may
  // pass the same bytes from another address.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, const_cast<ServerContext*>(context.get()));
  if (Status s = UseIdentity(ctx, identity); !s.ok()) return s;
  return context;
}

ServerContext::ServerContext(ssl_ctx_st* ctx, std::string alpn_wire)
    : ctx_(ctx), alpn_wire_(std::move(alpn_wire)) {}

ServerContext::~ServerContext() { SSL_CTX_free(ctx_); }

}  // namespace nasfake::tls
