// Transcripts: recorded HTTP exchanges, and the Replayer that answers them
// again (`nasfake record` writes them, `nasfake replay` serves them; the
// control API's GET /__nasfake/v1/transcript produces the same format).
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

#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
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
// JSON is INVALID_ARGUMENT "<path>: (file): …" / "<path>: (json): …".
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

// The key requests are matched by: "METHOD target", the target exact except
// that the volatile system parameters ($alt, alt, prettyPrint, $prettyPrint,
// key, access_token, quotaUser, fields; names compared after
// percent-decoding) are removed from the query, the others keeping their order
// and spelling; a query left empty loses its '?'.
//   ReplayKey("GET", "/v1/x?alt=json&pageSize=2&key=k") == "GET /v1/x?pageSize=2"
std::string ReplayKey(std::string_view method, std::string_view target);

// What a replay did, for its report.
struct ReplayReport {
  struct Unused {
    size_t index;         // position in the transcript's exchanges
    std::string request;  // "METHOD target" as recorded
  };
  size_t answered = 0;                 // requests answered from the transcript
  std::vector<std::string> unmatched;  // "METHOD target" as received, in arrival order
  std::vector<Unused> unused;          // exchanges never served, in transcript order
  // Every exchange was served and every request had a recorded answer.
  bool complete() const { return unmatched.empty() && unused.empty(); }
};

// Serves a transcript's answers again. Thread-safe.
//
// Per ReplayKey, the k-th request gets the response of the k-th exchange with
// that key (so repeated polls of one job replay its recorded sequence of
// states), faults included. A request with no recorded answer left gets 404
// {"error":{"code":404,"message":"nasfake replay: no recorded answer for GET
// /v1/…","status":"NOT_FOUND"}} (its method and target as received) and is
// counted as unmatched.
class Replayer {
 public:
  explicit Replayer(Transcript transcript);
  api::Response Answer(const api::Request& request);
  ReplayReport Report() const;

 private:
  const Transcript transcript_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::deque<size_t>> pending_;  // key → unserved exchanges
  std::vector<bool> used_;
  size_t answered_ = 0;
  std::vector<std::string> unmatched_;
};

}  // namespace nasfake::scenarios
