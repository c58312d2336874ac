// JSON text -> nlohmann::json, for every body a request carries and every file
// the fake loads (fake/model/json_file.h). One job: decide whether the text is
// JSON, and if it is not, say why in the words Google's front ends use.
//
// Refusals are errors::MalformedJson: "Invalid JSON payload received. <reason>"
// followed by a snippet of the offending line and a caret line (reference §5).
// The reasons are those of protobuf's JSON stream parser ("Expected , or }
// after key:value pair.", "Unexpected end of string. Expected a value.", ...).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "fake/status.h"

namespace nasfake::model {

// The deepest nesting of arrays and objects a request body may have.
inline constexpr int kMaxJsonDepth = 100;

// Parses a request body. Malformed text is errors::MalformedJson (Google's
// wording, with a snippet and caret); nesting deeper than kMaxJsonDepth and
// invalid UTF-8 are refused the same way, before any recursive work.
StatusOr<nlohmann::json> ParseJsonText(std::string_view text);

}  // namespace nasfake::model
