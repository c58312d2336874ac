// Reading a JSON file named by a test or the command line (seed fixtures,
// scenario files, transcripts, conformance cases), never by a request.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "fake/status.h"

namespace nasfake::model {

// Reads the file and parses it with ParseJsonText (fake/model/json_text.h), so
// a file is held to the same JSON rules as a request body. INVALID_ARGUMENT
// "<path>: cannot read: <the OS's reason>" (errors::CannotReadFile; a
// directory: "Is a directory") or "<path>: (json): <the parse error>".
StatusOr<nlohmann::json> ReadJsonFile(const std::filesystem::path& path);

}  // namespace nasfake::model
