// Runs conformance cases: a fresh in-process fake per case (its own port,
// clock, scenario and journal), one client operation, then the verdict.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/adapter_process.h"
#include "conformance/runner/client_under_test.h"
#include "conformance/runner/conformance_case.h"
#include "fake/api/request.h"
#include "fake/journal/journal.h"

namespace nasfake::conformance {

// How a case ended.
enum class Outcome {
  kPassed,
  kFailed,   // an expectation was not met
  kError,    // the client crashed or broke the protocol, or the case could not be set up
  kSkipped,  // the client does not perform the case's operation
};
std::string_view OutcomeName(Outcome outcome);  // "passed", "failed", "error", "skipped"

// The verdict on one case over one transport.
struct Verdict {
  const Case* test_case = nullptr;
  api::Transport transport = api::Transport::kRest;
  Outcome outcome = Outcome::kError;
  bool passed() const { return outcome == Outcome::kPassed; }
  // kFailed, kError: each names the expectation and what was seen;
  // kSkipped: why the case did not run.
  std::vector<std::string> failures;
  ClientResult result;
  std::vector<journal::Entry> journal;
};

// Runs one case on a fresh fake (serving both transports), the client asked
// to reach it over `transport`; skipped when the client does not perform the
// case's operation or speak `transport`. The case must apply to `transport`.
// Never throws; setup problems are errors.
Verdict RunCase(const Case& test_case, ClientUnderTest& client,
                api::Transport transport = api::Transport::kRest);

// The checks alone, for a result and journal already at hand: the case's
// expectations and the wire checks of `transport`, and that every request
// came over `transport`.
std::vector<std::string> Evaluate(const Case& test_case, const ClientResult& result,
                                  const std::vector<journal::Entry>& journal,
                                  const std::string& token,
                                  api::Transport transport = api::Transport::kRest);

// Why `result` is not an answer of the protocol: the client crashed or
// printed something other than one JSON object; nullopt when it is one, or
// when the client was killed at its deadline (a failure, not an error).
std::optional<std::string> ProtocolViolation(const ClientResult& result);

// Runs the cases over each of `transports` (each case on those it applies
// to), `jobs` at a time; `on_done` is called (serialised) as each verdict is
// ready. Verdicts come back transport by transport, each in the order of
// `cases`.
std::vector<Verdict> RunAll(const std::vector<Case>& cases, ClientUnderTest& client, int jobs,
                            const std::function<void(const Verdict&)>& on_done = nullptr,
                            const Transports& transports = {api::Transport::kRest});

}  // namespace nasfake::conformance
