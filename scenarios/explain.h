// A scenario in words, for people about to run a client under it
// (`nasfake scenario explain`): what it seeds, how jobs move, and what each
// rule does to which requests, in the order the engine tries them.
#pragma once

#include <string>

#include "scenarios/scenario.h"

namespace nasfake::scenarios {

// One line per part, each ending in "\n":
//   scenario "flaky-get": The first get is reset.
//   seed: 1 job: projects/…/nasJobs/1 (JOB_STATE_RUNNING)
//   every job: QUEUED for 0.5s, PENDING for 1s, RUNNING for 14400s, then
//     JOB_STATE_SUCCEEDED; a cancel makes it CANCELLING, then CANCELLED at
//     the 5th read of the job after the cancel
//   rules, tried in order (the first that applies wins):
//     1. reset-first-get: nasJobs.get requests: the first gets a TCP reset
//        (nothing is sent); later ones fall through
//   any other request: the API's own answer
std::string ExplainScenario(const Scenario& scenario);

// One action in words: "a TCP reset (nothing is sent)", "held until the
// test releases hold \"h\" (at most 30 s), then the API's own answer", …
std::string ExplainAction(const Action& action);

}  // namespace nasfake::scenarios
