// Seed fixtures: jobs and trial details put in a store before a test or a
// `nasfake serve` starts. Files are only ever read from paths a test or the
// command line names, never from anything a request says.
//
// A seed document is one JSON object, either
//   - a NasJob as the API returns it (its `name` says where it lives), or
//   - {"nasJobs": [NasJob, …], "nasTrialDetails": [NasTrialDetail, …]}.
// Resources use the API's JSON mapping (camelCase or snake_case). A seeded
// job keeps the state it is given; its lifecycle continues from the moment it
// is seeded. A document with an error is refused whole: nothing of it is seeded.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fake/status.h"
#include "fake/store/job_store.h"

namespace nasfake::server {

// `origin` names the document in errors ("fixtures/seed/running.json").
// Errors are INVALID_ARGUMENT: "<origin>: <path in the document>: <problem>".
Status SeedFromJson(const nlohmann::json& document, std::string_view origin, store::JobStore& jobs);
// A file, or every *.json file of a directory (in name order).
Status SeedFromPath(const std::filesystem::path& path, store::JobStore& jobs);

}  // namespace nasfake::server
