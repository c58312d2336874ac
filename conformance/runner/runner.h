// Runs conformance cases: a fresh in-process fake per case (its own port,
// clock, scenario and journal), one client operation, then the verdict.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "conformance/runner/conformance_case.h"
#include "fake/journal/journal.h"

namespace nasfake::conformance {

// What one operation of the client under test produced.
struct ClientResult {
  int exit_code = -1;       // -1: killed (it outlived its deadline by the grace period)
  std::string stdout_text;  // exactly one JSON object, per the protocol
  std::string stderr_text;
  std::chrono::milliseconds elapsed{0};
  // When it exited (wall clock, as the journal's real_time); unset when the
  // client is not a process.
  std::chrono::system_clock::time_point finished{};
};

// The environment of one operation (PROTOCOL.md).
struct ClientEnv {
  std::string endpoint;  // "http://127.0.0.1:41234"
  std::string token;
  std::chrono::milliseconds deadline;
};

// A client implementation under test. Run is called from several threads at
// once (one case each) when cases run in parallel.
class ClientUnderTest {
 public:
  virtual ~ClientUnderTest() = default;
  virtual ClientResult Run(const std::string& operation, const std::vector<std::string>& args,
                           const ClientEnv& env) = 0;
};

// An adapter program, run as `/bin/sh -c '<command> "$@"'` with the
// operation and its arguments. Killed `grace` after the case's deadline.
class AdapterProcess final : public ClientUnderTest {
 public:
  explicit AdapterProcess(std::string command,
                          std::chrono::milliseconds grace = std::chrono::seconds(3))
      : command_(std::move(command)), grace_(grace) {}
  ClientResult Run(const std::string& operation, const std::vector<std::string>& args,
                   const ClientEnv& env) override;

 private:
  std::string command_;
  std::chrono::milliseconds grace_;
};

struct Verdict {
  const Case* test_case = nullptr;
  bool passed = false;
  std::vector<std::string> failures;  // each names the expectation and what was seen
  ClientResult result;
  std::vector<journal::Entry> journal;
};

// Runs one case on a fresh fake. Never throws; setup problems are failures.
Verdict RunCase(const Case& test_case, ClientUnderTest& client);

// The checks alone, for a result and journal already at hand.
std::vector<std::string> Evaluate(const Case& test_case, const ClientResult& result,
                                  const std::vector<journal::Entry>& journal,
                                  const std::string& token);

// Runs every case, `jobs` at a time; `on_done` is called (serialised) as
// each verdict is ready. Verdicts come back in the order of `cases`.
std::vector<Verdict> RunAll(const std::vector<Case>& cases, ClientUnderTest& client, int jobs,
                            const std::function<void(const Verdict&)>& on_done = nullptr);

}  // namespace nasfake::conformance
