#include "fake/status.h"

#include <array>

namespace nasfake {
namespace {

struct CodeInfo {
  std::string_view name;
  int http;
};

constexpr std::array<CodeInfo, 17> kCodes = {{
    {"OK", 200},
    {"CANCELLED", 499},
    {"UNKNOWN", 500},
    {"INVALID_ARGUMENT", 400},
    {"DEADLINE_EXCEEDED", 504},
    {"NOT_FOUND", 404},
    {"ALREADY_EXISTS", 409},
    {"PERMISSION_DENIED", 403},
    {"RESOURCE_EXHAUSTED", 429},
    {"FAILED_PRECONDITION", 400},
    {"ABORTED", 409},
    {"OUT_OF_RANGE", 400},
    {"UNIMPLEMENTED", 501},
    {"INTERNAL", 500},
    {"UNAVAILABLE", 503},
    {"DATA_LOSS", 500},
    {"UNAUTHENTICATED", 401},
}};

}  // namespace

std::string_view StatusCodeName(StatusCode code) {
  auto i = static_cast<size_t>(code);
  return i < kCodes.size() ? kCodes[i].name : "UNKNOWN";
}

std::optional<StatusCode> StatusCodeFromName(std::string_view name) {
  for (size_t i = 0; i < kCodes.size(); ++i) {
    if (kCodes[i].name == name) return static_cast<StatusCode>(i);
  }
  return std::nullopt;
}

int HttpStatusFor(StatusCode code) {
  auto i = static_cast<size_t>(code);
  return i < kCodes.size() ? kCodes[i].http : 500;
}

}  // namespace nasfake
