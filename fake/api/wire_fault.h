// Wire faults: what a front end does on the socket instead of (or while)
// sending an answer. The one table of fault kinds (NASFAKE_WIRE_FAULT_KINDS)
// gives each kind its enumerator, its name in scenario files, journals and
// transcripts, and the parameters it takes; the enum and every name lookup are
// generated from it, so a new kind is one row plus its behaviour in the front
// ends (server/http_transport.cc, grpc/grpc_transport.cc), which switch over
// the enum without a default and so fail to compile until they handle it.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace nasfake::api {

// HTTP/2 error codes (RFC 9113 §7), for the faults that send one: X(value, name).
#define NASFAKE_HTTP2_ERROR_CODES(X)                                               \
  X(0x0, "NO_ERROR") X(0x1, "PROTOCOL_ERROR") X(0x2, "INTERNAL_ERROR")             \
  X(0x3, "FLOW_CONTROL_ERROR") X(0x4, "SETTINGS_TIMEOUT") X(0x5, "STREAM_CLOSED")  \
  X(0x6, "FRAME_SIZE_ERROR") X(0x7, "REFUSED_STREAM") X(0x8, "CANCEL")             \
  X(0x9, "COMPRESSION_ERROR") X(0xa, "CONNECT_ERROR") X(0xb, "ENHANCE_YOUR_CALM")  \
  X(0xc, "INADEQUATE_SECURITY") X(0xd, "HTTP_1_1_REQUIRED")

// "NO_ERROR", …; "" for a code RFC 9113 does not name.
constexpr std::string_view Http2ErrorName(uint32_t code) {
#define NASFAKE_H2_NAME(value, name) \
  if (code == (value)) return name;
  NASFAKE_HTTP2_ERROR_CODES(NASFAKE_H2_NAME)
#undef NASFAKE_H2_NAME
  return "";
}
constexpr std::optional<uint32_t> Http2ErrorFromName(std::string_view name) {
#define NASFAKE_H2_VALUE(value, name_) \
  if (name == (name_)) return value;
  NASFAKE_HTTP2_ERROR_CODES(NASFAKE_H2_VALUE)
#undef NASFAKE_H2_VALUE
  return std::nullopt;
}
inline constexpr uint32_t kHttp2NoError = 0x0;
inline constexpr uint32_t kHttp2RefusedStream = 0x7;

// X(enumerator, name, takes_bytes, takes_duration, default_code, sends_nothing,
//   rest, grpc): `bytes` is a byte count (a prefix, a chunk size), `duration`
// a pause; a kind whose default_code is not kNoCode takes `code`, an HTTP/2
// error code (that default when not given); `sends_nothing` means no byte of
// the answer reaches the client; `rest` and `grpc` say which front ends
// perform it (the scenario loader refuses a kind on a rule that may match a
// transport without it). What each does on each transport: README "Scenario
// files", and the front ends' PerformFault.
inline constexpr int64_t kNoCode = -1;
#define NASFAKE_WIRE_FAULT_KINDS(X)                                                            \
  X(kReset, "reset", false, false, kNoCode, true, true, true)             /* RST */            \
  X(kCloseBeforeResponse, "close", false, false, kNoCode, true, true, true) /* FIN */          \
  X(kPartialThenClose, "partial", true, false, kNoCode, false, true, true)  /* `bytes`, end */ \
  X(kStall, "stall", false, true, kNoCode, true, true, true)                /* `duration` */   \
  X(kDribble, "dribble", true, true, kNoCode, false, true, true)  /* `bytes` per `duration` */ \
  X(kGoaway, "goaway", false, false, kHttp2NoError, true, false, true)     /* GOAWAY */        \
  X(kRstStream, "rst_stream", false, false, kHttp2RefusedStream, true, false, true) /* RST_STREAM */

struct WireFault {
  enum class Kind {
#define NASFAKE_FAULT_ENUMERATOR(e, name, b, d, c, n, r, g) e,
    NASFAKE_WIRE_FAULT_KINDS(NASFAKE_FAULT_ENUMERATOR)
#undef NASFAKE_FAULT_ENUMERATOR
  };
  Kind kind = Kind::kReset;
  size_t bytes = 0;
  std::chrono::milliseconds duration{0};
  // An HTTP/2 error code, for the kinds that take one; nullopt: the kind's
  // default_code (CodeOf).
  std::optional<uint32_t> code = std::nullopt;
  friend bool operator==(const WireFault&, const WireFault&) = default;
};

// One row of the table.
struct FaultKindInfo {
  WireFault::Kind kind;
  std::string_view name;  // "reset", "close", …
  bool takes_bytes;
  bool takes_duration;
  int64_t default_code;  // kNoCode: takes no code
  bool sends_nothing;
  bool rest;  // performed by the REST front end
  bool grpc;  // performed by the gRPC front end
  constexpr bool takes_code() const { return default_code != kNoCode; }
};

inline constexpr auto kFaultKinds = std::to_array<FaultKindInfo>({
#define NASFAKE_FAULT_ROW(e, name, b, d, c, n, r, g) {WireFault::Kind::e, name, b, d, c, n, r, g},
    NASFAKE_WIRE_FAULT_KINDS(NASFAKE_FAULT_ROW)
#undef NASFAKE_FAULT_ROW
});

// Rows are in enumerator order, names distinct, each kind performed by some
// front end and default codes named: FaultKindOf indexes by kind.
static_assert([] {
  for (size_t i = 0; i < kFaultKinds.size(); ++i) {
    const FaultKindInfo& row = kFaultKinds[i];
    if (static_cast<size_t>(row.kind) != i || row.name.empty() || !(row.rest || row.grpc)) {
      return false;
    }
    if (row.takes_code() && Http2ErrorName(static_cast<uint32_t>(row.default_code)).empty()) {
      return false;
    }
    for (size_t j = 0; j < i; ++j) {
      if (kFaultKinds[j].name == row.name) return false;
    }
  }
  return true;
}());

// The row of `kind`.
constexpr const FaultKindInfo& FaultKindOf(WireFault::Kind kind) {
  return kFaultKinds[static_cast<size_t>(kind)];
}
constexpr std::string_view FaultKindName(WireFault::Kind kind) { return FaultKindOf(kind).name; }
// The HTTP/2 error code `fault` sends (its own, or its kind's default); 0 for
// a kind that sends none.
constexpr uint32_t CodeOf(const WireFault& fault) {
  const int64_t fallback = FaultKindOf(fault.kind).default_code;
  return fault.code.value_or(fallback == kNoCode ? 0 : static_cast<uint32_t>(fallback));
}
// Whether the fault tells the client that the server never processed its
// request (HTTP/2 §8.7: a stream above a GOAWAY's last-stream-id, or reset
// with REFUSED_STREAM), so the client may retry even a non-idempotent call:
// the fake then does not process it either (the API is not called).
constexpr bool LeavesTheRequestUnprocessed(const WireFault& fault) {
  return fault.kind == WireFault::Kind::kGoaway ||
         (fault.kind == WireFault::Kind::kRstStream && CodeOf(fault) == kHttp2RefusedStream);
}
// The kind named `name`; nullopt for a name the table lacks.
constexpr std::optional<WireFault::Kind> FaultKindFromName(std::string_view name) {
  for (const FaultKindInfo& row : kFaultKinds) {
    if (row.name == name) return row.kind;
  }
  return std::nullopt;
}

// The fault as the journal and transcripts write it:
//   {"kind":"goaway","bytes":0,"durationMs":0,"code":"NO_ERROR"}
// ("code" only for the kinds that take one; an unnamed code as its number).
nlohmann::json FaultJson(const WireFault& fault);

}  // namespace nasfake::api
