// Timestamps and durations as the API writes them (proto3 JSON mapping).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace nasfake::model {

// Microseconds since the Unix epoch, UTC. Vertex prints 6 fractional digits.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;
using Duration = std::chrono::microseconds;

// RFC 3339 in UTC with exactly 6 fractional digits: "2024-05-18T10:00:00.123456Z".
std::string FormatTimestamp(Timestamp t);
// Accepts RFC 3339 with 0-9 fractional digits and "Z" or a "+hh:mm" offset;
// digits beyond microseconds are truncated. nullopt when malformed.
std::optional<Timestamp> ParseTimestamp(std::string_view text);

// "3600s", "1.500s": seconds with 0, 3, 6 fractional digits as needed.
std::string FormatDuration(Duration d);
// Accepts "<decimal>s", e.g. "86400s", "0.5s", "-1.25s".
std::optional<Duration> ParseDuration(std::string_view text);

}  // namespace nasfake::model
