// nasfake record: a recording proxy in front of an upstream (the real API
// through a local HTTP proxy, or a fake), writing what it sees as a
// transcript that `nasfake replay` serves again.
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "fake/errors.h"
#include "fake/server/http_transport.h"
#include "fake/version.h"
#include "scenarios/transcript.h"

namespace nasfake::cli {
namespace {

constexpr char kRecordUsage[] =
    "Usage: nasfake record --upstream URL --out TRANSCRIPT [flags]\n"
    "\n"
    "A recording proxy: serves HTTP until SIGINT or SIGTERM, forwards every request to\n"
    "the upstream and returns its answer unchanged, and records each exchange into\n"
    "TRANSCRIPT for 'nasfake replay'. The first line on stdout is\n"
    "'NASFAKE_ENDPOINT=http://HOST:PORT', for scripts to read.\n"
    "\n"
    "TRANSCRIPT is replaced at start (by an empty transcript) and rewritten after\n"
    "every exchange and on stop, each time atomically (a temporary file, renamed), so\n"
    "a crash loses nothing. It records each request as received and each answer as\n"
    "returned. An upstream that cannot be reached, or does not answer within 60s, is\n"
    "answered (and recorded) as Google's HTML 502 page.\n"
    "\n"
    "Forwarded: the method, target, body and headers, except Host, Content-Length,\n"
    "Accept-Encoding (no compressed answers are asked for) and hop-by-hop headers.\n"
    "Returned: the status, Content-Type, body and headers, except hop-by-hop ones.\n"
    "\n"
    "Exit status: 0 after a clean stop; 1 when the transcript could not be written on\n"
    "stop; 2 for bad flags (an https:// upstream included); 3 when TRANSCRIPT cannot\n"
    "be written at start or the address cannot be bound.\n"
    "\n"
    "Flags:\n"
    "  --upstream URL   http://HOST[:PORT] to forward to (required; http only: put a\n"
    "                   local TLS-terminating proxy in front of an https API)\n"
    "  --out PATH       the transcript file to write (required)\n"
    "  --host ADDR      address to listen on (default 127.0.0.1; anything not loopback\n"
    "                   must be asked for explicitly with this flag)\n"
    "  --port N         port (default 0: any free port)\n"
    "  -h, --help       print this help\n"
    "  --version        print the version\n";

constexpr std::chrono::seconds kConnectTimeout{5};
constexpr std::chrono::seconds kUpstreamTimeout{60};

int UsageError(const std::string& message) {
  std::cerr << "nasfake record: " << message << "\nRun 'nasfake record --help' for the flags.\n";
  return kExitUsage;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct Upstream {
  std::string host;  // an IPv6 address without brackets
  int port = 80;
  std::string url;  // as given, for messages
};

// http://HOST[:PORT][/]; anything else is an error message.
std::variant<Upstream, std::string> ParseUpstream(const std::string& url) {
  std::string lower = Lower(url);
  if (lower.rfind("https://", 0) == 0) {
    return std::string(
        "--upstream must be an http:// URL: nasfake record does not speak TLS (put a local "
        "TLS-terminating proxy in front of an https API and record through it)");
  }
  if (lower.rfind("http://", 0) != 0) {
    return std::string("--upstream must be an http:// URL, e.g. http://127.0.0.1:8080");
  }
  std::string_view rest = std::string_view(url).substr(7);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (end != std::string_view::npos && rest.substr(end) != "/") {
    return std::string("--upstream takes no path or query: requests keep their own targets");
  }
  if (authority.find('@') != std::string_view::npos) {
    return std::string("--upstream takes no user information");
  }
  Upstream upstream;
  upstream.url = url;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::string("--upstream: unclosed '[' in host");
    upstream.host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::string("--upstream: unexpected text after ']'");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    upstream.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (upstream.host.empty()) return std::string("--upstream needs a host");
  if (!port_text.empty()) {
    auto port = ParsePort(std::string(port_text));
    if (!port || *port == 0) return std::string("--upstream: the port must be 1 to 65535");
    upstream.port = *port;
  }
  return upstream;
}

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

// Forwards requests, records exchanges. Thread-safe: the transport calls
// Handle from one thread per connection.
class Recorder {
 public:
  Recorder(Upstream upstream, std::filesystem::path out)
      : upstream_(std::move(upstream)), out_(std::move(out)) {}

  // Forwards `request` and returns the upstream's answer (502 when it cannot
  // be had), recording the exchange and rewriting the transcript file.
  // Requests that arrive after BeginStop, or whose upstream call it cuts
  // short, are answered 502 and not recorded.
  api::HttpResponse Handle(api::HttpRequest&& request) {
    httplib::Client client(upstream_.host, upstream_.port);
    client.set_url_encode(false);  // the target goes out byte for byte
    client.set_decompress(false);
    client.set_keep_alive(false);
    client.set_connection_timeout(kConnectTimeout);
    client.set_read_timeout(kUpstreamTimeout);
    client.set_write_timeout(kUpstreamTimeout);
    {
      std::lock_guard lock(mu_);
      if (stopping_) return BadGateway(request);
      in_flight_.insert(&client);
    }
    httplib::Result result = client.send(ForwardedRequest(request));
    bool aborted;
    {
      std::lock_guard lock(mu_);
      in_flight_.erase(&client);
      aborted = stopping_;
    }
    if (!result && aborted) return BadGateway(request);  // cut short by BeginStop
    api::HttpResponse response = result ? Returned(*result) : BadGateway(request);
    if (!result) {
      std::cerr << "nasfake record: " << request.method << " " << request.target
                << ": upstream failed (" << httplib::to_string(result.error())
                << "); answered 502\n";
    }
    std::lock_guard lock(mu_);
    request.remote_addr.clear();
    transcript_.exchanges.push_back({std::move(request), response});
    // A failed write is reported; the next one (or the one on stop) may succeed.
    if (Status s = WriteLocked(); !s.ok()) std::cerr << "nasfake record: " << s.message() << "\n";
    return response;
  }

  // From now on nothing is forwarded or recorded; upstream calls in flight
  // are cut short. Call before stopping the transport, so it stops at once.
  void BeginStop() {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (httplib::Client* client : in_flight_) client->stop();
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
  httplib::Request ForwardedRequest(const api::HttpRequest& request) const {
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

  static api::HttpResponse Returned(const httplib::Response& upstream) {
    api::HttpResponse response;
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

  static api::HttpResponse BadGateway(const api::HttpRequest& request) {
    api::HttpResponse response;
    response.status = 502;
    response.content_type = "text/html; charset=UTF-8";
    response.body = errors::HtmlErrorPage(502, request.target.substr(0, request.target.find('?')));
    return response;
  }

  Status WriteLocked() {
    std::filesystem::path temp = out_;
    temp += ".tmp" + std::to_string(getpid());
    {
      std::ofstream file(temp, std::ios::binary | std::ios::trunc);
      file << scenarios::TranscriptToJson(transcript_)
                  .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
           << "\n";
      file.close();
      if (!file) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        return Status(StatusCode::kUnavailable, "cannot write " + temp.string());
      }
    }
    std::error_code ec;
    std::filesystem::rename(temp, out_, ec);
    if (ec) {
      std::filesystem::remove(temp, ec);
      return Status(StatusCode::kUnavailable,
                    "cannot write " + out_.string() + " (renaming " + temp.string() + ")");
    }
    return Status();
  }

  const Upstream upstream_;
  const std::filesystem::path out_;
  mutable std::mutex mu_;  // guards everything below; held while the file is written
  scenarios::Transcript transcript_;
  std::set<httplib::Client*> in_flight_;
  bool stopping_ = false;
};

}  // namespace

int Record(const std::vector<std::string>& args) {
  server::HttpTransport::Options options;
  std::optional<Upstream> upstream;
  std::optional<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (flag == "--version") return PrintVersion();
    if (flag == "--help" || flag == "-h") {
      std::cout << kRecordUsage;
      return kExitOk;
    } else if (flag == "--upstream") {
      auto v = value();
      if (!v || v->empty()) {
        return UsageError("--upstream needs a URL such as http://127.0.0.1:8080");
      }
      auto parsed = ParseUpstream(*v);
      if (auto* error = std::get_if<std::string>(&parsed)) return UsageError(*error);
      upstream = std::get<Upstream>(std::move(parsed));
    } else if (flag == "--out") {
      auto v = value();
      if (!v || v->empty()) return UsageError("--out needs a file path");
      out = *v;
    } else if (flag == "--host") {
      auto v = value();
      if (!v || v->empty()) return UsageError("--host needs an address");
      options.host = *v;
    } else if (flag == "--port") {
      auto v = value();
      auto port = v ? ParsePort(*v) : std::nullopt;
      if (!port) return UsageError("--port needs a number from 0 to 65535");
      options.port = *port;
    } else {
      return UsageError("unknown flag '" + flag + "'");
    }
  }
  if (!upstream) return UsageError("--upstream is required");
  if (!out) return UsageError("--out is required");

  Recorder recorder(*upstream, *out);
  if (Status s = recorder.Write(); !s.ok()) {
    std::cerr << "nasfake record: " << s.message() << "\n";
    return kExitCannotRun;
  }

  sigset_t stop_signals = BlockStopSignals();  // before any thread starts
  auto transport = server::HttpTransport::Start(options, [&recorder](api::HttpRequest&& request) {
    return recorder.Handle(std::move(request));
  });
  if (!transport.ok()) {
    std::cerr << "nasfake record: " << ListenError(transport.status().message()) << "\n";
    return kExitCannotRun;
  }
  std::string endpoint = Endpoint((*transport)->host(), (*transport)->port());
  std::cout << "NASFAKE_ENDPOINT=" << endpoint << std::endl;
  std::cerr << "nasfake " << NASFAKE_VERSION << " recording at " << endpoint << ": forwarding to "
            << upstream->url << ", writing " << *out << ". Stop with Ctrl-C.\n";
  if (!IsLoopback(options.host)) {
    std::cerr << "nasfake record: WARNING: listening on " << options.host
              << ", beyond loopback: anyone who can reach it can use the upstream through it.\n";
  }
  const char* signal_name = WaitForStopSignal(stop_signals);
  recorder.BeginStop();
  (*transport)->Stop();
  Status written = recorder.Write();
  if (!written.ok()) std::cerr << "nasfake record: " << written.message() << "\n";
  std::cerr << "nasfake record: stopped (" << signal_name << "); " << recorder.size()
            << " exchanges " << (written.ok() ? "written to " : "NOT written to ") << *out << "\n";
  return written.ok() ? kExitOk : kExitFailure;
}

}  // namespace nasfake::cli
