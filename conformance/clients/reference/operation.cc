#include "conformance/clients/reference/operation.h"

#include <fstream>
#include <sstream>

namespace nasfake::reference {
namespace {

using nlohmann::json;

OperationOutcome UsageError(std::string problem) {
  return OperationOutcome{2, nullptr, std::move(problem)};
}

template <typename Wrap>
OperationOutcome Report(const Result<json>& result, Wrap wrap) {
  if (!result) {
    const Error& error = result.error();
    json reported = {{"status", error.status}, {"message", error.message}};
    if (error.details.is_array() && !error.details.empty()) reported["details"] = error.details;
    return {1, {{"error", reported}}, ""};
  }
  return {0, wrap(*result), ""};
}

}  // namespace

OperationOutcome PerformOperation(NasJobsApi& client, const std::string& operation,
                                  const std::vector<std::string>& args) {
  const size_t argc = args.size();
  const bool known = operation == "get" || operation == "cancel" ||
                     operation == "cancel-and-wait" || operation == "delete" ||
                     operation == "list" || operation == "create";
  if (!known) return UsageError("unknown operation \"" + operation + "\"");
  const bool arity_ok = operation == "list"     ? (argc == 1 || argc == 2)
                        : operation == "create" ? argc == 2
                                                : argc == 1;
  if (!arity_ok) return UsageError("wrong number of arguments for " + operation);

  const auto job = [](const json& value) { return json{{"job", value}}; };
  if (operation == "get") return Report(client.Get(args[0]), job);
  if (operation == "cancel") {
    return Report(client.Cancel(args[0]), [](const json&) { return json::object(); });
  }
  if (operation == "cancel-and-wait") return Report(client.CancelAndWait(args[0]), job);
  if (operation == "list") {
    return Report(client.List(args[0], argc == 2 ? args[1] : ""), [](const json& jobs) {
      return json{{"jobs", jobs}};
    });
  }
  if (operation == "create") {
    std::ifstream in(args[1], std::ios::binary);
    if (!in) return UsageError("cannot read " + args[1]);
    std::stringstream text;
    text << in.rdbuf();
    json spec = json::parse(text.str(), nullptr, false);
    if (spec.is_discarded()) return UsageError(args[1] + " is not JSON");
    return Report(client.Create(args[0], spec), job);
  }
  return Report(client.Delete(args[0]), [](const json& operation) {
    return json{{"operation", operation}};
  });
}

}  // namespace nasfake::reference
