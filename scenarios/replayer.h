// The Replayer: serves a transcript's (transcript.h) answers again, as
// `nasfake replay` does.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fake/api/request.h"
#include "scenarios/transcript.h"

namespace nasfake::scenarios {

// The key a request is matched by: "METHOD path?query" and, when the request
// has a body, " " and the body.
//   - The path is exact.
//   - The query keeps the parameters that change the answer (pageSize,
//     filter, fields, $alt=json;enum-encoding=int, …), each decoded as
//     Google's front end decodes it, then re-encoded and sorted, so neither
//     their order nor their spelling matters. Dropped: key, access_token,
//     quotaUser (who asks), prettyPrint, $prettyPrint (whitespace only), and
//     $alt / alt when it is `json` (the default).
//   - The body, when it is JSON, is normalised (keys sorted, no whitespace);
//     otherwise it is kept as is.
//   ReplayKey({"GET", "/v1/x?pageSize=2&%24alt=json&key=k"}) == "GET /v1/x?pageSize=2"
//   ReplayKey({"POST", "/v1/x:cancel", {}, "{ }"}) == "POST /v1/x:cancel {}"
std::string ReplayKey(const api::Request& request);

// The loose key (`nasfake replay --loose`): "METHOD target", the target exact
// except that $alt, alt, prettyPrint, $prettyPrint, key, access_token,
// quotaUser and fields (names compared after percent-decoding) are removed
// from the query, the others keeping their order and spelling; a query left
// empty loses its '?'. Bodies are not compared.
//   LooseReplayKey("GET", "/v1/x?alt=json&pageSize=2&key=k") == "GET /v1/x?pageSize=2"
std::string LooseReplayKey(std::string_view method, std::string_view target);

struct ReplayOptions {
  bool loose = false;         // match by LooseReplayKey instead of ReplayKey
  bool strict_order = false;  // each request must match the first exchange not yet served
};

// What a replay did, for its report.
struct ReplayReport {
  struct Unused {
    size_t index;         // position in the transcript's exchanges
    std::string request;  // "METHOD target" as recorded
  };
  size_t answered = 0;                 // requests answered from the transcript
  std::vector<std::string> unmatched;  // "METHOD target[ body=…]" as received, in arrival order
  std::vector<Unused> unused;          // exchanges never served, in transcript order
  // Every exchange was served and every request had a recorded answer.
  bool complete() const { return unmatched.empty() && unused.empty(); }
};

// Serves a transcript's answers again. Thread-safe.
//
// The k-th request with a key gets the response of the k-th exchange with
// that key (so repeated polls of one job replay its recorded sequence of
// states), faults included; with `strict_order`, a request gets an answer only
// when its key is that of the first exchange not yet served. A request
// without one gets errors::NoRecordedAnswer (501 UNIMPLEMENTED, so that no
// client takes it for an answer of the API), which names the request and
// why: the recorded answers for it were used up, it is out of the recorded
// order (and which request is next), or which recorded request is the
// closest (the longest common key prefix); it is counted as unmatched.
class Replayer {
 public:
  explicit Replayer(Transcript transcript, ReplayOptions options = {});
  api::Response Answer(const api::Request& request);
  ReplayReport Report() const;

 private:
  std::string Key(const api::Request& request) const;
  std::string Closest(const std::string& key) const;

  const Transcript transcript_;
  const ReplayOptions options_;
  std::vector<std::string> keys_;  // of each exchange
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::deque<size_t>> pending_;  // key → unserved exchanges
  std::vector<bool> used_;
  size_t next_ = 0;  // strict order: the first exchange not yet served
  size_t answered_ = 0;
  std::vector<std::string> unmatched_;
};

}  // namespace nasfake::scenarios
