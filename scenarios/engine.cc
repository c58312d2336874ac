#include "scenarios/engine.h"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <utility>

#include "fake/about_to_wait.h"
#include "fake/errors.h"
#include "fake/glob.h"

namespace nasfake::scenarios {

namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// splitmix64 (Steele, Lea, Flood): a well-mixed hash of one 64-bit value.
uint64_t SplitMix64(uint64_t x) {
  uint64_t z = x + kGolden;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool Matches(const RequestMatch& match, const api::Request& request,
             const std::optional<api::ResolvedRequest>& resolved) {
  if (match.transport && *match.transport != request.transport) return false;
  if (match.method && *match.method != request.method) return false;
  if (match.operation && (!resolved || resolved->operation != *match.operation)) return false;
  if (match.resource && (!resolved || !GlobMatch(*match.resource, resolved->resource))) {
    return false;
  }
  for (const auto& [name, value_glob] : match.headers) {
    std::optional<std::string_view> value = request.Header(name);
    if (!value || !GlobMatch(value_glob, *value)) return false;
  }
  if (match.body && !GlobMatch(*match.body, request.body)) return false;
  return true;
}

bool Exhausted(const Rule& rule, int applied) {
  if (rule.actions.size() > 1) return applied >= static_cast<int>(rule.actions.size());
  return rule.times && applied >= *rule.times;
}

api::Response FromAnswer(const ScriptedAnswer& answer) {
  api::Response response;
  response.status = answer.http_status;
  response.content_type = answer.content_type;
  response.headers = answer.headers;
  response.body = answer.body;
  return response;
}

}  // namespace

ScenarioEngine::ScenarioEngine(store::Clock& clock, std::chrono::milliseconds max_wait)
    : clock_(clock),
      max_wait_(max_wait),
      virtual_clock_(dynamic_cast<store::VirtualClock*>(&clock)) {
  if (virtual_clock_ != nullptr) {
    clock_subscription_ = virtual_clock_->Subscribe([this] { ClockAdvanced(); });
  }
}

ScenarioEngine::~ScenarioEngine() {
  Shutdown();
  if (virtual_clock_ != nullptr) virtual_clock_->Unsubscribe(clock_subscription_);
  // Threads woken by Shutdown still need mu_ on their way out of a wait.
  std::unique_lock lock(mu_);
  wake_.wait(lock, [this] { return active_waits_ == 0; });
}

void ScenarioEngine::SetRules(std::vector<Rule> rules, std::optional<RandomFaults> random_faults) {
  std::lock_guard lock(mu_);
  rules_ = std::move(rules);
  states_.assign(rules_.size(), RuleState{});
  random_faults_ = std::move(random_faults);
  random_matched_ = 0;
  banked_.clear();
}

ScenarioEngine::Decision ScenarioEngine::Decide(
    const api::Request& request, const std::optional<api::ResolvedRequest>& resolved) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < rules_.size(); ++i) {
    const Rule& rule = rules_[i];
    RuleState& state = states_[i];
    if (!Matches(rule.match, request, resolved)) continue;
    ++state.matched;
    if (state.matched <= rule.after) continue;
    if (rule.actions.empty() || Exhausted(rule, state.applied)) continue;
    ++state.applied;
    const Action& action =
        rule.actions.size() == 1 ? rule.actions[0] : rule.actions[state.applied - 1];
    return {rule.id, action};
  }
  if (random_faults_ && Matches(random_faults_->match, request, resolved)) {
    const RandomFaults& faults = *random_faults_;
    uint64_t k = random_matched_++;
    double u = static_cast<double>(SplitMix64(faults.seed ^ SplitMix64(k)) >> 11) * 0x1.0p-53;
    if (u < faults.rate && !faults.choices.empty()) {
      size_t choice = SplitMix64(faults.seed + kGolden + k) % faults.choices.size();
      return {"random-fault", faults.choices[choice]};
    }
  }
  return {"", Action{}};
}

api::Response ScenarioEngine::Perform(const Decision& decision,
                                      const std::function<api::Response()>& api,
                                      std::string* note) {
  const Action& action = decision.action;
  switch (action.kind) {
    case Action::Kind::kPass:
      return api();
    case Action::Kind::kAnswer:
      return FromAnswer(action.answer);
    case Action::Kind::kFault: {
      api::Response response = action.has_answer ? FromAnswer(action.answer)
                               : api::LeavesTheRequestUnprocessed(action.fault) ? api::Response{}
                                                                                : api();
      response.fault = action.fault;
      return response;
    }
    case Action::Kind::kDelay:
    case Action::Kind::kHold: {
      AboutToWait();  // a front end running this on its event loop moves the loop first
      std::string why;
      {
        std::unique_lock lock(mu_);
        ++active_waits_;
        if (action.kind == Action::Kind::kDelay) {
          WaitDelay(lock, action, &why);
        } else {
          WaitHold(lock, action.hold, &why);
        }
        if (--active_waits_ == 0 && shutdown_) wake_.notify_all();
      }
      if (note != nullptr && !why.empty()) *note = std::move(why);
      return api();
    }
  }
  return api();
}

void ScenarioEngine::WaitDelay(std::unique_lock<std::mutex>& lock, const Action& action,
                               std::string* note) {
  const auto real_deadline = std::chrono::steady_clock::now() + max_wait_;
  if (!action.virtual_delay) {
    const auto due = std::chrono::steady_clock::now() + action.delay;
    const auto until = std::min(due, real_deadline);
    wake_.wait_until(lock, until, [this] { return shutdown_; });
    if (std::chrono::steady_clock::now() >= due) return;  // served in full
    *note = shutdown_ ? "stopped" : "delay timed out";
    return;
  }
  const model::Timestamp due = clock_.Now() + action.delay;
  while (true) {
    // Re-read under mu_: ClockAdvanced takes mu_ before notifying, so an
    // Advance after this read always wakes the wait below.
    model::Timestamp now = clock_.Now();
    if (now >= due) return;
    if (shutdown_) {
      *note = "stopped";
      return;
    }
    auto until = real_deadline;
    if (virtual_clock_ == nullptr) {
      // A clock nobody advances by hand (RealClock): it moves by itself, so
      // sleep until it should have reached `due` rather than for a notify.
      until = std::min(until, std::chrono::steady_clock::now() + (due - now));
    }
    if (wake_.wait_until(lock, until) == std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= real_deadline) {
      if (clock_.Now() >= due) return;
      *note = shutdown_ ? "stopped" : "delay timed out";
      return;
    }
  }
}

void ScenarioEngine::WaitHold(std::unique_lock<std::mutex>& lock, const std::string& name,
                              std::string* note) {
  if (shutdown_) {
    *note = "stopped";
    return;
  }
  if (auto banked = banked_.find(name); banked != banked_.end()) {
    if (--banked->second == 0) banked_.erase(banked);
    return;  // released ahead of its arrival
  }
  HoldWaiter self;
  std::vector<HoldWaiter*>& waiters = waiting_[name];
  waiters.push_back(&self);
  wake_.notify_all();  // for WaitForHeld
  wake_.wait_for(lock, max_wait_, [&] { return self.released || shutdown_; });
  // A map node is erased only when its last waiter leaves, so `waiters` is
  // still valid here.
  waiters.erase(std::find(waiters.begin(), waiters.end(), &self));
  if (waiters.empty()) waiting_.erase(name);
  if (self.released) return;
  *note = shutdown_ ? "stopped" : "hold timed out";
}

size_t ScenarioEngine::WaitingLocked(const std::string& name) const {
  auto it = waiting_.find(name);
  if (it == waiting_.end()) return 0;
  return static_cast<size_t>(std::count_if(it->second.begin(), it->second.end(),
                                           [](const HoldWaiter* w) { return !w->released; }));
}

Status ScenarioEngine::HoldExistsLocked(const std::string& name) const {
  std::vector<std::string> known;  // in the rules' order, then the waiting ones'
  auto add = [&](const std::string& hold) {
    if (std::find(known.begin(), known.end(), hold) == known.end()) known.push_back(hold);
  };
  for (const Rule& rule : rules_) {
    for (const Action& action : rule.actions) {
      if (action.kind == Action::Kind::kHold) add(action.hold);
    }
  }
  if (random_faults_) {
    for (const Action& action : random_faults_->choices) {
      if (action.kind == Action::Kind::kHold) add(action.hold);
    }
  }
  for (const auto& [hold, waiters] : waiting_) add(hold);
  if (std::find(known.begin(), known.end(), name) != known.end()) return Status();
  return errors::UnknownHold(name, known);
}

Status ScenarioEngine::HoldExists(const std::string& name) const {
  std::lock_guard lock(mu_);
  return HoldExistsLocked(name);
}

StatusOr<ScenarioEngine::HoldRelease> ScenarioEngine::ReleaseHold(const std::string& name,
                                                                  std::optional<size_t> count) {
  std::lock_guard lock(mu_);
  if (Status s = HoldExistsLocked(name); !s.ok()) return s;
  const size_t limit = count.value_or(SIZE_MAX);
  HoldRelease result;
  if (auto it = waiting_.find(name); it != waiting_.end()) {
    for (HoldWaiter* waiter : it->second) {
      if (result.released == limit) break;
      if (waiter->released) continue;
      waiter->released = true;
      ++result.released;
    }
  }
  if (count && result.released < *count) banked_[name] += *count - result.released;
  if (auto banked = banked_.find(name); banked != banked_.end()) result.banked = banked->second;
  if (result.released > 0) wake_.notify_all();
  return result;
}

std::map<std::string, size_t> ScenarioEngine::Held() const {
  std::lock_guard lock(mu_);
  std::map<std::string, size_t> held;
  for (const auto& [name, waiters] : waiting_) {
    if (size_t n = WaitingLocked(name); n > 0) held.emplace(name, n);
  }
  return held;
}

std::map<std::string, size_t> ScenarioEngine::Banked() const {
  std::lock_guard lock(mu_);
  return banked_;
}

WaitResult ScenarioEngine::WaitForHeld(const std::string& name, size_t count,
                                       std::chrono::milliseconds timeout) const {
  const std::string what =
      std::to_string(count) + (count == 1 ? " request" : " requests") + " on hold \"" + name + "\"";
  std::unique_lock lock(mu_);
  if (Status s = HoldExistsLocked(name); !s.ok()) return WaitResult{false, s.message()};
  // Shutdown ends this wait too (the holds are draining; the count never comes).
  wake_.wait_for(lock, timeout, [&] { return shutdown_ || WaitingLocked(name) >= count; });
  const size_t waiting = WaitingLocked(name);
  if (waiting >= count) return WaitResult{true, "met: " + what};

  // Not met: say what was awaited and what is held now, so a test that forgot
  // the rule, or named the hold wrong, can tell from the message.
  std::ostringstream reason;
  if (shutdown_) {
    reason << "the scenario engine was shut down while waiting for " << what;
  } else {
    reason << "timed out after " << timeout.count() << " ms waiting for " << what;
  }
  reason << "; " << waiting << " waiting on \"" << name << "\"";
  std::string others;
  for (const auto& [other, waiters] : waiting_) {
    if (other == name) continue;
    if (size_t n = WaitingLocked(other); n > 0) {
      others += (others.empty() ? "" : ", ") + ("\"" + other + "\" ") + std::to_string(n);
    }
  }
  reason << "; " << (others.empty() ? "no other hold has waiters" : "other holds: " + others);
  return WaitResult{false, reason.str()};
}

void ScenarioEngine::ClockAdvanced() {
  { std::lock_guard lock(mu_); }  // orders the notify after any waiter's read of Now()
  wake_.notify_all();
}

void ScenarioEngine::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
  }
  wake_.notify_all();
}

}  // namespace nasfake::scenarios
