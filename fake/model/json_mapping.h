// The proto3 JSON mapping of the API's resources (reference §2.3).
//
// Output: compact JSON, lowerCamelCase keys, fields at their default value
// omitted, int64 as strings, timestamps RFC 3339 with 6 fractional digits,
// durations "3600s", enums by name (by number with enums_as_ints).
//
// Input: lowerCamelCase and snake_case keys, null as "unset", enums by name or
// number, int64 and int32 as JSON numbers or decimal strings. Unknown keys are
// errors::UnknownField (with the proto path of the message that lacks them);
// wrong JSON types or out-of-range values are errors::InvalidValue. OUTPUT_ONLY
// fields are accepted here; callers decide whether to keep them.
//
// Writing is fake/model/json_mapping_write.cc, reading
// fake/model/json_mapping_read.cc. Turning text into the nlohmann::json these
// readers take is ParseJsonText (fake/model/json_text.h); files,
// ReadJsonFile (fake/model/json_file.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fake/model/json_file.h"  // IWYU pragma: export (ReadJsonFile lived here)
#include "fake/model/json_text.h"  // IWYU pragma: export (ParseJsonText lived here)
#include "fake/model/nas_job.h"
#include "fake/status.h"

namespace nasfake::model {

struct JsonWriteOptions {
  bool enums_as_ints = false;  // the request had $alt=json;enum-encoding=int
};

std::string ToJson(const NasJob& job, const JsonWriteOptions& options = {});
std::string ToJson(const NasTrialDetail& detail, const JsonWriteOptions& options = {});
std::string ToJson(const Operation& operation, const JsonWriteOptions& options = {});
std::string ToJson(const RpcStatus& status, const JsonWriteOptions& options = {});

// `path` is the proto path of the message within the request, used in error
// messages: "nas_job" for a create body, "" for a message that is the request.
StatusOr<NasJob> NasJobFromJson(const nlohmann::json& value, std::string_view path);
StatusOr<NasTrialDetail> NasTrialDetailFromJson(const nlohmann::json& value, std::string_view path);
StatusOr<Operation> OperationFromJson(const nlohmann::json& value, std::string_view path);

}  // namespace nasfake::model
