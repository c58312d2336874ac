// The client implementation a conformance case runs: what it is given and
// what it gives back (conformance/PROTOCOL.md, in C++ terms).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "fake/api/request.h"

namespace nasfake::conformance {

// What one operation of the client under test produced.
struct ClientResult {
  // The exit status: 0 success, 1 an API error, anything else a crash (a
  // process killed by a signal it did not get from the runner: 128 + the
  // signal); -1: killed (it outlived its deadline by the grace period).
  int exit_code = -1;
  std::string stdout_text;  // exactly one JSON object, per the protocol
  std::string stderr_text;
  std::chrono::milliseconds elapsed{0};
  // When it exited (wall clock, as the journal's real_time); unset when the
  // client is not a process.
  std::chrono::system_clock::time_point finished{};
};

// The environment of one operation (PROTOCOL.md). The fake serves both
// transports; `transport` says which one the case is about.
struct ClientEnv {
  std::string endpoint;  // REST base URL: "http://127.0.0.1:41234"
  std::string token;
  std::chrono::milliseconds deadline;
  api::Transport transport = api::Transport::kRest;
  std::string grpc_endpoint;  // gRPC target: "127.0.0.1:41235"
};

// A client implementation under test. Run and Supports are called from
// several threads at once (one case each) when cases run in parallel.
class ClientUnderTest {
 public:
  virtual ~ClientUnderTest() = default;
  virtual ClientResult Run(const std::string& operation, const std::vector<std::string>& args,
                           const ClientEnv& env) = 0;
  // Whether the client performs `operation`; a case whose operation it does
  // not perform is skipped. Every operation by default.
  virtual bool Supports(const std::string& operation) {
    (void)operation;
    return true;
  }
  // Whether the client speaks `transport`; cases over a transport it does not
  // speak are skipped. REST alone by default (a client written before the
  // protocol had transports talks REST whatever ClientEnv::transport says).
  virtual bool SupportsTransport(api::Transport transport) {
    return transport == api::Transport::kRest;
  }
};

}  // namespace nasfake::conformance
