// A tenant is everything one test sees of a fake: its clock, stores,
// scenario engine and journal. A server has a default tenant, and one more per
// distinct `x-nasfake-test-id` header value, so parallel tests sharing one
// `nasfake serve` never see each other's state, rules or requests.
//
// Tenant::Handle is the one path of an API request (DESIGN.md):
//   journal (recorded before anything answers) ─► scenario engine (a rule's
//   action, or pass) ─► API router ─► journal (outcome recorded before the
//   response leaves) ─► transport.
#pragma once

#include <memory>
#include <string>

#include "fake/api/request.h"
#include "fake/api/router.h"
#include "fake/env.h"
#include "fake/journal/journal.h"
#include "fake/status.h"
#include "scenarios/engine.h"
#include "scenarios/scenario.h"

namespace nasfake {

class Tenant {
 public:
  // `options.clock` null: this tenant gets a VirtualClock of its own.
  explicit Tenant(FakeOptions options);
  Tenant(const Tenant&) = delete;
  Tenant& operator=(const Tenant&) = delete;

  FakeEnv& env() { return env_; }
  journal::Journal& journal() { return journal_; }
  scenarios::ScenarioEngine& engine() { return engine_; }

  // Applies a scenario on top of the current state: seeds, lifecycle
  // settings, operation settings, then replaces the request rules. Checked
  // before anything changes: on error (INVALID_ARGUMENT naming the scenario and
  // what is wrong) the tenant is as it was.
  Status ApplyScenario(const scenarios::Scenario& scenario);

  // What answered a request, as journaled: the matched scenario rule (""
  // when none), the action taken ("pass", "answer", "fault:reset", …) and the
  // status sent (0 when a fault sent no status line).
  struct Outcome {
    std::string rule;
    std::string action;
    int status = 0;
  };
  // `outcome`, when given, receives what answered the request.
  api::Response Handle(const api::Request& request, Outcome* outcome = nullptr);

  // Ends every hold, delay and journal wait; later ones return at once.
  void Shutdown();

 private:
  FakeEnv env_;
  api::Router router_;
  journal::Journal journal_;
  scenarios::ScenarioEngine engine_;
};

}  // namespace nasfake
