// Transport-neutral HTTP request and response values. The router turns one
// into the other; the transport (server/http_transport.h) moves them across a
// socket, and tests and fuzzers can call the router with them directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nasfake::api {

// Header names are stored lowercase.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // the raw request-target: "/v1/projects/p/...:cancel?$alt=json"
  HeaderList headers;
  std::string body;
  std::string remote_addr;

  // The first value of a header (name in any case); nullopt when absent.
  std::optional<std::string_view> Header(std::string_view name) const;
};

// What the socket does instead of (or while) sending the response. The
// transport performs it on the exact bytes it would have sent.
struct WireFault {
  enum class Kind {
    kReset,                // RST, nothing sent
    kCloseBeforeResponse,  // FIN, nothing sent
    kPartialThenClose,     // the first `bytes` bytes of the response, then FIN
    kStall,                // send nothing for `duration` (or until stop), then FIN
    kDribble,              // send the response `bytes` bytes at a time, `duration` apart
  };
  Kind kind = Kind::kReset;
  size_t bytes = 0;
  std::chrono::milliseconds duration{0};
  friend bool operator==(const WireFault&, const WireFault&) = default;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=UTF-8";
  HeaderList headers;  // extra headers
  std::string body;
  std::optional<WireFault> fault;
};

}  // namespace nasfake::api
