// A conformance case: a scenario, one adapter operation, the transports it
// runs over, and what a conformant client's outcome and traffic look like.
// Cases are JSON files (conformance/cases/*.json); the format is in
// conformance/PROTOCOL.md, "Case files".
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fake/api/request.h"
#include "fake/journal/journal.h"
#include "fake/status.h"
#include "scenarios/scenario.h"

namespace nasfake::conformance {

enum class Level { kRequired = 0, kRecommended = 1, kOptional = 2 };
std::string_view LevelName(Level level);
std::optional<Level> LevelFromName(std::string_view name);

// The transports a case (or one of its wire checks) applies to.
using Transports = std::vector<api::Transport>;
inline const Transports kEveryTransport = {api::Transport::kRest, api::Transport::kGrpc};
bool AppliesTo(const Transports& transports, api::Transport transport);

// Selects journal entries. Unset parts match anything.
struct Selector {
  std::optional<std::string> method;
  std::optional<std::string> operation;  // "nasJobs.get", …
  std::optional<int> status;             // the answer's HTTP status
  std::optional<std::string> response_contains;
  std::optional<std::string> action_contains;  // what the fake did or noted ("fault:goaway")
  bool Matches(const journal::Entry& entry) const;
  std::string Describe() const;  // "GET nasJobs.get answered 200"
};

// One expectation on the traffic, read from the journal.
struct WireCheck {
  enum class Kind {
    kCount,      // the number of selected requests is within [min, max]
    kEvery,      // every selected request satisfies the request conditions
    kNoneAfter,  // no selected request follows the first request matching `after`
    kRate,       // selected requests come at most max_per_second (over their span)
    kGap,        // the first `select` after the first `after` comes at least min_gap later
    kBackoff,    // the gaps between selected requests grow, or none is below floor
  };
  Kind kind = Kind::kCount;
  std::string what;  // the case's words for this check (shown when it fails)
  // The transports it is checked on: the case's unless the check names some
  // of them (an HTTP matter on REST alone, an HTTP/2 one on gRPC alone).
  Transports transports = kEveryTransport;
  Selector select;
  std::optional<int> min, max;                               // kCount
  std::optional<std::vector<std::string>> body_in;           // kEvery: the body is one of these
  std::vector<std::pair<std::string, std::string>> headers;  // kEvery: lowercase name, glob
  std::vector<std::string> target_excludes;  // kEvery: substrings the target must not have
  Selector after;                            // kNoneAfter, kGap
  double max_per_second = 0;                 // kRate
  std::chrono::milliseconds min_gap{0};      // kGap
  // kBackoff: with the gaps between consecutive selected requests in order,
  // the later half's mean is at least `growth` times the earlier half's, or
  // no gap is shorter than `floor`. Fewer than two gaps pass.
  double growth = 1.5;
  std::chrono::milliseconds floor{0};
};

struct OutcomeCheck {
  nlohmann::json::json_pointer pointer;
  std::vector<nlohmann::json> one_of;  // empty with `absent`
  bool absent = false;                 // the pointer must not resolve
  std::optional<std::string> glob;     // a string value matching this glob
};

struct Case {
  std::string id;
  std::string title;
  Level level = Level::kRequired;
  scenarios::Scenario scenario;
  // The transports it runs on ("transports"; both unless it names one): a
  // case that means nothing on one (an HTML error page on gRPC, a GOAWAY on
  // REST) names the other.
  Transports transports = kEveryTransport;
  std::string operation;          // get, cancel, cancel-and-wait, list, create, delete
  std::vector<std::string> args;  // "{file}" is replaced by the path of `file`
  nlohmann::json file;            // for create: the NasJob JSON written to a file
  std::chrono::milliseconds deadline{10000};
  // Expectations.
  std::vector<int> exit_in = {0};  // allowed exit statuses (0 or 1)
  std::vector<OutcomeCheck> outcome;
  std::optional<std::chrono::milliseconds> max_elapsed;
  std::vector<WireCheck> wire;
};

// Parses a case; `scenario_dir` resolves "scenario": "<library name>".
// INVALID_ARGUMENT "<origin>: <path>: <what is wrong>".
StatusOr<Case> CaseFromJson(const nlohmann::json& document, std::string_view origin,
                            const std::filesystem::path& scenario_dir);
// Every *.json file under `cases_dir` whose case id matches `id_glob`, sorted by id.
StatusOr<std::vector<Case>> LoadCases(const std::filesystem::path& cases_dir,
                                      const std::filesystem::path& scenario_dir,
                                      std::string_view id_glob = "*");

}  // namespace nasfake::conformance
