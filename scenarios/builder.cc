#include "scenarios/builder.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "scenarios/scenario_json.h"

namespace nasfake::scenarios {

Action Pass() { return Action{}; }

Action Answer(ScriptedAnswer answer) {
  Action a;
  a.kind = Action::Kind::kAnswer;
  a.answer = std::move(answer);
  return a;
}

Action Fault(api::WireFault fault) {
  Action a;
  a.kind = Action::Kind::kFault;
  a.fault = fault;
  return a;
}

Action Fault(api::WireFault fault, ScriptedAnswer answer) {
  Action a = Fault(fault);
  a.answer = std::move(answer);
  a.has_answer = true;
  return a;
}

Action Delay(model::Duration duration, bool virtual_clock) {
  Action a;
  a.kind = Action::Kind::kDelay;
  a.delay = duration;
  a.virtual_delay = virtual_clock;
  return a;
}

Action Hold(std::string name) {
  Action a;
  a.kind = Action::Kind::kHold;
  a.hold = std::move(name);
  return a;
}

Match& Match::Transport(api::Transport transport) {
  match_.transport = transport;
  return *this;
}
Match& Match::Method(std::string method) {
  match_.method = std::move(method);
  return *this;
}
Match& Match::Operation(std::string operation) {
  match_.operation = std::move(operation);
  return *this;
}
Match& Match::Resource(std::string glob) {
  match_.resource = std::move(glob);
  return *this;
}
Match& Match::Header(std::string_view name, std::string glob) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  match_.headers.emplace_back(std::move(lower), std::move(glob));
  return *this;
}
Match& Match::Body(std::string glob) {
  match_.body = std::move(glob);
  return *this;
}

ScenarioBuilder::RuleBuilder::RuleBuilder(ScenarioBuilder& owner, RequestMatch match)
    : owner_(owner) {
  rule_.match = std::move(match);
}

ScenarioBuilder::RuleBuilder& ScenarioBuilder::RuleBuilder::Id(std::string id) {
  rule_.id = std::move(id);
  return *this;
}
ScenarioBuilder::RuleBuilder& ScenarioBuilder::RuleBuilder::After(int requests) {
  rule_.after = requests;
  return *this;
}
ScenarioBuilder::RuleBuilder& ScenarioBuilder::RuleBuilder::Times(int times) {
  rule_.times = times;
  return *this;
}

ScenarioBuilder& ScenarioBuilder::RuleBuilder::Do(Action action) {
  rule_.actions = {std::move(action)};
  owner_.scenario_.rules.push_back(std::move(rule_));
  return owner_;
}

ScenarioBuilder& ScenarioBuilder::RuleBuilder::Answer(ScriptedAnswer answer) {
  return Do(scenarios::Answer(std::move(answer)));
}

ScenarioBuilder& ScenarioBuilder::RuleBuilder::Sequence(std::vector<Action> actions) {
  if (rule_.times && !owner_.error_) {
    owner_.error_ = "rules[" + std::to_string(owner_.scenario_.rules.size()) +
                    "]: Times() is only for a single action (Do or Answer), not Sequence()";
  }
  // As the loader stores a one-action sequence: that action, once.
  if (actions.size() == 1) rule_.times = 1;
  rule_.actions = std::move(actions);
  owner_.scenario_.rules.push_back(std::move(rule_));
  return owner_;
}

ScenarioBuilder::ScenarioBuilder(std::string name) { scenario_.name = std::move(name); }

ScenarioBuilder& ScenarioBuilder::Description(std::string description) {
  scenario_.description = std::move(description);
  return *this;
}
ScenarioBuilder& ScenarioBuilder::Seed(nlohmann::json seed) {
  scenario_.seed = std::move(seed);
  return *this;
}
ScenarioBuilder& ScenarioBuilder::Lifecycle(store::LifecycleSettings settings) {
  scenario_.lifecycle = std::move(settings);
  return *this;
}
ScenarioBuilder& ScenarioBuilder::JobLifecycle(std::string job_name,
                                               store::LifecycleSettings settings) {
  for (auto& [name, existing] : scenario_.job_lifecycles) {
    if (name == job_name) {
      existing = std::move(settings);
      return *this;
    }
  }
  scenario_.job_lifecycles.emplace_back(std::move(job_name), std::move(settings));
  return *this;
}
ScenarioBuilder& ScenarioBuilder::DeletePollsUntilDone(int polls) {
  scenario_.delete_polls_until_done = polls;
  return *this;
}

ScenarioBuilder::RuleBuilder ScenarioBuilder::On(RequestMatch match) {
  return RuleBuilder(*this, std::move(match));
}

ScenarioBuilder& ScenarioBuilder::RandomFaults(uint64_t seed, double rate,
                                               std::vector<Action> choices, RequestMatch match) {
  scenarios::RandomFaults faults;
  faults.seed = seed;
  faults.rate = rate;
  faults.match = std::move(match);
  faults.choices = std::move(choices);
  scenario_.random_faults = std::move(faults);
  return *this;
}

StatusOr<Scenario> ScenarioBuilder::Build() const {
  std::string origin = "ScenarioBuilder \"" + scenario_.name + "\"";
  if (error_) return Status(StatusCode::kInvalidArgument, origin + ": " + *error_);
  Scenario s = scenario_;
  for (size_t i = 0; i < s.rules.size(); ++i) {
    if (s.rules[i].id.empty()) s.rules[i].id = "rule-" + std::to_string(i + 1);
  }
  return ScenarioFromJson(ScenarioToJson(s), origin);
}

}  // namespace nasfake::scenarios
