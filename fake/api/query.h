// Splitting a raw request-target into path segments and query parameters the
// way Google's front end does: each path segment is percent-decoded on its
// own (so "%2F" never creates a new segment), the query is split on '&' and
// '=' and decoded with '+' as a space.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nasfake::api {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct ParsedTarget {
  std::string_view path;              // raw, without the query
  std::vector<std::string> segments;  // decoded; the leading '/' yields no segment
  std::string verb;                   // the custom verb of the last segment ("cancel"), if any
  QueryParams query;                  // decoded, in order
};

// nullopt when the target is not origin-form ("/..."), or has a bad or NUL
// percent-escape.
std::optional<ParsedTarget> ParseTarget(std::string_view target);

// Decodes %XX escapes (and '+' as space when asked). nullopt on a malformed
// escape or a decoded NUL byte.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Every byte but RFC 3986's unreserved ones (and '/' when `keep_slash`) as
// %XX with uppercase hex: one spelling per value, as a path or query value.
std::string PercentEncode(std::string_view text, bool keep_slash);

}  // namespace nasfake::api
