// nasfake-reference-adapter: the conformance adapter (conformance/PROTOCOL.md)
// for the reference client.
//
//   export NASFAKE_ENDPOINT=http://127.0.0.1:41234 NASFAKE_TOKEN=t NASFAKE_DEADLINE_MS=5000
//   nasfake-reference-adapter cancel-and-wait projects/p/locations/l/nasJobs/1
//
// Performs one operation and prints exactly one JSON object on stdout:
//   success   → {"job": …} | {} | {"jobs": […]} | {"operation": …}, exit 0;
//   API error → {"error": {"status": "<google.rpc.Code name>", "message": "…"}}, exit 1.
// Usage errors (unknown operation, wrong argument count, NASFAKE_ENDPOINT unset,
// NASFAKE_DEADLINE_MS not a positive integer, FILE unreadable or not JSON) print
// a message on stderr and nothing on stdout, exit 2. NASFAKE_DEADLINE_MS unset
// means 30000.
//
//   nasfake-reference-adapter capabilities   prints {"operations": [all six]}
//   nasfake-reference-adapter persistent     one JSON request per line on stdin
//                                            ({"operation","args","endpoint","token",
//                                            "deadlineMs"}), one answer per line on
//                                            stdout, until EOF (exit 0); a usage error
//                                            in a request ends it as above (exit 2).
#include <chrono>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/clients/reference/nas_jobs_client.h"
#include "conformance/clients/reference/operation.h"

namespace {

using nasfake::reference::NasJobsClient;
using nlohmann::json;

constexpr int kExitUsage = 2;
constexpr long kDefaultDeadlineMs = 30000;

constexpr char kUsage[] =
    "usage: nasfake-reference-adapter <operation> <args…>\n"
    "  get NAME | cancel NAME | cancel-and-wait NAME | list PARENT [FILTER]\n"
    "  create PARENT FILE | delete NAME | capabilities | persistent\n"
    "environment: NASFAKE_ENDPOINT (required), NASFAKE_TOKEN, NASFAKE_DEADLINE_MS\n";

int Usage(const std::string& problem) {
  std::cerr << "nasfake-reference-adapter: " << problem << "\n" << kUsage;
  return kExitUsage;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// Prints `object` as one line of JSON (invalid UTF-8 replaced, so it always prints).
void Print(const json& object) {
  std::cout << object.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
}

// The answer to `capabilities`: every operation.
json Capabilities() {
  return {{"operations", {"get", "cancel", "cancel-and-wait", "list", "create", "delete"}}};
}

// Performs `operation` for a client with `options` and prints its answer;
// the exit status (a usage error is reported, and is kExitUsage).
int Perform(NasJobsClient::Options options, const std::string& operation,
            const std::vector<std::string>& args) {
  NasJobsClient client(std::move(options));
  auto outcome = nasfake::reference::PerformOperation(client, operation, args);
  if (outcome.exit_code == kExitUsage) return Usage(outcome.problem);
  Print(outcome.output);
  return outcome.exit_code;
}

// The persistent mode (PROTOCOL.md): a request per line until EOF.
int Persistent() {
  std::string line;
  while (std::getline(std::cin, line)) {
    json request = json::parse(line, nullptr, false);
    if (!request.is_object()) return Usage("a request line is not a JSON object: " + line);
    std::string operation;
    NasJobsClient::Options options;
    std::vector<std::string> args;
    try {
      operation = request.at("operation").get<std::string>();
      if (operation == "capabilities") {
        Print(Capabilities());
        continue;
      }
      options.endpoint = request.at("endpoint").get<std::string>();
      options.token = request.value("token", "");
      options.deadline = std::chrono::milliseconds(request.at("deadlineMs").get<long>());
      args = request.value("args", std::vector<std::string>{});
    } catch (const json::exception&) {
      return Usage("a request line lacks a field or has one of the wrong type: " + line);
    }
    if (options.deadline.count() <= 0) return Usage("deadlineMs is not positive: " + line);
    if (int status = Perform(std::move(options), operation, args); status == kExitUsage) {
      return status;
    }
  }
  return 0;
}

int Run(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("missing operation");
  if (args[0] == "capabilities") {
    Print(Capabilities());
    return 0;
  }
  if (args[0] == "persistent") return Persistent();
  NasJobsClient::Options options;
  options.endpoint = Env("NASFAKE_ENDPOINT");
  options.token = Env("NASFAKE_TOKEN");
  if (options.endpoint.empty()) return Usage("NASFAKE_ENDPOINT is not set");
  long deadline_ms = kDefaultDeadlineMs;
  if (const std::string text = Env("NASFAKE_DEADLINE_MS"); !text.empty()) {
    char* end = nullptr;
    deadline_ms = std::strtol(text.c_str(), &end, 10);
    if (*end != '\0' || deadline_ms <= 0) {
      return Usage("NASFAKE_DEADLINE_MS is not a positive integer: \"" + text + "\"");
    }
  }
  options.deadline = std::chrono::milliseconds(deadline_ms);
  return Perform(std::move(options), args[0],
                 std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    // Not an API error: a bug. Nothing valid was printed, so the runner reports a crash.
    std::cerr << "nasfake-reference-adapter: internal error: " << e.what() << "\n";
    return 3;
  }
}
