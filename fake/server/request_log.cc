#include "fake/server/request_log.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace nasfake::server {
namespace {

// Printable ASCII is kept; everything else (controls, space, DEL, and every
// non-ASCII byte) is percent-encoded, which keeps the line one line and valid.
std::string OneLine(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c > 0x20 && c < 0x7F) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Milliseconds(std::chrono::microseconds elapsed) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(elapsed.count()) / 1000.0);
  return buf;
}

}  // namespace

std::string RequestLogText(const RequestLogRecord& record) {
  std::string line = std::string(record.grpc ? "grpc " : "") + OneLine(record.method) + " " +
                     OneLine(record.target) + " " +
                     (record.status == 0 ? "-" : std::to_string(record.status)) + " " +
                     OneLine(record.action);
  if (!record.rule.empty()) line += " rule=" + OneLine(record.rule);
  if (!record.test_id.empty()) line += " test=" + OneLine(record.test_id);
  return line + " " + Milliseconds(record.elapsed) + "ms";
}

std::string RequestLogJson(const RequestLogRecord& record) {
  nlohmann::ordered_json line;
  if (record.grpc) line["transport"] = "grpc";
  line["method"] = record.method;
  line["target"] = record.target;
  line["status"] = record.status;
  line["action"] = record.action;
  if (!record.rule.empty()) line["rule"] = record.rule;
  if (!record.test_id.empty()) line["testId"] = record.test_id;
  line["elapsedMs"] = static_cast<double>(record.elapsed.count()) / 1000.0;
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace nasfake::server
