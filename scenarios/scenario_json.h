// Scenario files: the JSON form of scenario.h. The schema is documented in
// README "Scenario files"; every key is camelCase.
//
//   {"name": "…", "description": "…",
//    "seed": {"nasJobs": […], "nasTrialDetails": […]},
//    "lifecycle": {"queuedFor": "0.5s", "pendingFor": "1s", "runningFor": "14400s",
//                  "cancellingFor": "1s", "cancellingPolls": 0,
//                  "outcome": "JOB_STATE_SUCCEEDED", "failureError": {"code": 9, "message": "…"},
//                  "cancelEffect": "CANCELS" | "FINISHES_FIRST"},   // a duration null = forever
//    "jobLifecycles": {"projects/…/nasJobs/1": {…as lifecycle…}},
//    "operations": {"deletePollsUntilDone": 3},
//    "pagination": {"maxPageSize": 3},                 // 1..1000
//    "rules": [{"id": "…", "match": {"transport": "rest"|"grpc", "method", "operation",
//                                    "resource", "headers": {…}, "body"},
//               "after": 0, "times": 2, "action": ACTION | "sequence": [ACTION, …]}],
//    "randomFaults": {"seed": 42, "rate": 0.2, "match": {…}, "choices": [ACTION, …]}}
//
//   ACTION: {"pass": true}
//         | {"answer": {"status": 503, "error": {"status": "UNAVAILABLE", "message": "…",
//                                                "details": […]},
//                       "json": {…} | "body": "raw text", "contentType": "…", "headers": {…}}}
//         | {"error": "UNAVAILABLE" | "RATE_LIMITED" | "PERMISSION_DENIED" | "UNAUTHENTICATED"
//                    | "NOT_FOUND", "retryDelay": "2s"}      // errors from the catalogue
//         | {"html": 502}                                     // Google's HTML error page
//         | {"fault": "reset" | "close" | "partial" | "stall" | "dribble",
//            "bytes": 10, "duration": "0.5s", "answer": {…}}  // answer: optional
//         | {"delay": "2s", "clock": "virtual" | "real"}
//         | {"hold": "name"}
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fake/status.h"
#include "scenarios/scenario.h"

namespace nasfake::scenarios {

// INVALID_ARGUMENT "<origin>: <path>: <what is wrong>" for anything that does
// not follow the schema (unknown keys included), e.g.
// "library/x.json: rules[2].action.fault: unknown fault \"rst\"; expected reset, close, …".
// Nothing is half-loaded: the result is a whole Scenario or an error.
StatusOr<Scenario> ScenarioFromJson(const nlohmann::json& document, std::string_view origin);
StatusOr<Scenario> LoadScenarioFile(const std::filesystem::path& path);
// The inverse of ScenarioFromJson: ScenarioFromJson(ScenarioToJson(s)) == s.
nlohmann::json ScenarioToJson(const Scenario& scenario);

}  // namespace nasfake::scenarios
