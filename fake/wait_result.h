// The result of a bounded wait (Journal::WaitFor, ScenarioEngine::WaitForHeld):
// must be checked, and says why when the wait was not met, as Envoy's
// integration waits do.
#pragma once

#include <ostream>
#include <string>

namespace nasfake {

// Converts to true when the condition was met; `reason` says what was
// awaited and, when it was not met, what was seen instead ("timed out after
// 200 ms waiting for …; …").
struct [[nodiscard]] WaitResult {
  bool met = false;
  std::string reason;
  explicit operator bool() const { return met; }
};

// Prints "met" / "not met: <reason>" for GoogleTest.
inline void PrintTo(const WaitResult& result, std::ostream* os) {
  if (result.met) {
    *os << "met";
  } else {
    *os << "not met: " << result.reason;
  }
}

}  // namespace nasfake
