#include "tests/support/test_support.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <sstream>

namespace nasfake::testing {

std::string ReadSourceFile(std::string_view relative_path) {
  std::string path = std::string(NASFAKE_SOURCE_DIR) + "/" + std::string(relative_path);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json ReadJsonFixture(std::string_view relative_path) {
  return nlohmann::json::parse(ReadSourceFile(relative_path));
}

std::unique_ptr<FakeServer> StartFakeServer(FakeServerOptions options) {
  auto server = FakeServer::Start(std::move(options));
  EXPECT_THAT(server, IsOk());
  return server.ok() ? std::move(*server) : nullptr;
}

nlohmann::json Reply::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string Reply::Header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? "" : it->second;
}

struct TestClient::Impl {
  Impl(const std::string& host, int port, bool tls, const std::string& ca_pem)
      : client((tls ? "https://" : "http://") + HostPort(host, port)) {
    client.set_keep_alive(true);
    client.set_url_encode(false);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    if (!tls) return;
    client.enable_server_certificate_verification(true);
    if (ca_pem.empty()) return;
    X509_STORE* store = X509_STORE_new();
    BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, cert);
      X509_free(cert);
    }
    ERR_clear_error();  // the end of the text reads as an error
    BIO_free(bio);
    X509_STORE_set_default_paths(store);  // the system's CAs too
    client.set_ca_cert_store(store);      // takes it
  }

  static std::string HostPort(const std::string& host, int port) {
    bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }

  httplib::Client client;
};

TestClient::TestClient(const FakeServer& server)
    : impl_(std::make_unique<Impl>("127.0.0.1", server.port(),
                                   server.endpoint().rfind("https://", 0) == 0, server.ca_pem())) {}
TestClient::TestClient(const std::string& host, int port)
    : impl_(std::make_unique<Impl>(host, port, false, "")) {}
TestClient::TestClient(const std::string& host, int port, const std::string& ca_pem)
    : impl_(std::make_unique<Impl>(host, port, true, ca_pem)) {}
TestClient::~TestClient() = default;

Reply TestClient::Send(const std::string& method, const std::string& target,
                       const std::string& body, const std::map<std::string, std::string>& headers) {
  httplib::Request request;
  request.method = method;
  request.path = target;  // sent as written: the client does not re-encode it
  for (const auto& [name, value] : headers) request.headers.emplace(name, value);
  request.body = body;
  auto result = impl_->client.send(request);
  Reply reply;
  if (!result) {
    reply.error = httplib::to_string(result.error());
    return reply;
  }
  reply.status = result->status;
  reply.body = result->body;
  for (const auto& [name, value] : result->headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers.emplace(lower, value);
  }
  return reply;
}

Reply TestClient::Get(const std::string& target,
                      const std::map<std::string, std::string>& headers) {
  return Send("GET", target, "", headers);
}

Reply TestClient::Delete(const std::string& target) { return Send("DELETE", target, "", {}); }

Reply TestClient::Post(const std::string& target, const std::string& body,
                       const std::string& content_type,
                       const std::map<std::string, std::string>& headers) {
  auto all = headers;
  if (!content_type.empty()) all["Content-Type"] = content_type;
  return Send("POST", target, body, all);
}

uint64_t BeginEntry(journal::Journal& journal, const journal::Entry& request) {
  api::Request http;
  http.method = request.method;
  http.target = request.target;
  http.headers = request.headers;
  http.body = request.body;
  return journal.Begin({.request = http,
                        .operation = request.operation,
                        .resource = request.resource,
                        .virtual_time = request.virtual_time,
                        .real_time = request.real_time});
}

void CompleteEntry(journal::Journal& journal, uint64_t id, const journal::Entry& outcome) {
  api::Response http;
  http.content_type = outcome.response_content_type;
  http.headers = outcome.response_headers;
  http.body = outcome.response_body;
  http.fault = outcome.fault;
  journal.Complete(
      id,
      {.rule = outcome.rule, .action = outcome.action, .status = outcome.status, .response = http});
}

}  // namespace nasfake::testing
