#include "fake/server/recording_proxy.h"

#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <mutex>
#include <set>
#include <utility>

#include "fake/errors.h"
#include "scenarios/transcript.h"

namespace nasfake::server {
namespace {

// A port number 0..65535, or -1.
int PortNumber(std::string_view text) {
  int port = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc{} || end != text.data() + text.size() || port < 0 || port > 65535) return -1;
  return port;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

StatusOr<Upstream> ParseUpstream(const std::string& url) {
  auto invalid = [](std::string message) {
    return Status(StatusCode::kInvalidArgument, std::move(message));
  };
  std::string lower = Lower(url);
  Upstream upstream;
  upstream.tls = lower.rfind("https://", 0) == 0;
  if (!upstream.tls && lower.rfind("http://", 0) != 0) {
    return invalid(
        "--upstream must be an http:// or https:// URL, e.g. "
        "https://us-central1-aiplatform.googleapis.com");
  }
  if (upstream.tls) upstream.port = 443;
  std::string_view rest = std::string_view(url).substr(upstream.tls ? 8 : 7);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (end != std::string_view::npos && rest.substr(end) != "/") {
    return invalid("--upstream takes no path or query: requests keep their own targets");
  }
  if (authority.find('@') != std::string_view::npos) {
    return invalid("--upstream takes no user information");
  }
  upstream.url = url;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("--upstream: unclosed '[' in host");
    upstream.host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid("--upstream: unexpected text after ']'");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    upstream.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (upstream.host.empty()) return invalid("--upstream needs a host");
  if (!port_text.empty()) {
    int port = PortNumber(port_text);
    if (port <= 0) return invalid("--upstream: the port must be 1 to 65535");
    upstream.port = port;
  }
  return upstream;
}

namespace {

// Hop-by-hop headers (RFC 9110 §7.6.1) and the ones a Connection header names.
bool IsHopByHop(const std::string& lower_name, const std::set<std::string>& connection_tokens) {
  static const std::set<std::string> kHopByHop = {
      "connection",
      "keep-alive",
      "proxy-authenticate",
      "proxy-authorization",
      "proxy-connection",
      "te",
      "trailer",
      "transfer-encoding",
      "upgrade",
  };
  return kHopByHop.count(lower_name) > 0 || connection_tokens.count(lower_name) > 0;
}

// The lowercase tokens of every Connection header value.
template <typename Headers>
std::set<std::string> ConnectionTokens(const Headers& headers) {
  std::set<std::string> tokens;
  for (const auto& [name, value] : headers) {
    if (Lower(name) != "connection") continue;
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      std::string token = value.substr(start, comma - start);
      token.erase(0, token.find_first_not_of(" \t"));
      token.erase(token.find_last_not_of(" \t") + 1);
      if (!token.empty()) tokens.insert(Lower(token));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return tokens;
}

}  // namespace

class RecordingProxy::Impl {
 public:
  Impl(Upstream upstream, std::filesystem::path out, Options options)
      : upstream_(std::move(upstream)), out_(std::move(out)), options_(std::move(options)) {}

  // Forwards `request` and returns the upstream's answer (502 when it cannot
  // be had), recording the exchange and rewriting the transcript file.
  // Requests that arrive after BeginStop, or whose upstream call it cuts
  // short, are answered 502 and not recorded.
  api::Response Handle(api::Request&& request) {
    std::unique_ptr<httplib::ClientImpl> client = NewClient();
    {
      std::lock_guard lock(mu_);
      if (stopping_) return BadGateway(request);
      in_flight_.insert(client.get());
    }
    httplib::Result result = client->send(ForwardedRequest(request));
    bool aborted;
    {
      std::lock_guard lock(mu_);
      in_flight_.erase(client.get());
      aborted = stopping_;
    }
    if (!result && aborted) return BadGateway(request);  // cut short by BeginStop
    api::Response response = result ? Returned(*result) : BadGateway(request);
    if (!result) {
      options_.warn(request.method + " " + request.target + ": upstream failed (" +
                    FailureText(*client, result.error()) + "); answered 502");
    }
    scenarios::Exchange exchange{std::move(request), response};
    exchange.request.remote_addr.clear();
    scenarios::RedactCredentials(exchange);
    std::lock_guard lock(mu_);
    transcript_.exchanges.push_back(std::move(exchange));
    // A failed write is reported; the next one (or the one on stop) may succeed.
    if (Status s = WriteLocked(); !s.ok()) options_.warn(s.message());
    return response;
  }

  // From now on nothing is forwarded or recorded; upstream calls in flight
  // are cut short. Call before stopping the transport, so it stops at once.
  void BeginStop() {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (httplib::ClientImpl* client : in_flight_) client->stop();
  }

  // Writes the transcript now (atomically: a temporary file, renamed).
  Status Write() {
    std::lock_guard lock(mu_);
    return WriteLocked();
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return transcript_.exchanges.size();
  }

 private:
  // A client for one exchange (no keep-alive): plain, or TLS verifying the
  // upstream's chain and host name.
  std::unique_ptr<httplib::ClientImpl> NewClient() const {
    std::unique_ptr<httplib::ClientImpl> client;
    if (upstream_.tls) {
      auto tls = std::make_unique<httplib::SSLClient>(upstream_.host, upstream_.port);
      SSL_CTX_set_min_proto_version(tls->ssl_context(), TLS1_2_VERSION);
      tls->enable_server_certificate_verification(true);
      if (!options_.ca_file.empty()) tls->set_ca_cert_path(options_.ca_file);
      client = std::move(tls);
    } else {
      client = std::make_unique<httplib::ClientImpl>(upstream_.host, upstream_.port);
    }
    client->set_url_encode(false);  // the target goes out byte for byte
    client->set_decompress(false);
    client->set_keep_alive(false);
    client->set_connection_timeout(options_.connect_timeout);
    client->set_read_timeout(options_.upstream_timeout);
    client->set_write_timeout(options_.upstream_timeout);
    return client;
  }

  // Why an exchange failed, with OpenSSL's reason when verification did.
  std::string FailureText(const httplib::ClientImpl& client, httplib::Error error) const {
    std::string text = httplib::to_string(error);
    if (error == httplib::Error::SSLServerVerification) {
      long result = static_cast<const httplib::SSLClient&>(client).get_openssl_verify_result();
      text += result == X509_V_OK ? ": the certificate is not for " + upstream_.host
                                  : std::string(": ") + X509_verify_cert_error_string(result);
      text += options_.ca_file.empty() ? " (trusting the system's CAs; --upstream-ca FILE to "
                                         "trust others)"
                                       : " (trusting " + options_.ca_file + ")";
    }
    return text;
  }

  httplib::Request ForwardedRequest(const api::Request& request) const {
    httplib::Request forwarded;
    forwarded.method = request.method;
    forwarded.path = request.target;
    forwarded.body = request.body;
    std::set<std::string> tokens = ConnectionTokens(request.headers);
    for (const auto& [name, value] : request.headers) {
      // Host and Content-Length are the client's to set; no compression.
      if (name == "host" || name == "content-length" || name == "accept-encoding" ||
          name == "expect" || IsHopByHop(name, tokens)) {
        continue;
      }
      forwarded.headers.emplace(name, value);
    }
    return forwarded;
  }

  static api::Response Returned(const httplib::Response& upstream) {
    api::Response response;
    response.status = upstream.status;
    response.content_type.clear();  // none unless the upstream sent one
    std::set<std::string> tokens = ConnectionTokens(upstream.headers);
    bool have_content_type = false;
    for (const auto& [name, value] : upstream.headers) {
      std::string lower = Lower(name);
      if (lower == "content-type" && !have_content_type) {
        response.content_type = value;
        have_content_type = true;
      } else if (lower != "content-length" && lower != "content-type" &&
                 !IsHopByHop(lower, tokens)) {
        response.headers.emplace_back(std::move(lower), value);
      }
    }
    response.body = upstream.body;
    return response;
  }

  static api::Response BadGateway(const api::Request& request) {
    return errors::HtmlErrorResponse(502, request.target.substr(0, request.target.find('?')));
  }

  // Writes the transcript to a temporary file beside out_, then renames it
  // over out_. Errors name out_ (the user's path), never the temporary file.
  Status WriteLocked() {
    std::filesystem::path temp = out_;
    temp += ".tmp" + std::to_string(getpid());
    std::string text = scenarios::TranscriptToJson(transcript_)
                           .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                       "\n";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errors::CannotWriteFile(out_.string(), errno);
    int error = 0;
    for (size_t done = 0; done < text.size() && error == 0;) {
      ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n >= 0) {
        done += static_cast<size_t>(n);
      } else if (errno != EINTR) {
        error = errno;
      }
    }
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && ::rename(temp.c_str(), out_.c_str()) != 0) error = errno;
    if (error != 0) {
      ::unlink(temp.c_str());
      return errors::CannotWriteFile(out_.string(), error);
    }
    return Status();
  }

  const Upstream upstream_;
  const std::filesystem::path out_;
  const Options options_;
  mutable std::mutex mu_;  // guards everything below; held while the file is written
  scenarios::Transcript transcript_;
  std::set<httplib::ClientImpl*> in_flight_;
  bool stopping_ = false;
};

RecordingProxy::RecordingProxy(Upstream upstream, std::filesystem::path out, Options options)
    : impl_(std::make_unique<Impl>(std::move(upstream), std::move(out), std::move(options))) {}
RecordingProxy::~RecordingProxy() = default;
api::Response RecordingProxy::Handle(api::Request&& request) {
  return impl_->Handle(std::move(request));
}
void RecordingProxy::BeginStop() { impl_->BeginStop(); }
Status RecordingProxy::Write() { return impl_->Write(); }
size_t RecordingProxy::size() const { return impl_->size(); }

}  // namespace nasfake::server
