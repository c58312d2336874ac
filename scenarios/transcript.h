// Transcripts: recorded HTTP exchanges (`nasfake record` writes them,
// `nasfake replay` serves them with a Replayer, replayer.h; the control API's
// GET /__nasfake/v1/transcript produces the same format).
//
//   {"nasfakeTranscript": 1,
//    "exchanges": [{"request":  {"method": "GET", "target": "/v1/…?pageSize=2",
//                                "headers": {"name": "value", …}, "body": "…"},
//                   "response": {"status": 200, "contentType": "application/json; charset=UTF-8",
//                                "headers": {"name": "value", …}, "body": "…",
//                                "fault": {"kind": "reset|close|partial|stall|dribble",
//                                          "bytes": N, "durationMs": N}}}, …]}
//
// Header names are lowercase (as api::HeaderList keeps them); a repeated
// header is one entry whose values are joined with ", ". "fault" is present
// only when the response had one; "status" is 0 only with a fault (a fault
// that sent no response). Bodies are JSON strings: bytes that are not valid
// UTF-8 do not survive (each becomes U+FFFD when the document is dumped).
// Credentials never appear: the writers (`nasfake record`, the control API)
// apply RedactCredentials to every exchange.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "fake/api/request.h"
#include "fake/status.h"

namespace nasfake::scenarios {

struct Exchange {
  api::Request request;  // remote_addr is not recorded
  api::Response response;
};

struct Transcript {
  std::vector<Exchange> exchanges;  // in the order they were recorded
};

// Reads a transcript document strictly: every object may hold only the keys
// shown above, "nasfakeTranscript" must be 1, "exchanges" must be an array,
// request.method, request.target and response.status are required (the rest
// default to empty; response.contentType to api::Response's default);
// status is 100..599, or 0 with a fault; header names are HTTP tokens (stored
// lowercase, unique) and values have no CR, LF or NUL. The first violation is
// INVALID_ARGUMENT "<origin>: <path>: <what>", e.g.
//   "t.json: exchanges[3].response.status: expected an integer from 100 to 599, got 42".
StatusOr<Transcript> TranscriptFromJson(const nlohmann::json& document, std::string_view origin);
// TranscriptFromJson of a file's content; a file that cannot be read or is not
// JSON is INVALID_ARGUMENT "<path>: cannot read: …" / "<path>: (json): …".
StatusOr<Transcript> LoadTranscriptFile(const std::filesystem::path& path);
// The inverse of TranscriptFromJson, in the format of server::TranscriptOf:
// for a journal j, TranscriptToJson(TranscriptFromJson(TranscriptOf(j))) ==
// TranscriptOf(j). Dump it with error_handler_t::replace (bodies may hold
// invalid UTF-8).
nlohmann::json TranscriptToJson(const Transcript& transcript);

// The value credentials are replaced with: "<redacted>" in a header,
// "%3Credacted%3E" (the same, percent-encoded) in a query parameter.
inline constexpr std::string_view kRedacted = "<redacted>";

// Replaces, in place, the value of every credential an exchange carries:
// the request headers authorization, proxy-authorization, x-goog-api-key and
// cookie, the response header set-cookie, and the query parameters key and
// access_token (names compared after percent-decoding, as ReplayKey does:
// replay matching ignores both, so a redacted transcript replays the same).
void RedactCredentials(Exchange& exchange);

}  // namespace nasfake::scenarios
