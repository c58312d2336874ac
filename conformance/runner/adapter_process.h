// A client under test that is an adapter program (conformance/PROTOCOL.md).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/runner/client_under_test.h"

namespace nasfake::conformance {

// What an adapter declares (`<command> capabilities`, PROTOCOL.md).
struct AdapterCapabilities {
  // The operations it performs; nullopt when it declares none: every one.
  std::optional<std::set<std::string>> operations;
  // The transports it speaks: REST alone unless it declares others.
  std::set<api::Transport> transports = {api::Transport::kRest};
};

// An adapter program (PROTOCOL.md), run as `/bin/sh -c '<command> "$@"'`.
// Per case, `<command> <operation> <args…>` with the environment set
// (NASFAKE_ENDPOINT, NASFAKE_GRPC_ENDPOINT, NASFAKE_TRANSPORT, NASFAKE_TOKEN,
// NASFAKE_DEADLINE_MS); or,
// persistent, one `<command> persistent` process per concurrent case, reused
// for case after case, taking one JSON request per line on its standard
// input and answering one per line (a process that crashed, broke the
// protocol or outlived a deadline is replaced). A process is killed `grace`
// after its case's deadline.
class AdapterProcess final : public ClientUnderTest {
 public:
  struct Options {
    bool persistent = false;
    std::chrono::milliseconds grace = std::chrono::seconds(3);
  };
  explicit AdapterProcess(std::string command) : AdapterProcess(std::move(command), Options{}) {}
  AdapterProcess(std::string command, Options options);
  ~AdapterProcess() override;  // ends the persistent processes (EOF, then a kill after `grace`)
  AdapterProcess(const AdapterProcess&) = delete;
  AdapterProcess& operator=(const AdapterProcess&) = delete;

  ClientResult Run(const std::string& operation, const std::vector<std::string>& args,
                   const ClientEnv& env) override;
  bool Supports(const std::string& operation) override;
  bool SupportsTransport(api::Transport transport) override;

  // What the adapter declares (`<command> capabilities` printing
  // {"operations": […], "transports": […]}, each key optional; asked once).
  // An answer not of that form (a v1 adapter's usage error) declares
  // nothing: every operation, REST alone. Transport names the runner does
  // not know are ignored.
  const AdapterCapabilities& Capabilities();

 private:
  class Persistent;  // one persistent process (adapter_process.cc)
  ClientResult RunOnce(const std::string& operation, const std::vector<std::string>& args,
                       const ClientEnv& env);
  ClientResult RunPersistent(const std::string& operation, const std::vector<std::string>& args,
                             const ClientEnv& env);

  const std::string command_;
  const Options options_;
  std::once_flag capabilities_once_;
  AdapterCapabilities capabilities_;
  std::mutex idle_mu_;
  std::vector<std::unique_ptr<Persistent>> idle_;  // persistent processes not in a case
};

}  // namespace nasfake::conformance
