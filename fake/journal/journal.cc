#include "fake/journal/journal.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
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

// A dropped record's buffer is reused for the newest entry up to this
// capacity; a larger one (a big body) is freed. So a full journal holds at
// most this much per entry beyond what its entries need.
constexpr size_t kReusedBufferBytes = size_t{8} * 1024;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The packed form of a record's fields: each string is its length (4 bytes,
// host order) then its bytes; a header list is its count (4 bytes), then each
// name and value. The request's fields come first (PutRequest), the
// outcome's after them (PutOutcome); Journal::Unpack reads them back in the
// same order. Every packed string is shorter than 4 GiB: bodies are cut and
// the transport bounds the rest.
constexpr size_t kLengthBytes = sizeof(uint32_t);

void PutLength(std::string& out, size_t length) {
  const auto value = static_cast<uint32_t>(length);
  out.append(reinterpret_cast<const char*>(&value), kLengthBytes);
}

void PutString(std::string& out, std::string_view text) {
  PutLength(out, text.size());
  out.append(text);
}

// Cuts a body longer than kMaxBodyBytes (backing off to a UTF-8 sequence
// boundary) and appends the truncation marker; shorter bodies are packed as is.
void PutBody(std::string& out, std::string_view body) {
  if (body.size() <= kMaxBodyBytes) return PutString(out, body);
  size_t keep = kMaxBodyBytes;
  for (int i = 0; i < 3 && keep > 0 && IsContinuationByte(body[keep]); ++i) --keep;
  const std::string marker = "…[truncated " + std::to_string(body.size() - keep) + " bytes]";
  PutLength(out, keep + marker.size());
  out.append(body.substr(0, keep));
  out.append(marker);
}

void PutHeaders(std::string& out, const api::HeaderList& headers) {
  PutLength(out, headers.size());
  for (const auto& [name, value] : headers) {
    PutString(out, name);
    PutString(out, value);
  }
}

size_t HeadersBytes(const api::HeaderList& headers) {
  size_t bytes = kLengthBytes;
  for (const auto& [name, value] : headers) {
    bytes += 2 * kLengthBytes + name.size() + value.size();
  }
  return bytes;
}

// The capacity a new buffer for `bytes` gets: `bytes` rounded up to one of
// four size classes per power of two (less than 25% slack), so that an entry
// a little longer than the one whose buffer it reuses rarely needs a new one.
size_t SizeClass(size_t bytes) {
  constexpr size_t kSmallest = 256;
  if (bytes <= kSmallest) return kSmallest;
  const size_t step = std::bit_floor(bytes - 1) / 4;
  return (bytes + step - 1) / step * step;
}

// Makes room for `more` bytes after what `out` holds. A buffer that has to
// grow is replaced by one of SizeClass capacity (std::string would double it).
void Reserve(std::string& out, size_t more) {
  const size_t needed = out.size() + more;
  if (needed <= out.capacity()) return;
  std::string grown;
  grown.reserve(SizeClass(needed));
  grown.append(out);
  out.swap(grown);
}

void PutRequest(std::string& out, const Arrival& arrival) {
  const api::Request& request = arrival.request;
  Reserve(out, 5 * kLengthBytes + request.method.size() + request.target.size() +
                   std::min(request.body.size(), kMaxBodyBytes + 64) + arrival.operation.size() +
                   arrival.resource.size() + HeadersBytes(request.headers));
  PutString(out, request.method);
  PutString(out, request.target);
  PutBody(out, request.body);
  PutString(out, arrival.operation);
  PutString(out, arrival.resource);
  PutHeaders(out, request.headers);
}

void PutOutcome(std::string& out, const Handling& handling) {
  const api::Response& response = handling.response;
  Reserve(out, 4 * kLengthBytes + handling.rule.size() + handling.action.size() +
                   response.content_type.size() +
                   std::min(response.body.size(), kMaxBodyBytes + 64) +
                   HeadersBytes(response.headers));
  PutString(out, handling.rule);
  PutString(out, handling.action);
  PutString(out, response.content_type);
  PutBody(out, response.body);
  PutHeaders(out, response.headers);
}

// Reads what the Put functions wrote, front to back.
class Unpacker {
 public:
  explicit Unpacker(std::string_view packed) : rest_(packed) {}

  std::string String() {
    const size_t length = Length();
    std::string text(rest_.substr(0, length));
    rest_.remove_prefix(length);
    return text;
  }

  api::HeaderList Headers() {
    api::HeaderList headers(Length());
    for (auto& [name, value] : headers) {
      name = String();
      value = String();
    }
    return headers;
  }

 private:
  size_t Length() {
    uint32_t value;
    std::memcpy(&value, rest_.data(), kLengthBytes);
    rest_.remove_prefix(kLengthBytes);
    return value;
  }

  std::string_view rest_;
};

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
      {"transport", api::TransportName(entry.transport)},
      {"method", ValidUtf8(entry.method)},
      {"target", ValidUtf8(entry.target)},
      {"headers", HeadersJson(entry.headers)},
      {"body", ValidUtf8(entry.body)},
      {"operation", entry.operation},
      {"resource", ValidUtf8(entry.resource)},
      {"virtualTime", model::FormatTimestamp(entry.virtual_time)},
      {"realTime", model::FormatTimestamp(floor<microseconds>(entry.real_time))},
      {"state", entry.completed ? "completed" : "pending"},
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
    json["fault"] = api::FaultJson(*entry.fault);
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
    out += api::FaultKindName(entry.fault->kind);
    if (api::FaultKindOf(entry.fault->kind).takes_code()) {
      out += "(" + std::string(api::Http2ErrorName(api::CodeOf(*entry.fault))) + ")";
    }
  }
  return out;
}

void PrintTo(const Entry& entry, std::ostream* os) { *os << DebugString(entry); }

Entry Journal::Unpack(const Record& record) {
  Entry entry;
  entry.id = record.id;
  entry.transport = record.transport;
  entry.virtual_time = record.virtual_time;
  entry.real_time = record.real_time;
  Unpacker in(record.packed);
  entry.method = in.String();
  entry.target = in.String();
  entry.body = in.String();
  entry.operation = in.String();
  entry.resource = in.String();
  entry.headers = in.Headers();
  if (record.completed) {
    entry.rule = in.String();
    entry.action = in.String();
    entry.response_content_type = in.String();
    entry.response_body = in.String();
    entry.response_headers = in.Headers();
  }
  entry.status = record.status;
  entry.fault = record.fault;
  entry.completed = record.completed;
  return entry;
}

std::vector<Entry> Journal::UnpackAll() const {
  std::vector<Entry> entries;
  entries.reserve(records_.size());
  for (const Record& record : records_) entries.push_back(Unpack(record));
  return entries;
}

uint64_t Journal::Begin(const Arrival& arrival) {
  std::string released;  // a dropped record's oversized buffer, freed after the lock
  uint64_t id;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    if (capacity_ == 0) {
      ++dropped_;
    } else {
      Record* record;
      if (records_.size() < capacity_) {
        record = &records_.emplace_back();
      } else {  // full: the oldest record becomes the newest
        Record spare = std::move(records_.front());
        records_.pop_front();
        ++dropped_;
        if (spare.packed.capacity() > kReusedBufferBytes) released.swap(spare.packed);
        record = &records_.emplace_back(std::move(spare));
      }
      record->id = id;
      record->transport = arrival.request.transport;
      record->virtual_time = arrival.virtual_time;
      record->real_time = arrival.real_time;
      record->packed.clear();
      PutRequest(record->packed, arrival);
      record->request_bytes = record->packed.size();
      record->status = 0;
      record->fault.reset();
      record->completed = false;
    }
    ++version_;
  }
  changed_.notify_all();
  return id;
}

void Journal::Complete(uint64_t id, const Handling& handling) {
  {
    std::lock_guard lock(mu_);
    // Ids in records_ are consecutive (Begin appends under the lock, only the
    // front is dropped, Clear empties), so the record is found by offset.
    if (records_.empty() || id < records_.front().id || id > records_.back().id) return;
    Record& record = records_[id - records_.front().id];
    record.packed.resize(record.request_bytes);
    PutOutcome(record.packed, handling);
    record.status = handling.status;
    record.fault = handling.response.fault;
    record.completed = true;
    ++version_;
  }
  changed_.notify_all();
}

std::vector<Entry> Journal::Entries() const {
  std::lock_guard lock(mu_);
  return UnpackAll();
}

size_t Journal::size() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

uint64_t Journal::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void Journal::Clear() {
  {
    std::lock_guard lock(mu_);
    records_.clear();
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
    std::vector<Entry> snapshot = UnpackAll();
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
  if (records_.empty()) {
    reason << "no requests";
  } else {
    reason << records_.size() << (records_.size() == 1 ? " request" : " requests");
    if (records_.size() > kReasonEntries) reason << " (the last " << kReasonEntries << " shown)";
  }
  if (dropped_ > 0) reason << " (" << dropped_ << " older dropped)";
  if (!records_.empty()) {
    reason << ": ";
    const size_t first = records_.size() > kReasonEntries ? records_.size() - kReasonEntries : 0;
    for (size_t i = first; i < records_.size(); ++i) {
      if (i != first) reason << "; ";
      reason << Summary(Unpack(records_[i]));
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
