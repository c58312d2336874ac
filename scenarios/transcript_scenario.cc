#include "scenarios/transcript_scenario.h"

#include <map>
#include <utility>

#include "fake/api/router.h"
#include "fake/model/time.h"

namespace nasfake::scenarios {
namespace {

using nlohmann::json;

constexpr std::string_view kDefaultContentType = "application/json; charset=UTF-8";

// Headers a scripted answer may not set: the transport's, and Content-Type
// (the answer's own key).
bool IsUnscriptable(const std::string& name) {
  return name == "content-length" || name == "transfer-encoding" || name == "connection" ||
         name == "keep-alive" || name == "content-type";
}

json AnswerJson(const api::Response& response) {
  json answer = {{"status", response.status}};
  if (!response.content_type.empty() && response.content_type != kDefaultContentType) {
    answer["contentType"] = response.content_type;
  }
  json headers = json::array();  // [name, value] pairs keep the recorded order
  for (const auto& [name, value] : response.headers) {
    if (!IsUnscriptable(name)) headers.push_back({name, value});
  }
  if (!headers.empty()) answer["headers"] = std::move(headers);
  if (!response.body.empty()) {
    json parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      answer["body"] = response.body;
    } else {
      answer["json"] = std::move(parsed);
    }
  }
  return answer;
}

json ActionJson(const api::Response& response) {
  if (!response.fault) return {{"answer", AnswerJson(response)}};
  const api::FaultKindInfo& row = api::FaultKindOf(response.fault->kind);
  json action = {{"fault", row.name}};
  if (row.takes_bytes) action["bytes"] = response.fault->bytes;
  if (row.takes_duration) {
    action["duration"] = model::FormatDuration(response.fault->duration);
  }
  if (response.status != 0) action["answer"] = AnswerJson(response);
  return action;
}

}  // namespace

json TranscriptToScenarioJson(const Transcript& transcript, std::string_view name,
                              std::string_view description, std::vector<std::string>* skipped) {
  // Rules in the order their first request was recorded.
  std::vector<std::pair<std::string, json>> rules;  // id → {match, actions}
  std::map<std::string, size_t> index;
  for (const auto& [request, response] : transcript.exchanges) {
    std::optional<api::ResolvedRequest> resolved = api::Resolve(request);
    if (!resolved) {
      if (skipped != nullptr) skipped->push_back(request.method + " " + request.target);
      continue;
    }
    std::string id = std::string(resolved->operation) + " " + resolved->resource;
    auto [it, added] = index.emplace(id, rules.size());
    if (added) {
      rules.emplace_back(
          id,
          json{{"match", {{"operation", resolved->operation}, {"resource", resolved->resource}}},
               {"actions", json::array()}});
    }
    rules[it->second].second["actions"].push_back(ActionJson(response));
  }

  json document = {{"name", name}};
  if (!description.empty()) document["description"] = description;
  json rule_list = json::array();
  for (auto& [id, rule] : rules) {
    json out = {{"id", id}, {"match", std::move(rule["match"])}};
    json& actions = rule["actions"];
    if (actions.size() == 1) {
      out["action"] = std::move(actions[0]);
      out["times"] = 1;
    } else {
      out["sequence"] = std::move(actions);
    }
    rule_list.push_back(std::move(out));
  }
  if (!rule_list.empty()) document["rules"] = std::move(rule_list);
  return document;
}

}  // namespace nasfake::scenarios
