// A conformance adapter program (conformance/PROTOCOL.md) around clients of
// NasJobsApi: reads the environment (or, persistent, each request line),
// makes a client for the case's transport, performs the operation and prints
// its answer. The reference adapter and the mutant adapters differ only in
// the clients they make.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "conformance/clients/reference/nas_jobs_api.h"

namespace nasfake::reference {

// What one operation's client is made from.
struct ClientSettings {
  std::string transport = "rest";             // NASFAKE_TRANSPORT: "rest" or "grpc"
  std::string endpoint;                       // NASFAKE_ENDPOINT: the REST base URL
  std::string grpc_endpoint;                  // NASFAKE_GRPC_ENDPOINT: host:port
  std::string token;                          // NASFAKE_TOKEN
  std::chrono::milliseconds deadline{30000};  // NASFAKE_DEADLINE_MS
};

struct AdapterProgram {
  std::string name;                     // for messages: "nasfake-reference-adapter"
  std::vector<std::string> transports;  // declared by `capabilities`
  // A client for settings.transport, one of `transports`.
  std::function<std::unique_ptr<NasJobsApi>(const ClientSettings&)> new_client;
};

// Runs the program on its arguments (argv without argv[0]):
//   <operation> <args…>   one operation (PROTOCOL.md), the environment read;
//   capabilities          {"operations": [all six], "transports": program.transports};
//   persistent            one JSON request per line on stdin, one answer per
//                         line on stdout, until EOF.
// Returns the exit status: 0, 1 (an API error), 2 (a usage error: a message
// and the usage on stderr, nothing on stdout). NASFAKE_TRANSPORT unset means
// rest, NASFAKE_DEADLINE_MS unset 30000.
int RunAdapter(const AdapterProgram& program, const std::vector<std::string>& args);

}  // namespace nasfake::reference
