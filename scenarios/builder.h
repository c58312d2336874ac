// A fluent way to write a Scenario in C++ without JSON:
//
//   StatusOr<Scenario> s = ScenarioBuilder("cancel-races")
//       .Seed(seed_json)
//       .Lifecycle(settings)
//       .JobLifecycle("projects/p/locations/us-central1/nasJobs/1", settings)
//       .On(Match().Operation("nasJobs.get").Resource("*/nasJobs/1"))
//           .After(1).Times(2).Answer(ErrorAnswer(errors::Unavailable()))
//       .On(Match().Operation("nasJobs.cancel"))
//           .Sequence({Fault({api::WireFault::Kind::kReset}), Pass()})
//       .Build();
//
// Build() checks the scenario exactly as the loader does, by passing it
// through ScenarioToJson and ScenarioFromJson: the result is what the loader
// makes of the equivalent scenario file (job names canonicalised, header
// names lowercased, …), and a mistake is the loader's error with its JSON
// path ("ScenarioBuilder \"x\": rules[1].action.bytes: required …").
// A rule without Id() gets "rule-<position>" (1-based) at Build().
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake/api/request.h"
#include "fake/model/time.h"
#include "fake/status.h"
#include "fake/store/lifecycle.h"
#include "scenarios/answers.h"
#include "scenarios/scenario.h"

namespace nasfake::scenarios {

// Actions (scenario.h Action), one per kind.
Action Pass();
Action Answer(ScriptedAnswer answer);
// The fault happens to the API's answer, or to `answer` when given.
Action Fault(api::WireFault fault);
Action Fault(api::WireFault fault, ScriptedAnswer answer);
// Waits `duration` on the fake's clock (virtual_clock) or in real time.
Action Delay(model::Duration duration, bool virtual_clock = true);
Action Hold(std::string name);

// Builds a RequestMatch: Match().Method("GET").Operation("nasJobs.get").
class Match {
 public:
  Match& Transport(api::Transport transport);              // api::Transport::kGrpc
  Match& Method(std::string method);                       // "GET"
  Match& Operation(std::string operation);                 // "nasJobs.get"
  Match& Resource(std::string glob);                       // "*/nasJobs/1"
  Match& Header(std::string_view name, std::string glob);  // name lowercased
  Match& Body(std::string glob);
  operator RequestMatch() const { return match_; }  // NOLINT: implicit by design

 private:
  RequestMatch match_;
};

class ScenarioBuilder {
 public:
  // One rule being written; a call to Do, Answer or Sequence adds it to the
  // scenario and returns to the scenario builder. A RuleBuilder dropped
  // before that adds nothing.
  class RuleBuilder {
   public:
    RuleBuilder& Id(std::string id);
    RuleBuilder& After(int requests);
    RuleBuilder& Times(int times);  // with Do / Answer only
    // One action: every matching request (or Times() of them) gets it.
    ScenarioBuilder& Do(Action action);
    ScenarioBuilder& Answer(ScriptedAnswer answer);  // Do(scenarios::Answer(answer))
    // The k-th matching request gets actions[k]; then the rule is used up.
    ScenarioBuilder& Sequence(std::vector<Action> actions);

   private:
    friend class ScenarioBuilder;
    RuleBuilder(ScenarioBuilder& owner, RequestMatch match);
    ScenarioBuilder& owner_;
    Rule rule_;
  };

  explicit ScenarioBuilder(std::string name);

  ScenarioBuilder& Description(std::string description);
  ScenarioBuilder& Seed(nlohmann::json seed);  // a seed document {"nasJobs": […], …}
  ScenarioBuilder& Lifecycle(store::LifecycleSettings settings);
  // Replaces an earlier JobLifecycle for the same name.
  ScenarioBuilder& JobLifecycle(std::string job_name, store::LifecycleSettings settings);
  ScenarioBuilder& DeletePollsUntilDone(int polls);
  [[nodiscard]] RuleBuilder On(RequestMatch match = {});
  ScenarioBuilder& RandomFaults(uint64_t seed, double rate, std::vector<Action> choices,
                                RequestMatch match = {});

  // The scenario, checked as the loader checks a file (see the top comment).
  StatusOr<Scenario> Build() const;

 private:
  Scenario scenario_;
  std::optional<std::string> error_;  // a misuse the JSON form cannot show
};

}  // namespace nasfake::scenarios
