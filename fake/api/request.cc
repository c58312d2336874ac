#include "fake/api/request.h"

#include <strings.h>

namespace nasfake::api {

std::string_view TransportName(Transport transport) {
  return transport == Transport::kGrpc ? "grpc" : "rest";
}

std::optional<Transport> TransportFromName(std::string_view name) {
  if (name == "rest") return Transport::kRest;
  if (name == "grpc") return Transport::kGrpc;
  return std::nullopt;
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace nasfake::api
