// The REST methods. Each handler receives the bound call and returns the
// response body (JSON text) or an error from the catalogue. Handlers never
// see the transport or the scenario engine.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake/api/query.h"
#include "fake/api/request.h"
#include "fake/env.h"
#include "fake/model/json_mapping.h"
#include "fake/model/resource_names.h"
#include "fake/status.h"

namespace nasfake::api {

struct Call {
  const Request& http;
  std::vector<std::string> vars;  // path variables in template order
  QueryParams params;             // the method's own parameters, names in snake_case
  model::JsonWriteOptions json;

  std::optional<std::string_view> Param(std::string_view snake_name) const;
};

using Handler = StatusOr<std::string> (*)(FakeEnv& env, const Call& call);

// projects.locations.nasJobs — vars: project, location[, job]
StatusOr<std::string> CreateNasJob(FakeEnv& env, const Call& call);
StatusOr<std::string> GetNasJob(FakeEnv& env, const Call& call);
StatusOr<std::string> ListNasJobs(FakeEnv& env, const Call& call);
StatusOr<std::string> DeleteNasJob(FakeEnv& env, const Call& call);
StatusOr<std::string> CancelNasJob(FakeEnv& env, const Call& call);
// projects.locations.nasJobs.nasTrialDetails — vars: project, location, job[, trial]
StatusOr<std::string> GetNasTrialDetail(FakeEnv& env, const Call& call);
StatusOr<std::string> ListNasTrialDetails(FakeEnv& env, const Call& call);
// projects.locations.operations — vars: project, location[, operation]
StatusOr<std::string> GetOperation(FakeEnv& env, const Call& call);
StatusOr<std::string> ListOperations(FakeEnv& env, const Call& call);
StatusOr<std::string> CancelOperation(FakeEnv& env, const Call& call);
StatusOr<std::string> DeleteOperation(FakeEnv& env, const Call& call);
StatusOr<std::string> WaitOperation(FakeEnv& env, const Call& call);

// Shared by handlers. The names bound from the path variables (INVALID_ARGUMENT
// naming the resource when a segment breaks the naming rules).
StatusOr<model::LocationName> LocationOf(const Call& call);
StatusOr<model::NasJobName> NasJobOf(const Call& call);
StatusOr<model::OperationName> OperationOf(const Call& call);
// A list response: {"<field>":[items…],"nextPageToken":…}, each part omitted
// when empty (an empty last page is `{}`). Items are JSON texts.
std::string ListBody(std::string_view field, const std::vector<std::string>& items,
                     std::string_view next_page_token);
// The `page_size` parameter: 0 when absent; INVALID_ARGUMENT when it is not
// an int32 or is negative (AIP-158).
StatusOr<int> PageSizeParam(const Call& call);
// An int32 query parameter (INVALID_ARGUMENT when not one).
StatusOr<int> IntParam(const Call& call, std::string_view snake_name, int default_value);
// The body of a method whose request has no fields besides those in the path
// (`body: "*"` custom methods): empty, blank, or a JSON object with no keys.
Status ExpectEmptyBody(const Call& call);

}  // namespace nasfake::api
