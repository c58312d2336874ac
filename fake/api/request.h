// The transport-neutral request and response: what every front end turns a
// call into, and what it renders back. A request is spelled as the API's HTTP
// rule spells it (method, target, JSON body), whichever transport it came on:
// REST (server/http_transport.h) copies it off the wire, gRPC transcodes the
// call to it. The journal, the scenario engine and the router see only these
// values; tests and fuzzers call the router with them directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake/api/wire_fault.h"

namespace nasfake::api {

// Header names are stored lowercase.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The front end a request came on.
enum class Transport { kRest, kGrpc };
// "rest", "grpc": the journal's and scenario rules' spelling.
std::string_view TransportName(Transport transport);
std::optional<Transport> TransportFromName(std::string_view name);

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // the raw request-target: "/v1/projects/p/...:cancel?$alt=json"
  HeaderList headers;  // HTTP headers, or gRPC metadata
  std::string body;    // JSON text (a gRPC call's request message in proto3 JSON)
  std::string remote_addr;
  Transport transport = Transport::kRest;
  // When the client stops waiting (a gRPC call's grpc-timeout); REST has none.
  std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt;

  // The first value of a header (name in any case); nullopt when absent.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=UTF-8";
  HeaderList headers;  // extra headers
  std::string body;
  std::optional<WireFault> fault;
};

}  // namespace nasfake::api
