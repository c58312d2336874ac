// The scenario engine: decides, for each request, which rule applies and what
// it does, and performs the waiting actions (delays, holds). It sits between
// the journal and the API router; it never touches the stores.
//
// Every wait is bounded: a virtual delay waits for the virtual clock (the test
// advances it) but at most `max_wait` of real time; a hold waits for
// ReleaseHold, also at most `max_wait`; Shutdown() ends every wait at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fake/api/request.h"
#include "fake/api/router.h"
#include "fake/status.h"
#include "fake/store/clock.h"
#include "fake/wait_result.h"
#include "scenarios/scenario.h"

namespace nasfake::scenarios {

class ScenarioEngine {
 public:
  struct Decision {
    std::string rule;  // the rule's id ("random-fault" for the random schedule); "" for none
    Action action;     // kPass when no rule applies
  };

  explicit ScenarioEngine(store::Clock& clock,
                          std::chrono::milliseconds max_wait = std::chrono::seconds(30));
  ~ScenarioEngine();  // Shutdown()s

  // Replaces the rules and random faults; resets every counter and banked
  // release and releases nothing (pending holds keep waiting for their names).
  void SetRules(std::vector<Rule> rules, std::optional<RandomFaults> random_faults);

  // Which rule applies to this request, and counts it. Never blocks.
  Decision Decide(const api::Request& request, const std::optional<api::ResolvedRequest>& resolved);

  // Carries out a decision: `api` produces the API's own answer (called at
  // most once, for kPass, kDelay, kHold and a kFault without its own answer,
  // unless the fault says the request was never processed:
  // api::LeavesTheRequestUnprocessed).
  // Blocks for delays and holds, within the bounds above. `note` receives a
  // word for the journal when a wait ended other than as planned ("hold
  // timed out", "stopped").
  api::Response Perform(const Decision& decision, const std::function<api::Response()>& api,
                        std::string* note);

  struct HoldRelease {
    size_t released = 0;  // requests that were waiting and go on now
    size_t banked = 0;    // releases kept for requests still to arrive (in all)
  };
  // Releases requests on hold `name`, as a semaphore does: with `count`, that
  // many — the requests waiting now first, in arrival order, and the rest
  // banked, so each of the next requests to arrive on the hold goes on at
  // once; without, every request waiting now (nothing is banked).
  // NOT_FOUND (errors::UnknownHold) when no rule holds requests on `name`
  // and none waits on it.
  StatusOr<HoldRelease> ReleaseHold(const std::string& name,
                                    std::optional<size_t> count = std::nullopt);
  // OK when a rule (or random fault choice) holds requests on `name` or a
  // request waits on it; else NOT_FOUND (errors::UnknownHold).
  Status HoldExists(const std::string& name) const;
  // Requests waiting on each hold now.
  std::map<std::string, size_t> Held() const;
  // Releases banked for each hold (see ReleaseHold).
  std::map<std::string, size_t> Banked() const;
  // Blocks until at least `count` requests wait on hold `name`, or `timeout`,
  // or Shutdown. When not met, the reason says what was awaited and which
  // holds have waiters now:
  //   timed out after 200 ms waiting for 2 requests on hold "h"; 1 waiting on
  //   "h"; other holds: "g" 3
  // A name no rule holds on (HoldExists) is not met at once, with its message.
  WaitResult WaitForHeld(const std::string& name, size_t count,
                         std::chrono::milliseconds timeout) const;

  // The clock moved: wakes virtual delays so they re-check. (VirtualClock
  // users call this after Advance; FakeServer does it for its own clock.)
  void ClockAdvanced();
  // Ends every wait now and makes later waits return at once.
  void Shutdown();

 private:
  struct RuleState {
    int matched = 0;  // matching requests seen
    int applied = 0;  // requests the rule applied to
  };

  // One request waiting on a hold; lives on the waiting thread's stack.
  struct HoldWaiter {
    bool released = false;
  };

  // Waits (mu_ held through `lock`) for a virtual or real delay.
  void WaitDelay(std::unique_lock<std::mutex>& lock, const Action& action, std::string* note);
  // Waits (mu_ held through `lock`) until hold `name` releases this request.
  void WaitHold(std::unique_lock<std::mutex>& lock, const std::string& name, std::string* note);
  size_t WaitingLocked(const std::string& name) const;
  Status HoldExistsLocked(const std::string& name) const;

  store::Clock& clock_;
  const std::chrono::milliseconds max_wait_;
  store::VirtualClock* virtual_clock_ = nullptr;  // clock_, when it is one
  int clock_subscription_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable wake_;
  std::vector<Rule> rules_;
  std::vector<RuleState> states_;
  std::optional<RandomFaults> random_faults_;
  uint64_t random_matched_ = 0;
  // Hold name -> the requests waiting on it, in arrival order. A release marks
  // the first unreleased ones, so it applies only to requests waiting at the
  // time of the call (never to later arrivals).
  std::map<std::string, std::vector<HoldWaiter*>> waiting_;
  // Hold name -> releases made ahead of arrivals; each arrival on the hold
  // takes one and goes on without waiting.
  std::map<std::string, size_t> banked_;
  int active_waits_ = 0;  // threads inside a wait; the destructor waits for them to leave
  bool shutdown_ = false;
};

}  // namespace nasfake::scenarios
