// Status and StatusOr: errors as values, in the shape of google.rpc.Status.
//
// A Status carries the google.rpc.Code, a message and the `details` list (each
// detail a JSON object with an "@type"). It maps one-to-one onto the error body
// `{"error":{"code":<http>,"message","status","details"}}` the API answers with;
// the HTTP status comes from the code (see HttpStatusFor).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace nasfake {

// google.rpc.Code, numbered as in google/rpc/code.proto.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "NOT_FOUND" for kNotFound, and so on.
std::string_view StatusCodeName(StatusCode code);
// The inverse of StatusCodeName; nullopt for a name that is not a code.
std::optional<StatusCode> StatusCodeFromName(std::string_view name);
// The HTTP status Google front ends use for a code (reference §4.2).
int HttpStatusFor(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, nlohmann::json details = nlohmann::json::array())
      : code_(code), message_(std::move(message)), details_(std::move(details)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // A JSON array of google.protobuf.Any objects (each has "@type").
  const nlohmann::json& details() const { return details_; }

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  nlohmann::json details_ = nlohmann::json::array();
};

// Holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  StatusOr(Status status) : value_(std::move(status)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(value_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(value_);
  }
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace nasfake
