#include "fake/model/time.h"

#include <charconv>
#include <cstdio>

namespace nasfake::model {
namespace {

bool ParseDigits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Writes `v` (< 10^width) as exactly `width` decimal digits at `p`.
void PutDigits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

std::string FormatTimestamp(Timestamp t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> hms{t - day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", year,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
    return buf;
  }
  // The same text without snprintf: every response carries several of these.
  std::string out = "0000-00-00T00:00:00.000000Z";
  char* p = out.data();
  PutDigits(p, static_cast<unsigned>(year), 4);
  PutDigits(p + 5, static_cast<unsigned>(ymd.month()), 2);
  PutDigits(p + 8, static_cast<unsigned>(ymd.day()), 2);
  PutDigits(p + 11, static_cast<unsigned>(hms.hours().count()), 2);
  PutDigits(p + 14, static_cast<unsigned>(hms.minutes().count()), 2);
  PutDigits(p + 17, static_cast<unsigned>(hms.seconds().count()), 2);
  PutDigits(p + 20, static_cast<unsigned>(hms.subseconds().count()), 6);
  return out;
}

std::optional<Timestamp> ParseTimestamp(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h, mi, se;
  if (!ParseDigits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !ParseDigits(s, 5, 2, mo) ||
      s[7] != '-' || !ParseDigits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !ParseDigits(s, 11, 2, h) || s[13] != ':' || !ParseDigits(s, 14, 2, mi) || s[16] != ':' ||
      !ParseDigits(s, 17, 2, se)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59) return std::nullopt;
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
    for (size_t i = digits; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!ParseDigits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ParseDigits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return Timestamp{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{se} + microseconds{micros} -
         minutes{offset_minutes};
}

std::string FormatDuration(Duration d) {
  int64_t us = d.count();
  std::string sign = us < 0 ? "-" : "";
  if (us < 0) us = -us;
  int64_t secs = us / 1000000, frac = us % 1000000;
  char buf[48];
  if (frac == 0) {
    std::snprintf(buf, sizeof buf, "%s%llds", sign.c_str(), static_cast<long long>(secs));
  } else if (frac % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%s%lld.%03llds", sign.c_str(), static_cast<long long>(secs),
                  static_cast<long long>(frac / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%s%lld.%06llds", sign.c_str(), static_cast<long long>(secs),
                  static_cast<long long>(frac));
  }
  return buf;
}

std::optional<Duration> ParseDuration(std::string_view s) {
  if (s.size() < 2 || s.back() != 's') return std::nullopt;
  s.remove_suffix(1);
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  auto dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && frac.empty()) || frac.size() > 9) {
    return std::nullopt;
  }
  int64_t secs = 0;
  auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
  if (ec != std::errc{} || p != whole.data() + whole.size() || secs > 315576000000) {
    return std::nullopt;
  }
  int64_t micros = 0;
  for (size_t i = 0; i < frac.size(); ++i) {
    if (frac[i] < '0' || frac[i] > '9') return std::nullopt;
    if (i < 6) micros = micros * 10 + (frac[i] - '0');
  }
  for (size_t i = frac.size(); i < 6; ++i) micros *= 10;
  int64_t total = secs * 1000000 + micros;
  return Duration{negative ? -total : total};
}

}  // namespace nasfake::model
