// A transcript as a scenario file (`nasfake replay --to-scenario`), so that a
// recorded exchange becomes a reviewable, editable test fixture.
//
// One rule per API operation and resource the transcript asked for, in the
// order each was first asked, with id "OPERATION RESOURCE" (e.g.
// "nasJobs.get projects/p/locations/l/nasJobs/1") and
// match {"operation", "resource"}; its actions are the recorded answers in
// recorded order ("sequence", or one "action" with "times": 1), so the k-th
// such request gets the k-th answer and later ones fall through to the fake's
// own API. Query parameters are not matched: a transcript's list pages (page
// tokens) are answered in the order they were recorded. Answers are written
// as {"answer": {"status", "contentType" (when not the default JSON one),
// "headers", "json" | "body"}}: a body that is JSON is written as "json" (the
// fake sends it compact), any other as "body". A recorded wire fault becomes
// a "fault" action (with its answer when one was sent).
//
// Exchanges whose request is not an API call (no HTTP rule matches it) have
// no operation to match and are left out; `skipped` receives them as
// "METHOD target". The document always loads with ScenarioFromJson.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/transcript.h"

namespace nasfake::scenarios {

nlohmann::json TranscriptToScenarioJson(const Transcript& transcript, std::string_view name,
                                        std::string_view description,
                                        std::vector<std::string>* skipped = nullptr);

}  // namespace nasfake::scenarios
