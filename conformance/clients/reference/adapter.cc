#include "conformance/clients/reference/adapter.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "conformance/clients/reference/operation.h"

namespace nasfake::reference {
namespace {

using nlohmann::json;

constexpr int kExitUsage = 2;

constexpr char kUsage[] =
    "  get NAME | cancel NAME | cancel-and-wait NAME | list PARENT [FILTER]\n"
    "  create PARENT FILE | delete NAME | capabilities | persistent\n"
    "environment: NASFAKE_TRANSPORT (rest or grpc; default rest), NASFAKE_ENDPOINT (for rest),\n"
    "NASFAKE_GRPC_ENDPOINT (for grpc), NASFAKE_TOKEN, NASFAKE_DEADLINE_MS\n";

int Usage(const AdapterProgram& program, const std::string& problem) {
  std::cerr << program.name << ": " << problem << "\nusage: " << program.name
            << " <operation> <args…>\n"
            << kUsage;
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

json Capabilities(const AdapterProgram& program) {
  return {{"operations", {"get", "cancel", "cancel-and-wait", "list", "create", "delete"}},
          {"transports", program.transports}};
}

// What is wrong with `settings` for `program`; "" when nothing is.
std::string Problem(const AdapterProgram& program, const ClientSettings& settings) {
  const auto& known = program.transports;
  if (std::find(known.begin(), known.end(), settings.transport) == known.end()) {
    return "transport \"" + settings.transport + "\" is not one this adapter speaks";
  }
  if (settings.transport == "rest" && settings.endpoint.empty()) {
    return "NASFAKE_ENDPOINT (endpoint) is not set";
  }
  if (settings.transport == "grpc" && settings.grpc_endpoint.empty()) {
    return "NASFAKE_GRPC_ENDPOINT (grpcEndpoint) is not set";
  }
  if (settings.deadline.count() <= 0) return "the deadline is not positive";
  return "";
}

// Performs `operation` with a client made for `settings` and prints its
// answer; the exit status (a usage error is reported, and is kExitUsage).
int Perform(const AdapterProgram& program, const ClientSettings& settings,
            const std::string& operation, const std::vector<std::string>& args) {
  if (std::string problem = Problem(program, settings); !problem.empty()) {
    return Usage(program, problem);
  }
  std::unique_ptr<NasJobsApi> client = program.new_client(settings);
  auto outcome = PerformOperation(*client, operation, args);
  if (outcome.exit_code == kExitUsage) return Usage(program, outcome.problem);
  Print(outcome.output);
  return outcome.exit_code;
}

// The persistent mode (PROTOCOL.md): a request per line until EOF.
int Persistent(const AdapterProgram& program) {
  std::string line;
  while (std::getline(std::cin, line)) {
    json request = json::parse(line, nullptr, false);
    if (!request.is_object()) return Usage(program, "a request line is not a JSON object: " + line);
    std::string operation;
    ClientSettings settings;
    std::vector<std::string> args;
    try {
      operation = request.at("operation").get<std::string>();
      if (operation == "capabilities") {
        Print(Capabilities(program));
        continue;
      }
      settings.transport = request.value("transport", "rest");
      settings.endpoint = request.value("endpoint", "");
      settings.grpc_endpoint = request.value("grpcEndpoint", "");
      settings.token = request.value("token", "");
      settings.deadline = std::chrono::milliseconds(request.at("deadlineMs").get<long>());
      args = request.value("args", std::vector<std::string>{});
    } catch (const json::exception&) {
      return Usage(program, "a request line lacks a field or has one of the wrong type: " + line);
    }
    if (int status = Perform(program, settings, operation, args); status == kExitUsage) {
      return status;
    }
  }
  return 0;
}

}  // namespace

int RunAdapter(const AdapterProgram& program, const std::vector<std::string>& args) {
  if (args.empty()) return Usage(program, "missing operation");
  if (args[0] == "capabilities") {
    Print(Capabilities(program));
    return 0;
  }
  if (args[0] == "persistent") return Persistent(program);
  ClientSettings settings;
  if (std::string transport = Env("NASFAKE_TRANSPORT"); !transport.empty()) {
    settings.transport = transport;
  }
  settings.endpoint = Env("NASFAKE_ENDPOINT");
  settings.grpc_endpoint = Env("NASFAKE_GRPC_ENDPOINT");
  settings.token = Env("NASFAKE_TOKEN");
  if (const std::string text = Env("NASFAKE_DEADLINE_MS"); !text.empty()) {
    char* end = nullptr;
    const long deadline_ms = std::strtol(text.c_str(), &end, 10);
    if (*end != '\0' || deadline_ms <= 0) {
      return Usage(program, "NASFAKE_DEADLINE_MS is not a positive integer: \"" + text + "\"");
    }
    settings.deadline = std::chrono::milliseconds(deadline_ms);
  }
  return Perform(program, settings, args[0],
                 std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace nasfake::reference
