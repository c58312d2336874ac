// A scenario scripts one fake for one test: what exists, how jobs move, how
// particular requests are answered, and which faults hit the wire.
//
// Scenarios change the fake's behaviour in two ways only (DESIGN.md):
//  (a) request rules, applied by the ScenarioEngine before the API router;
//  (b) lifecycle settings, handed to the job and operation stores.
// The JSON form is in scenario_json.h and README "Scenario files".
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fake/api/request.h"
#include "fake/model/time.h"
#include "fake/store/lifecycle.h"

namespace nasfake::scenarios {

// Which requests a rule applies to. Every part that is set must match.
// Globs: '*' matches any run of characters (including '/'); nothing else is special.
struct RequestMatch {
  std::optional<api::Transport> transport;  // the front end it came on
  std::optional<std::string> method;        // "GET" (exact)
  std::optional<std::string> operation;     // "nasJobs.get" (exact; see api::Resolve)
  std::optional<std::string> resource;      // glob over "projects/p/locations/l/nasJobs/1"
  // Lowercase header name and a glob over its value ("*": present at all).
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;  // glob over the body text
  friend bool operator==(const RequestMatch&, const RequestMatch&) = default;
};

// An answer the fake sends instead of the API's.
struct ScriptedAnswer {
  int http_status = 200;
  std::string content_type = "application/json; charset=UTF-8";
  api::HeaderList headers;
  std::string body;
  friend bool operator==(const ScriptedAnswer&, const ScriptedAnswer&) = default;
};

struct Action {
  enum class Kind {
    kPass,    // the API answers as usual
    kAnswer,  // `answer` is sent
    kFault,   // `fault` happens on the wire, to `answer` if has_answer, else to the API's answer
    kDelay,   // wait `delay` (virtual or real time), then the API answers
    kHold,    // wait until the test releases hold `hold`, then the API answers
  };
  Kind kind = Kind::kPass;
  ScriptedAnswer answer;
  bool has_answer = false;  // kFault: fault the scripted answer rather than the API's
  api::WireFault fault;
  model::Duration delay{};
  bool virtual_delay = true;
  std::string hold;
  friend bool operator==(const Action&, const Action&) = default;
};

struct Rule {
  std::string id;  // unique within a scenario; recorded in the journal
  RequestMatch match;
  int after = 0;  // this many matching requests pass untouched first
  // The k-th request the rule applies to gets actions[k]; once every action
  // has been used the rule no longer applies (the request falls through to the
  // next rule, then to the API). With a single action, `times` says how often
  // it applies (unset: every time).
  std::vector<Action> actions;
  std::optional<int> times;
  friend bool operator==(const Rule&, const Rule&) = default;
};

// Faults at a rate, drawn from a seeded generator: the k-th matching request
// gets a fault when hash(seed, k) < rate, and which of `choices` it gets is
// drawn the same way. The same seed gives the same schedule.
struct RandomFaults {
  uint64_t seed = 0;
  double rate = 0;
  RequestMatch match;
  std::vector<Action> choices;
  friend bool operator==(const RandomFaults&, const RandomFaults&) = default;
};

struct Scenario {
  std::string name;
  std::string description;  // what a correct client does under it
  nlohmann::json seed;      // a seed document (fake/server/seed.h); null for none
  std::optional<store::LifecycleSettings> lifecycle;                             // for every job
  std::vector<std::pair<std::string, store::LifecycleSettings>> job_lifecycles;  // by job name
  int delete_polls_until_done = 0;
  int max_page_size = 0;    // the most a list page holds; 0: the store's own limit
  std::vector<Rule> rules;  // tried in order; the first that applies wins
  std::optional<RandomFaults> random_faults;  // tried when no rule applies
  friend bool operator==(const Scenario&, const Scenario&) = default;
};

}  // namespace nasfake::scenarios
