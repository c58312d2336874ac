#include "conformance/clients/reference/nas_jobs_api.h"

#include <algorithm>
#include <array>

namespace nasfake::reference {
namespace {

constexpr std::array<const char*, 17> kCodeNames = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

constexpr std::array<const char*, 12> kJobStateNames = {
    "JOB_STATE_UNSPECIFIED", "JOB_STATE_QUEUED",    "JOB_STATE_PENDING",
    "JOB_STATE_RUNNING",     "JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED",
    "JOB_STATE_CANCELLING",  "JOB_STATE_CANCELLED", "JOB_STATE_PAUSED",
    "JOB_STATE_EXPIRED",     "JOB_STATE_UPDATING",  "JOB_STATE_PARTIALLY_SUCCEEDED",
};

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

bool IsTerminalJobState(std::string_view state) {
  return state == "JOB_STATE_SUCCEEDED" || state == "JOB_STATE_FAILED" ||
         state == "JOB_STATE_CANCELLED" || state == "JOB_STATE_EXPIRED" ||
         state == "JOB_STATE_PARTIALLY_SUCCEEDED";
}

std::optional<std::string> JobStateName(int number) {
  if (number < 0 || number >= static_cast<int>(kJobStateNames.size())) return std::nullopt;
  return kJobStateNames[static_cast<size_t>(number)];
}

std::string StatusCodeName(int code) {
  if (code < 0 || code >= static_cast<int>(kCodeNames.size())) return "UNKNOWN";
  return kCodeNames[static_cast<size_t>(code)];
}

bool IsKnownCodeName(std::string_view name) {
  return std::any_of(kCodeNames.begin(), kCodeNames.end(),
                     [&](const char* known) { return name == known; });
}

std::string EncodeQueryValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace nasfake::reference
