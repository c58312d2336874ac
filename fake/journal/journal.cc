#include "fake/journal/journal.h"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <string_view>
#include <utility>

#include "fake/utf8.h"

namespace nasfake::journal {
namespace {

// How many entries a timeout reason lists (the most recent ones).
constexpr size_t kReasonEntries = 20;
// How many bytes of a body DebugString shows.
constexpr size_t kDebugBodyBytes = 200;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Cuts `body` to kMaxBodyBytes (backing off to a UTF-8 sequence boundary) and
// appends the truncation marker; bodies within the bound are returned as is.
std::string TruncateBody(std::string body) {
  if (body.size() <= kMaxBodyBytes) return body;
  size_t keep = kMaxBodyBytes;
  for (int i = 0; i < 3 && keep > 0 && IsContinuationByte(body[keep]); ++i) --keep;
  const size_t cut = body.size() - keep;
  body.resize(keep);
  body += "…[truncated " + std::to_string(cut) + " bytes]";
  return body;
}

nlohmann::json HeadersJson(const api::HeaderList& headers) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [name, value] : headers) {
    const std::string key = ValidUtf8(name);
    auto it = object.find(key);
    if (it == object.end()) {
      object[key] = ValidUtf8(value);
    } else {
      *it = it->get<std::string>() + ", " + ValidUtf8(value);
    }
  }
  return object;
}

const char* FaultKindName(api::WireFault::Kind kind) {
  switch (kind) {
    case api::WireFault::Kind::kReset:
      return "reset";
    case api::WireFault::Kind::kCloseBeforeResponse:
      return "close";
    case api::WireFault::Kind::kPartialThenClose:
      return "partial";
    case api::WireFault::Kind::kStall:
      return "stall";
    case api::WireFault::Kind::kDribble:
      return "dribble";
  }
  return "unknown";
}

// `text` quoted, with quotes, backslashes and control bytes escaped, cut to
// `limit` bytes.
std::string Quoted(std::string_view text, size_t limit) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    const char c = text[i];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  if (text.size() > limit) out += "…(+" + std::to_string(text.size() - limit) + " bytes)";
  return out;
}

// The short form a timeout reason lists: "#1 GET /v1/… → 200 (pass)".
std::string Summary(const Entry& e) {
  std::string out = "#" + std::to_string(e.id) + " " + e.method + " " + e.target + " → ";
  if (!e.completed) return out + "pending";
  out += e.status != 0 ? std::to_string(e.status) : "no response";
  if (!e.action.empty() || !e.rule.empty()) {
    out += " (" + e.action;
    if (!e.rule.empty()) out += (e.action.empty() ? "rule " : ", rule ") + e.rule;
    out += ")";
  }
  return out;
}

}  // namespace

nlohmann::json ToJson(const Entry& entry) {
  using std::chrono::floor;
  using std::chrono::microseconds;
  nlohmann::json json = {
      {"id", entry.id},
      {"method", ValidUtf8(entry.method)},
      {"target", ValidUtf8(entry.target)},
      {"headers", HeadersJson(entry.headers)},
      {"body", ValidUtf8(entry.body)},
      {"operation", entry.operation},
      {"resource", ValidUtf8(entry.resource)},
      {"virtualTime", model::FormatTimestamp(entry.virtual_time)},
      {"realTime", model::FormatTimestamp(floor<microseconds>(entry.real_time))},
  };
  if (entry.completed) {
    json["rule"] = ValidUtf8(entry.rule);
    json["action"] = ValidUtf8(entry.action);
    json["status"] = entry.status;
    json["responseBody"] = ValidUtf8(entry.response_body);
    json["responseContentType"] = ValidUtf8(entry.response_content_type);
    json["responseHeaders"] = HeadersJson(entry.response_headers);
  }
  if (entry.fault) {
    json["fault"] = {{"kind", FaultKindName(entry.fault->kind)},
                     {"bytes", entry.fault->bytes},
                     {"durationMs", entry.fault->duration.count()}};
  }
  return json;
}

std::string DebugString(const Entry& entry) {
  std::string out = "#" + std::to_string(entry.id) + " " + entry.method + " " + entry.target;
  if (!entry.body.empty()) out += " body=" + Quoted(entry.body, kDebugBodyBytes);
  out += " → ";
  if (!entry.completed) return out + "pending";
  out += entry.status != 0 ? std::to_string(entry.status) : "no response";
  if (!entry.rule.empty()) out += " rule=" + entry.rule;
  if (!entry.action.empty()) out += " action=" + entry.action;
  if (entry.fault) {
    out += " fault=";
    out += FaultKindName(entry.fault->kind);
  }
  return out;
}

void PrintTo(const Entry& entry, std::ostream* os) { *os << DebugString(entry); }

void PrintTo(const WaitResult& result, std::ostream* os) {
  if (result.met) {
    *os << "met";
  } else {
    *os << "not met: " << result.reason;
  }
}

uint64_t Journal::Begin(Entry entry) {
  entry.body = TruncateBody(std::move(entry.body));
  entry.response_body = TruncateBody(std::move(entry.response_body));
  uint64_t id;
  Entry evicted;  // the entry dropped past capacity, freed once the lock is released
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    entry.id = id;
    entries_.push_back(std::move(entry));
    while (entries_.size() > capacity_) {
      evicted = std::move(entries_.front());
      entries_.pop_front();
      ++dropped_;
    }
    ++version_;
  }
  changed_.notify_all();
  return id;
}

void Journal::Complete(uint64_t id, Entry outcome) {
  // Cut outside the lock; only moves happen under it.
  std::string response_body = TruncateBody(std::move(outcome.response_body));
  {
    std::lock_guard lock(mu_);
    // Ids in entries_ are consecutive (Begin appends under the lock, only the
    // front is dropped, Clear empties), so the entry is found by offset.
    if (entries_.empty() || id < entries_.front().id || id > entries_.back().id) return;
    Entry& entry = entries_[id - entries_.front().id];
    if (entry.id != id) return;  // unreachable while the invariant holds
    entry.rule = std::move(outcome.rule);
    entry.action = std::move(outcome.action);
    entry.status = outcome.status;
    entry.response_body = std::move(response_body);
    entry.response_content_type = std::move(outcome.response_content_type);
    entry.response_headers = std::move(outcome.response_headers);
    entry.fault = outcome.fault;
    entry.completed = true;
    ++version_;
  }
  changed_.notify_all();
}

std::vector<Entry> Journal::Entries() const {
  std::lock_guard lock(mu_);
  return {entries_.begin(), entries_.end()};
}

size_t Journal::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

uint64_t Journal::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void Journal::Clear() {
  {
    std::lock_guard lock(mu_);
    entries_.clear();
    dropped_ = 0;
    ++version_;
  }
  changed_.notify_all();
}

WaitResult Journal::WaitFor(const std::function<bool(const std::vector<Entry>&)>& condition,
                            std::chrono::milliseconds timeout, const std::string& what) const {
  // Clamped so that now() + timeout cannot overflow (milliseconds::max() means "forever").
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::min<std::chrono::milliseconds>(timeout, std::chrono::hours(24 * 365 * 100));
  std::unique_lock lock(mu_);
  while (true) {
    const uint64_t seen = version_;
    const bool shut_down = shut_down_;
    std::vector<Entry> snapshot(entries_.begin(), entries_.end());
    // The condition runs unlocked: it may be slow or call the journal. A
    // change meanwhile bumps version_, so the wait below does not miss it.
    lock.unlock();
    if (condition(snapshot)) return WaitResult{true, "met: " + what};
    lock.lock();
    if (shut_down) break;
    if (!changed_.wait_until(lock, deadline, [&] { return version_ != seen; })) break;
  }

  // Not met (the lock is held): say what was awaited and what the journal holds.
  std::ostringstream reason;
  if (shut_down_) {
    reason << "the journal was shut down while waiting for " << what;
  } else {
    reason << "timed out after " << timeout.count() << " ms waiting for " << what;
  }
  reason << "; the journal holds ";
  if (entries_.empty()) {
    reason << "no requests";
  } else {
    reason << entries_.size() << (entries_.size() == 1 ? " request" : " requests");
    if (entries_.size() > kReasonEntries) reason << " (the last " << kReasonEntries << " shown)";
  }
  if (dropped_ > 0) reason << " (" << dropped_ << " older dropped)";
  if (!entries_.empty()) {
    reason << ": ";
    const size_t first = entries_.size() > kReasonEntries ? entries_.size() - kReasonEntries : 0;
    for (size_t i = first; i < entries_.size(); ++i) {
      if (i != first) reason << "; ";
      reason << Summary(entries_[i]);
    }
  }
  return WaitResult{false, reason.str()};
}

void Journal::NotifyAll() {
  {
    std::lock_guard lock(mu_);
    ++version_;
  }
  changed_.notify_all();
}

void Journal::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    ++version_;
  }
  changed_.notify_all();
}

}  // namespace nasfake::journal
