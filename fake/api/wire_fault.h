// Wire faults: what a front end does on the socket instead of (or while)
// sending an answer. The one table of fault kinds (NASFAKE_WIRE_FAULT_KINDS)
// gives each kind its enumerator, its name in scenario files, journals and
// transcripts, and the parameters it takes; the enum and every name lookup are
// generated from it, so a new kind is one row plus its behaviour in the front
// ends (server/http_transport.cc), which switch over the enum without a
// default and so fail to compile until they handle it.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace nasfake::api {

// X(enumerator, name, takes_bytes, takes_duration, sends_nothing): `bytes` is
// a byte count (a prefix, a chunk size), `duration` a pause; `sends_nothing`
// means no byte of the answer reaches the client.
#define NASFAKE_WIRE_FAULT_KINDS(X)                                                      \
  X(kReset, "reset", false, false, true)               /* RST, nothing sent */           \
  X(kCloseBeforeResponse, "close", false, false, true) /* FIN, nothing */                \
  X(kPartialThenClose, "partial", true, false, false)  /* `bytes`, FIN */                \
  X(kStall, "stall", false, true, true)                /* nothing for `duration`, FIN */ \
  X(kDribble, "dribble", true, true, false)            /* `bytes` every `duration` */

struct WireFault {
  enum class Kind {
#define NASFAKE_FAULT_ENUMERATOR(e, name, b, d, n) e,
    NASFAKE_WIRE_FAULT_KINDS(NASFAKE_FAULT_ENUMERATOR)
#undef NASFAKE_FAULT_ENUMERATOR
  };
  Kind kind = Kind::kReset;
  size_t bytes = 0;
  std::chrono::milliseconds duration{0};
  friend bool operator==(const WireFault&, const WireFault&) = default;
};

// One row of the table.
struct FaultKindInfo {
  WireFault::Kind kind;
  std::string_view name;  // "reset", "close", …
  bool takes_bytes;
  bool takes_duration;
  bool sends_nothing;
};

inline constexpr auto kFaultKinds = std::to_array<FaultKindInfo>({
#define NASFAKE_FAULT_ROW(e, name, b, d, n) {WireFault::Kind::e, name, b, d, n},
    NASFAKE_WIRE_FAULT_KINDS(NASFAKE_FAULT_ROW)
#undef NASFAKE_FAULT_ROW
});

// Rows are in enumerator order, names distinct: FaultKindOf indexes by kind.
static_assert([] {
  for (size_t i = 0; i < kFaultKinds.size(); ++i) {
    if (static_cast<size_t>(kFaultKinds[i].kind) != i || kFaultKinds[i].name.empty()) return false;
    for (size_t j = 0; j < i; ++j) {
      if (kFaultKinds[j].name == kFaultKinds[i].name) return false;
    }
  }
  return true;
}());

// The row of `kind`.
constexpr const FaultKindInfo& FaultKindOf(WireFault::Kind kind) {
  return kFaultKinds[static_cast<size_t>(kind)];
}
constexpr std::string_view FaultKindName(WireFault::Kind kind) { return FaultKindOf(kind).name; }
// The kind named `name`; nullopt for a name the table lacks.
constexpr std::optional<WireFault::Kind> FaultKindFromName(std::string_view name) {
  for (const FaultKindInfo& row : kFaultKinds) {
    if (row.name == name) return row.kind;
  }
  return std::nullopt;
}

}  // namespace nasfake::api
