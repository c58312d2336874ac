#include "fake/model/json_text.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "fake/errors.h"
#include "fake/utf8.h"

namespace nasfake::model {
namespace {

using nlohmann::json;

// A linear, non-recursive scan checks the whole text before nlohmann builds
// anything: syntax, nesting depth (at most kMaxJsonDepth arrays/objects) and
// UTF-8 inside strings (outside strings any byte >= 0x80 is a syntax error
// anyway). Its complaints use the wording of protobuf's JSON stream parser,
// which Google's front ends answer with ("Expected , or } after key:value
// pair.", "Unexpected end of string. Expected a value.", ...).
//
// The grammar is RFC 8259's, strictly: that parser's leniencies (libprotobuf
// 3.21 accepts raw control characters in strings, trailing commas, "\x"
// escapes, "1.", "01.5", \f and \v as whitespace, single quotes, unquoted
// keys) are refused, each with the reason that parser gives for the nearest
// error it does report. README "Decisions" lists every point. What the scan
// accepts, nlohmann accepts unchanged (a BOM is refused here before nlohmann
// could skip it); duplicate keys are JSON and are left to nlohmann: the last
// one wins, as in protobuf's parser for message fields.

struct ScanError {
  size_t pos;
  std::string reason;
};

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

unsigned HexValue(std::string_view s, size_t i) {  // 4 hex digits at s[i]
  unsigned v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

bool IsUnicodeEscape(std::string_view s, size_t i) {  // "\uXXXX" at s[i]
  return i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u' && IsHex(s[i + 2]) &&
         IsHex(s[i + 3]) && IsHex(s[i + 4]) && IsHex(s[i + 5]);
}

// s[i] is the opening quote; on success i is just past the closing quote.
std::optional<ScanError> ScanString(std::string_view s, size_t& i) {
  const size_t start = i++;
  const size_t n = s.size();
  while (true) {
    if (i >= n) return ScanError{start, "Closing quote expected in string."};
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      ++i;
      return std::nullopt;
    }
    if (c == '\\') {
      if (i + 1 >= n) return ScanError{start, "Closing quote expected in string."};
      const char e = s[i + 1];
      if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
          e == 't') {
        i += 2;
        continue;
      }
      if (e != 'u') return ScanError{i, "Invalid escape sequence."};
      if (i + 6 > n) return ScanError{i, "Illegal hex string."};
      if (!IsUnicodeEscape(s, i)) return ScanError{i, "Invalid escape sequence."};
      const unsigned code = HexValue(s, i + 2);
      if (code >= 0xD800 && code <= 0xDBFF) {
        if (!IsUnicodeEscape(s, i + 6)) return ScanError{i, "Missing low surrogate."};
        const unsigned low = HexValue(s, i + 8);
        if (low < 0xDC00 || low > 0xDFFF) return ScanError{i + 6, "Invalid low surrogate."};
        i += 12;
      } else if (code >= 0xDC00 && code <= 0xDFFF) {
        return ScanError{i, "Invalid unicode code point."};
      } else {
        i += 6;
      }
      continue;
    }
    if (c < 0x20) {  // RFC 8259 §7: U+0000..U+001F must be escaped
      return ScanError{i, "Invalid control character in string."};
    }
    if (c < 0x80) {
      ++i;
    } else {
      const size_t len = Utf8SequenceLength(s, i);
      if (len == 0) return ScanError{i, "Encountered non UTF-8 code points."};
      i += len;
    }
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Whether a number that matches the grammar is too large for a double (what
// protobuf's parser and nlohmann refuse; RFC 8259 §9 lets a parser limit the
// range). Too small is fine: it reads as 0 or a subnormal, as in both.
// `mantissa` is the length of the part before any exponent.
bool ExceedsDouble(std::string_view number, size_t mantissa) {
  // Without an exponent, 308 characters are below 1e308 < DBL_MAX: the common case.
  if (mantissa == number.size() && number.size() <= 308) return false;
  double value = 0;
  auto result = std::from_chars(number.data(), number.data() + number.size(), value);
  if (result.ec != std::errc::result_out_of_range) return false;
  // Out of range one way or the other: the sign of the decimal exponent says which.
  std::string_view m = number.substr(0, mantissa);
  if (!m.empty() && m[0] == '-') m.remove_prefix(1);
  const size_t point = std::min(m.find('.'), m.size());
  const size_t first = m.find_first_not_of("0.");
  if (first == std::string_view::npos) return false;  // zero
  long long exponent = first < point ? static_cast<long long>(point - first - 1)
                                     : -static_cast<long long>(first - point);
  if (mantissa < number.size()) {  // e[+-]digits, clamped: only its sign and size matter
    std::string_view e = number.substr(mantissa + 1);
    const bool negative = e[0] == '-';
    if (e[0] == '+' || e[0] == '-') e.remove_prefix(1);
    long long v = 0;
    for (char c : e) v = std::min(v * 10 + (c - '0'), 100000LL);
    exponent += negative ? -v : v;
  }
  return exponent > 0;
}

// RFC 8259 number grammar; s[i] is '-' or a digit.
std::optional<ScanError> ScanNumber(std::string_view s, size_t& i) {
  const size_t start = i;
  const size_t n = s.size();
  auto digits = [&] {
    size_t from = i;
    while (i < n && IsDigit(s[i])) ++i;
    return i > from;
  };
  const ScanError bad{start, "Unable to parse number."};
  if (s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
    // "01", "-00", "0x1": protobuf's wording for a leading zero.
    if (i < n && (IsDigit(s[i]) || s[i] == 'x' || s[i] == 'X')) {
      return ScanError{start, "Octal/hex numbers are not valid JSON values."};
    }
  } else if (!digits()) {
    return bad;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) return bad;
  }
  const size_t mantissa_end = i;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return bad;
  }
  // "1.2.3", "1e5e5": protobuf reads the whole run of number characters.
  if (i < n &&
      (IsDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' || s[i] == '+' || s[i] == '-')) {
    return bad;
  }
  if (ExceedsDouble(s.substr(start, i - start), mantissa_end - start)) {
    return ScanError{start, "Number exceeds the range of double."};
  }
  return std::nullopt;
}

enum class Expect {
  kValue,       // any value (top level, or after "key":)
  kArrayFirst,  // after '['
  kArrayNext,   // after ',' in an array: a value (no trailing comma)
  kArrayMid,    // after an array element
  kKeyFirst,    // after '{'
  kKeyNext,     // after ',' in an object: a key (no trailing comma)
  kColon,       // after a key
  kObjectMid,   // after a member value
  kEnd,         // after the top-level value
};

std::string_view ExpectedText(Expect e) {
  switch (e) {
    case Expect::kArrayFirst:
    case Expect::kArrayNext:
      return "Expected a value or ] within an array.";
    case Expect::kArrayMid:
      return "Expected , or ] after array value.";
    case Expect::kKeyFirst:
    case Expect::kKeyNext:
      return "Expected an object key or }.";
    case Expect::kColon:
      return "Expected : between key:value pair.";
    case Expect::kObjectMid:
      return "Expected , or } after key:value pair.";
    default:
      return "Expected a value.";
  }
}

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters protobuf's tokenizer recognises as some token; anything else
// where a value belongs is "Expected a value." rather than "Unexpected token.".
bool IsTokenStart(char c) {
  return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' || c == '_' ||
         c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::optional<ScanError> ScanJson(std::string_view s) {
  const size_t n = s.size();
  std::string stack;  // 'o' / 'a' per open container; never longer than kMaxJsonDepth
  std::string_view last_key;
  Expect expect = Expect::kValue;
  size_t i = 0;
  auto after_value = [&] {
    if (stack.empty()) {
      expect = Expect::kEnd;
    } else {
      expect = stack.back() == 'o' ? Expect::kObjectMid : Expect::kArrayMid;
    }
  };
  auto close = [&] {
    stack.pop_back();
    ++i;
    after_value();
  };
  while (true) {
    while (i < n && IsWhitespace(s[i])) ++i;
    if (expect == Expect::kEnd) {
      if (i < n) return ScanError{i, "Parsing terminated before end of input."};
      return std::nullopt;
    }
    if (i >= n)
      return ScanError{n, "Unexpected end of string. " + std::string(ExpectedText(expect))};
    const char c = s[i];
    switch (expect) {
      case Expect::kKeyFirst:
      case Expect::kKeyNext:
        if (c == '}' && expect == Expect::kKeyFirst) {
          close();
        } else if (c == '}') {  // a trailing comma: RFC 8259 §4 has none
          return ScanError{i, "Expected an object key."};
        } else if (c == '"') {
          const size_t start = i;
          if (auto err = ScanString(s, i)) return err;
          last_key = s.substr(start + 1, i - start - 2);
          expect = Expect::kColon;
        } else {
          return ScanError{i, std::string(ExpectedText(expect))};
        }
        continue;
      case Expect::kColon:
        if (c != ':') return ScanError{i, std::string(ExpectedText(expect))};
        ++i;
        expect = Expect::kValue;
        continue;
      case Expect::kObjectMid:
      case Expect::kArrayMid:
        if (c == ',') {
          ++i;
          expect = expect == Expect::kObjectMid ? Expect::kKeyNext : Expect::kArrayNext;
        } else if (c == (expect == Expect::kObjectMid ? '}' : ']')) {
          close();
        } else {
          return ScanError{i, std::string(ExpectedText(expect))};
        }
        continue;
      case Expect::kArrayFirst:
        if (c == ']') {
          close();
          continue;
        }
        break;
      case Expect::kArrayNext:
        if (c == ']') return ScanError{i, "Expected a value."};  // a trailing comma (§5)
        break;
      default:
        break;
    }
    // A value.
    if (c == '{' || c == '[') {
      if (stack.size() >= static_cast<size_t>(kMaxJsonDepth)) {
        return ScanError{i, "Message too deep. Max recursion depth reached for key '" +
                                std::string(last_key) + "'"};
      }
      stack.push_back(c == '{' ? 'o' : 'a');
      ++i;
      expect = c == '{' ? Expect::kKeyFirst : Expect::kArrayFirst;
      continue;
    }
    if (c == '"') {
      if (auto err = ScanString(s, i)) return err;
    } else if (c == '-' || IsDigit(c)) {
      if (auto err = ScanNumber(s, i)) return err;
    } else if (s.substr(i, 4) == "true" || s.substr(i, 4) == "null") {
      i += 4;
    } else if (s.substr(i, 5) == "false") {
      i += 5;
    } else if (IsTokenStart(c)) {
      return ScanError{i, "Unexpected token."};
    } else {
      return ScanError{i, std::string(ExpectedText(expect))};
    }
    after_value();
  }
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The error with a snippet of the line it is on: up to kContext bytes either
// side of `pos`, cut at line ends and at character boundaries; control
// characters become spaces and invalid UTF-8 U+FFFD, so the caret (placed by
// counting characters) lines up.
Status Malformed(std::string_view s, size_t pos, std::string_view reason) {
  constexpr size_t kContext = 40;
  pos = std::min(pos, s.size());
  if (pos == s.size()) {  // at the end: point just after the last non-blank byte
    while (pos > 0 && IsWhitespace(s[pos - 1])) --pos;
  }
  auto line_break = [&](size_t k) { return s[k] == '\n' || s[k] == '\r'; };
  size_t begin = pos;
  while (begin > 0 && pos - begin < kContext && !line_break(begin - 1)) --begin;
  while (begin < pos && IsContinuation(s[begin])) ++begin;
  size_t end = pos;
  while (end < s.size() && end - pos < kContext && !line_break(end)) ++end;
  while (end > pos && end < s.size() && IsContinuation(s[end])) --end;

  std::string snippet;
  size_t column = 0;
  for (size_t k = begin; k < end;) {
    if (k < pos) ++column;
    const auto c = static_cast<unsigned char>(s[k]);
    if (c < 0x20 || c == 0x7F) {
      snippet.push_back(' ');
      ++k;
    } else if (c < 0x80) {
      snippet.push_back(static_cast<char>(c));
      ++k;
    } else {
      const size_t len = Utf8SequenceLength(s.substr(0, end), k);
      if (len == 0) {
        snippet.append("\xEF\xBF\xBD");
        ++k;
      } else {
        snippet.append(s.substr(k, len));
        k += len;
      }
    }
  }
  if (snippet.find_first_not_of(' ') == std::string::npos) snippet.clear();  // nothing to show
  return errors::MalformedJson(reason, snippet, column);
}

}  // namespace

StatusOr<nlohmann::json> ParseJsonText(std::string_view text) {
  if (auto err = ScanJson(text)) return Malformed(text, err->pos, err->reason);
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // The scan accepts only what nlohmann accepts; kept as a safety net.
    size_t pos = e.byte > 0 ? e.byte - 1 : 0;
    return Malformed(text, pos, "Unexpected token.");
  } catch (const json::exception&) {
    return Malformed(text, 0, "Unexpected token.");
  }
}

}  // namespace nasfake::model
