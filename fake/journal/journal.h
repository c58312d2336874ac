// The request journal: every request a fake receives, recorded BEFORE it is
// answered, then completed with what was done and sent, before the response
// leaves the process. So once a client call has returned, reading the journal
// never races the server.
//
// Bounded: past `capacity` entries the oldest are dropped and counted, and
// each entry keeps at most kMaxBodyBytes of its request body and of its
// response body (see below).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake/api/request.h"
#include "fake/model/time.h"
#include "fake/wait_result.h"

namespace nasfake::journal {

// Begin and Complete keep at most this many bytes of `body` and of
// `response_body`; a longer body is cut (never inside a UTF-8 sequence, so
// up to 3 bytes fewer may be kept) and the marker "…[truncated N bytes]" is
// appended, N being the number of bytes cut off.
inline constexpr size_t kMaxBodyBytes = size_t{64} * 1024;

struct Entry {
  uint64_t id = 0;  // 1, 2, 3, … in arrival order (assigned by Begin)
  // The request, as received (a gRPC call as transcoded: see api::Request).
  api::Transport transport = api::Transport::kRest;
  std::string method;
  std::string target;  // raw request-target, query included
  api::HeaderList headers;
  std::string body;
  std::string operation;            // "nasJobs.cancel", …; "" when no HTTP rule matches
  std::string resource;             // "projects/p/locations/l/nasJobs/1"; "" when no rule
  model::Timestamp virtual_time{};  // the fake's clock at arrival
  std::chrono::system_clock::time_point real_time;  // the wall clock at arrival
  // What the fake did: set by Complete, before the response is sent.
  std::string rule;    // the scenario rule that matched; "" for none
  std::string action;  // "pass", "answer", "delay", "hold", "fault:reset", …
  int status = 0;      // HTTP status of the response (0: a fault sent none)
  std::string response_content_type;
  api::HeaderList response_headers;
  std::string response_body;
  std::optional<api::WireFault> fault;
  bool completed = false;
};

// The JSON form used by the control API and transcripts:
// {"id","transport","method","target","headers":{…},"body","operation","resource",
//  "virtualTime","realTime","state","rule","action","status","responseBody",
//  "responseContentType","responseHeaders":{…},"fault":{…}}
// Timestamps are RFC 3339 (model::FormatTimestamp; realTime to the
// microsecond). Headers are an object name → value; a repeated name's values
// are joined with ", ". "state" is "pending" while the request is not
// answered yet (held, delayed, or being answered) and "completed" once it is;
// the outcome keys (rule … responseHeaders) appear only once the entry is
// completed; "fault" only when there was one:
// {"kind":"reset|close|partial|stall|dribble","bytes":N,"durationMs":N}.
// Strings are made valid UTF-8 (each invalid byte becomes U+FFFD), so the
// result always dumps.
nlohmann::json ToJson(const Entry& entry);

// One line for test failures and logs:
//   #3 POST /v1/…:cancel body="{}" → 200 rule=r1 action=pass
// The body (omitted when empty) is escaped and cut to 200 bytes; an entry not
// yet completed ends "→ pending", a fault's "→ no response … fault=reset".
std::string DebugString(const Entry& entry);
// So GoogleTest prints entries (and vectors of them) as DebugString does.
void PrintTo(const Entry& entry, std::ostream* os);

// The result of a wait (fake/wait_result.h; shared with the scenario engine's
// waits): converts to true when the condition was met; `reason` says what was
// awaited and what was seen when it was not.
using ::nasfake::WaitResult;

// What Begin records: the request (transport, method, target, headers, body;
// not remote_addr or deadline), where it was routed, and when it arrived.
struct Arrival {
  const api::Request& request;
  std::string_view operation;  // "" when no HTTP rule matches
  std::string_view resource;   // "" when no HTTP rule matches
  model::Timestamp virtual_time{};
  std::chrono::system_clock::time_point real_time;
};

// What Complete records: the rule and action, the status sent (0 when a
// fault sent none), and the response's content type, headers, body and fault.
struct Handling {
  std::string_view rule;
  std::string_view action;
  int status = 0;
  const api::Response& response;
};

class Journal {
 public:
  static constexpr size_t kDefaultCapacity = 100000;
  explicit Journal(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Records a request as received; returns its id. Ids keep counting across
  // Clear, so an id is never reused by one journal. The body is cut to
  // kMaxBodyBytes.
  uint64_t Begin(const Arrival& arrival);
  // Records what was done for request `id` and marks it completed; a second
  // Complete overwrites the first. No-op for an id already dropped (or
  // cleared, or never returned by Begin).
  void Complete(uint64_t id, const Handling& handling);

  std::vector<Entry> Entries() const;  // oldest first
  size_t size() const;
  uint64_t dropped() const;  // entries dropped past capacity since the last Clear
  void Clear();

  // Blocks until `condition(entries)` holds or `timeout` passes. `what`
  // describes the condition for the reason ("3 GETs of nasJobs/1").
  // `condition` gets a snapshot (oldest first) and runs without the journal's
  // lock, so it may call the journal; it is re-run after every Begin,
  // Complete, Clear and NotifyAll. On timeout the reason reads
  //   timed out after 200 ms waiting for <what>; the journal holds 2 requests:
  //   #1 GET /v1/… → 200 (pass); #2 POST /v1/…:cancel → 200 (pass)
  // listing at most the last 20 entries.
  WaitResult WaitFor(const std::function<bool(const std::vector<Entry>&)>& condition,
                     std::chrono::milliseconds timeout, const std::string& what) const;
  // Wakes every waiter (they re-check, then time out as usual); for shutdown.
  void NotifyAll();
  // Ends every wait: each waiter re-checks once and, unless its condition
  // holds, returns met=false at once with a reason saying the journal was
  // shut down; later WaitFor calls do the same. Recording goes on as before.
  void Shutdown();

 private:
  // An entry as stored: its strings packed into one buffer (see journal.cc).
  // Recording a request costs two allocations at most while the journal fills
  // (Begin's, and Complete's if the outcome outgrows it) and, once it is full,
  // none: the dropped entry's record, buffer included, is reused for the
  // newest. Freeing ~15 strings per dropped entry, from whichever thread
  // recorded the newest, made a GET at the cap cost ~1.3× the CPU.
  struct Record {
    uint64_t id = 0;
    api::Transport transport = api::Transport::kRest;
    model::Timestamp virtual_time{};
    std::chrono::system_clock::time_point real_time;
    std::string packed;        // the request's fields, then (once completed) the outcome's
    size_t request_bytes = 0;  // how much of `packed` is the request's
    int status = 0;
    std::optional<api::WireFault> fault;
    bool completed = false;
  };
  static Entry Unpack(const Record& record);
  std::vector<Entry> UnpackAll() const;  // oldest first; the lock must be held

  const size_t capacity_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  // Oldest first; ids are consecutive. (A deque, not a vector: with a
  // vector's doubling reallocations glibc returned the memory of discarded
  // journals and re-faulted it for new ones: appends while a journal filled
  // cost 15× as much in bench/micro_bench.cc.)
  std::deque<Record> records_;
  uint64_t next_id_ = 1;
  uint64_t dropped_ = 0;
  uint64_t version_ = 0;  // bumped by every change and NotifyAll; waiters re-check on a bump
  bool shut_down_ = false;
};

}  // namespace nasfake::journal
