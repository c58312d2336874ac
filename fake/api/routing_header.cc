#include "fake/api/routing_header.h"

#include <string_view>

#include "fake/api/query.h"

namespace nasfake::api {

std::string RoutingHeaderMismatch(const Request& request, const ResolvedRequest& resolved) {
  const PathField field = PathFieldOf(resolved);
  if (field.name.empty()) return "";
  for (const auto& [name, value] : request.headers) {
    if (name != "x-goog-request-params") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != field.name) continue;
      std::optional<std::string> said = PercentDecode(pair.substr(eq + 1), true);
      if (said && *said == field.value) continue;
      return "x-goog-request-params " + std::string(field.name) + "=\"" +
             (said ? *said : std::string(pair.substr(eq + 1))) + "\" is not the request's \"" +
             field.value + "\"";
    }
  }
  return "";
}

}  // namespace nasfake::api
