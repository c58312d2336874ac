// TLS on the REST endpoint (FakeServerOptions::tls) against independent
// clients — cpp-httplib's SSL client and raw OpenSSL — and the test
// certificates themselves. gRPC over TLS: tests/grpc/grpc_api_test.cc; the
// commands' TLS flags: serve_command_test.cc and record_replay_test.cc.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <string>

#include "fake/tls/certificates.h"
#include "scenarios/scenario_json.h"
#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::testing::IsOk;
using ::nasfake::testing::Reply;
using ::nasfake::testing::StatusIs;
using ::nasfake::testing::TestClient;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kJobs = "/v1/projects/123456789012/locations/us-central1/nasJobs";
const std::string kJob = kJobs + "/2111217356469436416";

std::unique_ptr<FakeServer> StartTlsServer(FakeServerOptions options = {}) {
  options.tls = true;
  auto server = testing::StartFakeServer(std::move(options));
  if (server != nullptr) {
    EXPECT_THAT(server->SeedFromPath(NASFAKE_SOURCE_DIR "/fixtures/seed"), IsOk());
  }
  return server;
}

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;

Cert ParsePem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Cert cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

// Whether `ca` verifies `leaf` as a TLS server certificate.
bool Verifies(const std::string& ca_pem, const std::string& leaf_pem) {
  Cert ca = ParsePem(ca_pem);
  Cert leaf = ParsePem(leaf_pem);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

// The subjectAltName entries of a certificate, as "DNS:name" and "IP:address".
std::set<std::string> AltNames(const std::string& pem) {
  Cert cert = ParsePem(pem);
  std::set<std::string> names;
  auto* list = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; list != nullptr && i < sk_GENERAL_NAME_num(list); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(list, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* dns = name->d.dNSName;
      names.insert("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                        static_cast<size_t>(ASN1_STRING_length(dns))));
    } else if (name->type == GEN_IPADD) {
      const ASN1_STRING* ip = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), text,
                sizeof text);
      names.insert(std::string("IP:") + text);
    }
  }
  GENERAL_NAMES_free(list);
  return names;
}

struct Handshake {
  bool ok = false;
  std::string alpn;  // the protocol the server selected
};

// A TLS handshake with 127.0.0.1:`port` by raw OpenSSL, offering at most
// `max_version` (and from TLS 1.0 up) and the ALPN protocols `alpn_wire`,
// trusting `ca_pem` and checking the certificate is for 127.0.0.1.
Handshake Connect(int port, int max_version, const std::string& ca_pem,
                  const std::string& alpn_wire) {
  Handshake result;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);  // so TLS 1.0 and 1.1 can be offered at all
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ParsePem(ca_pem).get());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(alpn_wire.data()),
                          static_cast<unsigned>(alpn_wire.size()));
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
    result.ok = SSL_connect(ssl) == 1;
    if (result.ok) {
      const unsigned char* selected = nullptr;
      unsigned length = 0;
      SSL_get0_alpn_selected(ssl, &selected, &length);
      result.alpn.assign(reinterpret_cast<const char*>(selected), length);
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  ERR_clear_error();
  return result;
}

// OpenSSL clients write with write(): a request sent on a connection the
// server reset would raise SIGPIPE, which every OpenSSL client program
// ignores. (The fake's own TLS never raises it: tls::SocketIo.)
[[maybe_unused]] const bool kSigpipeIgnored = (signal(SIGPIPE, SIG_IGN), true);

// --- The test certificates ----------------------------------------------------

TEST(TlsCertificateTest, NamesTheLoopbackAddressesLocalhostAndTheHostOnly) {
  auto identity = tls::MakeTestIdentity(tls::TestNames("build-7.example"));
  ASSERT_THAT(identity, IsOk());
  EXPECT_EQ(
      AltNames(identity->cert_pem),
      (std::set<std::string>{"IP:127.0.0.1", "IP:::1", "DNS:localhost", "DNS:build-7.example"}));
  Cert leaf = ParsePem(identity->cert_pem);
  EXPECT_EQ(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(leaf.get(), "build-7.example", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_host(leaf.get(), "other.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_ip_asc(leaf.get(), "10.0.0.1", 0), 1);
  // An address given as --host is an IP name, not a DNS one.
  EXPECT_EQ(AltNames(tls::MakeTestIdentity(tls::TestNames("192.0.2.7"))->cert_pem),
            (std::set<std::string>{"IP:127.0.0.1", "IP:::1", "DNS:localhost", "IP:192.0.2.7"}));
  EXPECT_EQ(tls::TestNames("127.0.0.1").size(), 3u);
}

TEST(TlsCertificateTest, EachIdentityHasAThrowawayCaThatSignsItsCertificateOnly) {
  auto a = tls::MakeTestIdentity({"127.0.0.1"});
  auto b = tls::MakeTestIdentity({"127.0.0.1"});
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(a->ca_pem, b->ca_pem);
  EXPECT_TRUE(Verifies(a->ca_pem, a->cert_pem));
  EXPECT_FALSE(Verifies(b->ca_pem, a->cert_pem));
  EXPECT_FALSE(Verifies(a->cert_pem, a->cert_pem));  // the server certificate is no CA
  Cert ca = ParsePem(a->ca_pem);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_THAT(a->key_pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
}

// --- REST over TLS --------------------------------------------------------------

TEST(TlsRestTest, ServesHttpsToAClientThatTrustsTheCa) {
  auto server = StartTlsServer();
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(server->endpoint(), MatchesRegex("https://127\\.0\\.0\\.1:[0-9]+"));
  EXPECT_THAT(server->ca_pem(), StartsWith("-----BEGIN CERTIFICATE-----"));
  TestClient client(*server);  // one keep-alive TLS connection
  Reply got = client.Get(kJob);
  ASSERT_EQ(got.status, 200) << got.error;
  EXPECT_EQ(got.json()["state"], "JOB_STATE_RUNNING");
  EXPECT_EQ(client.Post(kJob + ":cancel", "{}").status, 200);
  EXPECT_EQ(client.Get(kJob).json()["state"], "JOB_STATE_CANCELLING");
  EXPECT_EQ(client.Get(kJobs + "?pageSize=1").json()["nasJobs"].size(), 1u);
  EXPECT_EQ(server->journal().Entries().size(), 4u);
  // By name too: the certificate is for localhost.
  TestClient by_name("localhost", server->port(), server->ca_pem());
  EXPECT_EQ(by_name.Get(kJob).status, 200);
}

TEST(TlsRestTest, BodiesLargerThanATlsRecordTravelWhole) {
  auto server = StartTlsServer();
  ASSERT_NE(server, nullptr);
  const std::string big(3 << 20, 'x');  // 3 MiB: many records, many partial writes
  auto scenario = scenarios::ScenarioFromJson(
      json{{"name", "big"},
           {"rules",
            {{{"id", "big"},
              {"match", {{"operation", "nasJobs.get"}}},
              {"action", {{"answer", {{"status", 200}, {"body", big}}}}}}}}},
      "test");
  ASSERT_THAT(scenario, IsOk());
  ASSERT_THAT(server->LoadScenario(*scenario), IsOk());
  TestClient client(*server);
  Reply reply = client.Get(kJob);
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.body.size(), big.size());
  EXPECT_EQ(reply.body, big);
  // A large request body is read whole too: 1 MiB of JSON, which parses (the
  // API then refuses the job it describes).
  Reply refused = client.Post(kJobs, "{\"displayName\": \"" + std::string(1 << 20, 'y') + "\"}");
  EXPECT_EQ(refused.status, 400) << refused.error;
  EXPECT_EQ(refused.json()["error"]["status"], "INVALID_ARGUMENT");
  EXPECT_THAT(refused.json()["error"].value("message", ""), Not(HasSubstr("Invalid JSON")));
}

TEST(TlsRestTest, AClientWithoutTheCaIsRefusedAndPlaintextGetsNoAnswer) {
  auto server = StartTlsServer();
  ASSERT_NE(server, nullptr);
  TestClient untrusting("127.0.0.1", server->port(), "");  // the system's CAs only
  Reply refused = untrusting.Get(kJob);
  EXPECT_EQ(refused.status, 0);
  EXPECT_THAT(refused.error, HasSubstr("SSLServerVerification"));
  TestClient plaintext("127.0.0.1", server->port());
  EXPECT_EQ(plaintext.Get(kJob).status, 0);
  EXPECT_TRUE(server->journal().Entries().empty());  // neither got to send a request
  TestClient trusting(*server);
  EXPECT_EQ(trusting.Get(kJob).status, 200);
}

TEST(TlsRestTest, OnlyTls12AndLaterIsSpokenAndAlpnPicksEachPortsProtocol) {
  auto server = StartTlsServer();
  ASSERT_NE(server, nullptr);
  const std::string h2_and_http11 = std::string("\x02h2\x08http/1.1", 12);
  EXPECT_FALSE(Connect(server->port(), TLS1_VERSION, server->ca_pem(), h2_and_http11).ok);
  EXPECT_FALSE(Connect(server->port(), TLS1_1_VERSION, server->ca_pem(), h2_and_http11).ok);
  Handshake tls12 = Connect(server->port(), TLS1_2_VERSION, server->ca_pem(), h2_and_http11);
  EXPECT_TRUE(tls12.ok);
  EXPECT_EQ(tls12.alpn, "http/1.1");
  Handshake tls13 = Connect(server->port(), TLS1_3_VERSION, server->ca_pem(), h2_and_http11);
  EXPECT_TRUE(tls13.ok);
  EXPECT_EQ(tls13.alpn, "http/1.1");
  // The gRPC port: the same versions, and HTTP/2.
  int grpc_port = std::stoi(server->grpc_endpoint().substr(server->grpc_endpoint().rfind(':') + 1));
  EXPECT_FALSE(Connect(grpc_port, TLS1_1_VERSION, server->ca_pem(), h2_and_http11).ok);
  Handshake grpc = Connect(grpc_port, TLS1_3_VERSION, server->ca_pem(), h2_and_http11);
  EXPECT_TRUE(grpc.ok);
  EXPECT_EQ(grpc.alpn, "h2");
}

TEST(TlsRestTest, AGivenCertificateIsServedAndAKeyThatIsNotItsIsRefused) {
  auto identity = tls::MakeTestIdentity({"127.0.0.1"});
  auto other = tls::MakeTestIdentity({"127.0.0.1"});
  ASSERT_THAT(identity, IsOk());
  ASSERT_THAT(other, IsOk());
  FakeServerOptions options;
  options.tls_cert_pem = identity->cert_pem;
  options.tls_key_pem = identity->key_pem;
  auto server = StartTlsServer(options);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->ca_pem(), "");  // not ours to give
  TestClient client("127.0.0.1", server->port(), identity->ca_pem);
  EXPECT_EQ(client.Get(kJob).status, 200);

  options.tls = true;
  options.tls_key_pem = other->key_pem;
  EXPECT_THAT(FakeServer::Start(options),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not the certificate's")));
}

TEST(TlsRestTest, WireFaultsHappenOverTls) {
  auto server = StartTlsServer();
  ASSERT_NE(server, nullptr);
  auto scenario = scenarios::ScenarioFromJson(json::parse(R"({"name": "faults", "rules": [
        {"id": "reset", "match": {"operation": "nasJobs.get"}, "times": 1,
         "action": {"fault": "reset"}},
        {"id": "partial", "match": {"operation": "nasJobs.list"}, "times": 1,
         "action": {"fault": "partial", "bytes": 12}}]})"),
                                              "test");
  ASSERT_THAT(scenario, IsOk());
  ASSERT_THAT(server->LoadScenario(*scenario), IsOk());
  TestClient client(*server);
  EXPECT_EQ(client.Get(kJob).status, 0);
  EXPECT_EQ(client.Get(kJobs).status, 0);
  EXPECT_EQ(client.Get(kJob).status, 200);  // on a new connection, past the rules
  EXPECT_EQ(client.Get(kJobs).status, 200);
}

TEST(TlsRestTest, StopEndsHandshakingAndIdleTlsConnections) {
  auto server = StartTlsServer();
  ASSERT_NE(server, nullptr);
  TestClient idle(*server);
  ASSERT_EQ(idle.Get(kJob).status, 200);                          // its connection stays open
  int silent = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // connects, never says hello
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(silent, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  server->Stop();  // returns: neither connection holds it
  // Closed by the server: FIN once it was accepted, RST when Stop closed the
  // listener with it still in the backlog (a loaded machine's accept thread
  // may not have reached it yet).
  char byte;
  const ssize_t got = ::recv(silent, &byte, 1, 0);
  const int error = errno;
  EXPECT_TRUE(got == 0 || (got < 0 && error == ECONNRESET)) << got << " " << std::strerror(error);
  ::close(silent);
}

}  // namespace
}  // namespace nasfake
