#include "conformance/runner/conformance_case.h"

#include <algorithm>
#include <initializer_list>

#include "fake/glob.h"
#include "fake/model/json_file.h"
#include "fake/model/json_mapping.h"
#include "scenarios/engine.h"
#include "scenarios/scenario_json.h"

namespace nasfake::conformance {
namespace {

using nlohmann::json;

// Thrown inside this file only; CaseFromJson turns it into a Status.
struct CaseError {
  std::string path;
  std::string what;
};

[[noreturn]] void Fail(const std::string& path, const std::string& what) {
  throw CaseError{path, what};
}

void CheckKeys(const json& object, const std::string& path,
               std::initializer_list<std::string_view> allowed) {
  if (!object.is_object()) Fail(path, "expected an object");
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      Fail(path + "." + key, "unknown key; expected one of " + list);
    }
  }
}

std::string String(const json& value, const std::string& path) {
  if (!value.is_string()) Fail(path, "expected a string");
  return value.get<std::string>();
}

int Integer(const json& value, const std::string& path, int min, int max) {
  if (!value.is_number_integer()) Fail(path, "expected a whole number");
  long long v = value.get<long long>();
  if (v < min || v > max) {
    Fail(path, "expected a number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return static_cast<int>(v);
}

Selector ReadSelector(const json& value, const std::string& path) {
  CheckKeys(value, path, {"method", "operation", "status", "responseContains", "actionContains"});
  Selector s;
  if (value.contains("method")) s.method = String(value["method"], path + ".method");
  if (value.contains("operation")) s.operation = String(value["operation"], path + ".operation");
  if (value.contains("status")) s.status = Integer(value["status"], path + ".status", 0, 599);
  if (value.contains("responseContains")) {
    s.response_contains = String(value["responseContains"], path + ".responseContains");
  }
  if (value.contains("actionContains")) {
    s.action_contains = String(value["actionContains"], path + ".actionContains");
  }
  return s;
}

// "transports": a non-empty list of distinct transport names, each one of
// `allowed` (the case's, for a check).
Transports ReadTransports(const json& value, const std::string& path, const Transports& allowed) {
  if (!value.is_array() || value.empty())
    Fail(path, "expected a non-empty array: [\"rest\", \"grpc\"]");
  Transports transports;
  for (const auto& item : value) {
    auto transport = api::TransportFromName(String(item, path));
    if (!transport)
      Fail(path, "unknown transport \"" + item.get<std::string>() + "\"; expected rest or grpc");
    if (AppliesTo(transports, *transport))
      Fail(path, "names " + item.get<std::string>() + " twice");
    if (!AppliesTo(allowed, *transport)) {
      Fail(path, item.get<std::string>() + " is not a transport the case runs on");
    }
    transports.push_back(*transport);
  }
  return transports;
}

WireCheck ReadWireCheck(const json& value, const std::string& path,
                        const Transports& case_transports) {
  CheckKeys(value, path,
            {"what", "transports", "count", "min", "max", "every", "bodyIn", "headers",
             "targetExcludes", "noneAfter", "select", "rate", "maxPerSecond", "gap", "after",
             "atLeastMs", "backoff", "growth", "floorMs"});
  WireCheck check;
  if (!value.contains("what")) Fail(path + ".what", "required: say what the check means");
  check.what = String(value["what"], path + ".what");
  check.transports =
      value.contains("transports")
          ? ReadTransports(value["transports"], path + ".transports", case_transports)
          : case_transports;
  int kinds = value.contains("count") + value.contains("every") + value.contains("noneAfter") +
              value.contains("rate") + value.contains("gap") + value.contains("backoff");
  if (kinds != 1) Fail(path, "expected exactly one of count, every, noneAfter, rate, gap, backoff");
  if (value.contains("count")) {
    check.kind = WireCheck::Kind::kCount;
    check.select = ReadSelector(value["count"], path + ".count");
    if (value.contains("min")) check.min = Integer(value["min"], path + ".min", 0, 1000000);
    if (value.contains("max")) check.max = Integer(value["max"], path + ".max", 0, 1000000);
    if (!check.min && !check.max) Fail(path, "count needs min, max or both");
  } else if (value.contains("every")) {
    check.kind = WireCheck::Kind::kEvery;
    check.select = ReadSelector(value["every"], path + ".every");
    if (value.contains("bodyIn")) {
      check.body_in.emplace();
      for (const auto& b : value["bodyIn"]) check.body_in->push_back(String(b, path + ".bodyIn"));
    }
    if (value.contains("headers")) {
      for (const auto& [name, glob] : value["headers"].items()) {
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        check.headers.emplace_back(lower, String(glob, path + ".headers." + name));
      }
    }
    if (value.contains("targetExcludes")) {
      for (const auto& t : value["targetExcludes"]) {
        check.target_excludes.push_back(String(t, path + ".targetExcludes"));
      }
    }
  } else if (value.contains("noneAfter")) {
    check.kind = WireCheck::Kind::kNoneAfter;
    check.after = ReadSelector(value["noneAfter"], path + ".noneAfter");
    check.select =
        value.contains("select") ? ReadSelector(value["select"], path + ".select") : Selector{};
  } else if (value.contains("rate")) {
    check.kind = WireCheck::Kind::kRate;
    check.select = ReadSelector(value["rate"], path + ".rate");
    if (!value.contains("maxPerSecond") || !value["maxPerSecond"].is_number()) {
      Fail(path + ".maxPerSecond", "required: a number");
    }
    check.max_per_second = value["maxPerSecond"].get<double>();
  } else if (value.contains("backoff")) {
    check.kind = WireCheck::Kind::kBackoff;
    check.select = ReadSelector(value["backoff"], path + ".backoff");
    if (value.contains("growth")) {
      if (!value["growth"].is_number() || value["growth"].get<double>() < 1) {
        Fail(path + ".growth", "expected a number of at least 1");
      }
      check.growth = value["growth"].get<double>();
    }
    check.floor = std::chrono::milliseconds(
        Integer(value.value("floorMs", json()), path + ".floorMs", 1, 600000));
  } else {
    check.kind = WireCheck::Kind::kGap;
    check.select = ReadSelector(value["gap"], path + ".gap");
    if (!value.contains("after")) Fail(path + ".after", "required with gap");
    check.after = ReadSelector(value["after"], path + ".after");
    check.min_gap = std::chrono::milliseconds(
        Integer(value.value("atLeastMs", json()), path + ".atLeastMs", 0, 600000));
  }
  return check;
}

OutcomeCheck ReadOutcome(const json& value, const std::string& path) {
  CheckKeys(value, path, {"pointer", "equals", "oneOf", "absent", "glob"});
  OutcomeCheck check;
  std::string pointer = String(value.value("pointer", json()), path + ".pointer");
  try {
    check.pointer = json::json_pointer(pointer);
  } catch (const json::exception&) {
    Fail(path + ".pointer", "not a JSON pointer (\"/job/state\")");
  }
  int kinds = value.contains("equals") + value.contains("oneOf") + value.contains("absent") +
              value.contains("glob");
  if (kinds != 1) Fail(path, "expected exactly one of equals, oneOf, absent, glob");
  if (value.contains("equals")) check.one_of.push_back(value["equals"]);
  if (value.contains("oneOf")) {
    if (!value["oneOf"].is_array() || value["oneOf"].empty()) {
      Fail(path + ".oneOf", "expected a non-empty array");
    }
    for (const auto& v : value["oneOf"]) check.one_of.push_back(v);
  }
  if (value.contains("absent")) check.absent = true;
  if (value.contains("glob")) check.glob = String(value["glob"], path + ".glob");
  return check;
}

scenarios::Scenario ReadScenario(const json& value, const std::string& origin,
                                 const std::filesystem::path& scenario_dir) {
  if (value.is_string()) {
    std::string name = value.get<std::string>();
    if (name.find('/') != std::string::npos || name.find("..") != std::string::npos) {
      Fail("scenario", "a library scenario name, without '/'");
    }
    auto loaded = scenarios::LoadScenarioFile(scenario_dir / (name + ".json"));
    if (!loaded.ok()) Fail("scenario", loaded.status().message());
    return std::move(*loaded);
  }
  auto inline_scenario = scenarios::ScenarioFromJson(value, origin + ": scenario");
  if (!inline_scenario.ok()) Fail("scenario", inline_scenario.status().message());
  return std::move(*inline_scenario);
}

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kRequired:
      return "REQUIRED";
    case Level::kRecommended:
      return "RECOMMENDED";
    case Level::kOptional:
      return "OPTIONAL";
  }
  return "REQUIRED";
}

std::optional<Level> LevelFromName(std::string_view name) {
  for (Level l : {Level::kRequired, Level::kRecommended, Level::kOptional}) {
    if (LevelName(l) == name) return l;
  }
  return std::nullopt;
}

bool AppliesTo(const Transports& transports, api::Transport transport) {
  return std::find(transports.begin(), transports.end(), transport) != transports.end();
}

bool Selector::Matches(const journal::Entry& e) const {
  return (!method || e.method == *method) && (!operation || e.operation == *operation) &&
         (!status || e.status == *status) &&
         (!response_contains || e.response_body.find(*response_contains) != std::string::npos) &&
         (!action_contains || e.action.find(*action_contains) != std::string::npos);
}

std::string Selector::Describe() const {
  std::string out;
  if (method) out += *method + " ";
  const bool qualified = method || status || response_contains || action_contains;
  out += operation ? *operation : (qualified ? "requests" : "any request");
  if (status) out += " answered " + std::to_string(*status);
  if (response_contains) out += " whose answer contains \"" + *response_contains + "\"";
  if (action_contains) out += " whose action says \"" + *action_contains + "\"";
  return out;
}

StatusOr<Case> CaseFromJson(const json& document, std::string_view origin,
                            const std::filesystem::path& scenario_dir) {
  std::string where(origin);
  try {
    CheckKeys(document, "(root)",
              {"id", "title", "level", "transports", "scenario", "operation", "args", "file",
               "deadlineMs", "expect"});
    Case c;
    c.id = String(document.value("id", json()), "id");
    c.title = String(document.value("title", json()), "title");
    auto level = LevelFromName(String(document.value("level", json()), "level"));
    if (!level) Fail("level", "expected REQUIRED, RECOMMENDED or OPTIONAL");
    c.level = *level;
    if (document.contains("transports")) {
      c.transports = ReadTransports(document["transports"], "transports", kEveryTransport);
    }
    if (!document.contains("scenario")) Fail("scenario", "required");
    c.scenario = ReadScenario(document["scenario"], where, scenario_dir);
    c.operation = String(document.value("operation", json()), "operation");
    static const std::vector<std::string> kOperations = {"get",  "cancel", "cancel-and-wait",
                                                         "list", "create", "delete"};
    if (std::find(kOperations.begin(), kOperations.end(), c.operation) == kOperations.end()) {
      Fail("operation", "expected get, cancel, cancel-and-wait, list, create or delete");
    }
    if (document.contains("args")) {
      for (const auto& a : document["args"]) c.args.push_back(String(a, "args"));
    }
    if (document.contains("file")) c.file = document["file"];
    if (document.contains("deadlineMs")) {
      c.deadline =
          std::chrono::milliseconds(Integer(document["deadlineMs"], "deadlineMs", 100, 600000));
    }
    if (document.contains("expect")) {
      const json& expect = document["expect"];
      CheckKeys(expect, "expect", {"exit", "outcome", "maxElapsedMs", "wire"});
      if (expect.contains("exit")) {
        c.exit_in.clear();
        const json& exit = expect["exit"];
        if (exit.is_array()) {
          for (const auto& e : exit) c.exit_in.push_back(Integer(e, "expect.exit", 0, 1));
        } else {
          c.exit_in.push_back(Integer(exit, "expect.exit", 0, 1));
        }
      }
      if (expect.contains("outcome")) {
        size_t i = 0;
        for (const auto& o : expect["outcome"]) {
          c.outcome.push_back(ReadOutcome(o, "expect.outcome[" + std::to_string(i++) + "]"));
        }
      }
      if (expect.contains("maxElapsedMs")) {
        c.max_elapsed = std::chrono::milliseconds(
            Integer(expect["maxElapsedMs"], "expect.maxElapsedMs", 1, 600000));
      }
      if (expect.contains("wire")) {
        size_t i = 0;
        for (const auto& w : expect["wire"]) {
          c.wire.push_back(
              ReadWireCheck(w, "expect.wire[" + std::to_string(i++) + "]", c.transports));
        }
      }
    }
    return c;
  } catch (const CaseError& e) {
    return Status(StatusCode::kInvalidArgument, where + ": " + e.path + ": " + e.what);
  } catch (const json::exception& e) {
    return Status(StatusCode::kInvalidArgument, where + ": " + e.what());
  }
}

StatusOr<std::vector<Case>> LoadCases(const std::filesystem::path& cases_dir,
                                      const std::filesystem::path& scenario_dir,
                                      std::string_view id_glob) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(cases_dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) {
    return Status(StatusCode::kInvalidArgument,
                  cases_dir.string() + ": cannot list cases: " + ec.message());
  }
  std::vector<Case> cases;
  for (const auto& file : files) {
    auto document = model::ReadJsonFile(file);
    if (!document.ok()) return document.status();
    auto c = CaseFromJson(*document, file.string(), scenario_dir);
    if (!c.ok()) return c.status();
    if (GlobMatch(id_glob, c->id)) cases.push_back(std::move(*c));
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
  for (size_t i = 1; i < cases.size(); ++i) {
    if (cases[i].id == cases[i - 1].id) {
      return Status(StatusCode::kInvalidArgument, "two cases have the id \"" + cases[i].id + "\"");
    }
  }
  return cases;
}

}  // namespace nasfake::conformance
