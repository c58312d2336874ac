#include "fake/api/query.h"

#include <algorithm>

namespace nasfake::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  // Most path segments and parameters need no decoding: copied whole.
  bool plain = true;
  for (char c : text) {
    if (c == '%' || c == '\0' || (c == '+' && plus_is_space)) {
      plain = false;
      break;
    }
  }
  if (plain) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '\0') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<ParsedTarget> ParseTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  ParsedTarget parsed;
  size_t question = target.find('?');
  parsed.path = target.substr(0, question);
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      auto key = PercentDecode(pair.substr(0, eq), true);
      auto value = PercentDecode(
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
      if (!key || !value) return std::nullopt;
      parsed.query.emplace_back(std::move(*key), std::move(*value));
    }
  }
  std::string_view rest = parsed.path.substr(1);
  // A custom verb is the suffix after the last ':' of the last segment, found
  // before decoding: an encoded "%3A" is data, as "%2F" is (the verb is kept
  // as sent).
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (rest.rfind('/') == std::string_view::npos || colon > rest.rfind('/'))) {
    parsed.verb = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  parsed.segments.reserve(static_cast<size_t>(std::count(rest.begin(), rest.end(), '/')) + 1);
  while (true) {
    size_t slash = rest.find('/');
    auto segment = PercentDecode(rest.substr(0, slash), false);
    if (!segment) return std::nullopt;
    parsed.segments.push_back(std::move(*segment));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return parsed;
}

}  // namespace nasfake::api
