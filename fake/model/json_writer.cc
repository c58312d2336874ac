#include "fake/model/json_writer.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fake/utf8.h"

namespace nasfake::model {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// Bytes that can be copied into a JSON string as they are.
bool IsPlain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    size_t run = i;
    while (run < n && IsPlain(static_cast<unsigned char>(s[run]))) ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i >= n) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out.append(kReplacementChar);
        ++i;
      } else {
        out.append(s.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default: {
        const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, sizeof esc);
      }
    }
    ++i;
  }
  out.push_back('"');
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(out_, key);
  out_.push_back(':');
  need_comma_ = false;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(out_, value);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, res.ptr);
}

void JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, res.ptr);
}

void JsonWriter::Double(double value) {
  if (std::isnan(value)) return String("NaN");
  if (std::isinf(value)) return String(value > 0 ? "Infinity" : "-Infinity");
  BeforeValue();
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, res.ptr);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
}

void JsonWriter::RawValue(std::string_view json_text) {
  BeforeValue();
  out_.append(json_text);
}

// Recursion depth is that of the value; request bodies are limited to
// kMaxJsonDepth by ParseJsonText before any value is built from them.
void JsonWriter::Json(const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::object:
      BeginObject();
      for (auto it = value.begin(); it != value.end(); ++it) {
        Key(it.key());
        Json(it.value());
      }
      EndObject();
      break;
    case Type::array:
      BeginArray();
      for (const auto& element : value) Json(element);
      EndArray();
      break;
    case Type::string:
      String(value.get_ref<const std::string&>());
      break;
    case Type::boolean:
      Bool(value.get<bool>());
      break;
    case Type::number_integer:
      Int(value.get<int64_t>());
      break;
    case Type::number_unsigned:
      Uint(value.get<uint64_t>());
      break;
    case Type::number_float: {
      // As nlohmann writes it: a float that prints like an integer gets ".0",
      // so it reads back as a float (and an error message shows what was sent).
      const double d = value.get<double>();
      if (!std::isfinite(d)) {
        Double(d);
        break;
      }
      BeforeValue();
      char buf[40];
      auto res = std::to_chars(buf, buf + sizeof buf - 2, d);
      const std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
      out_.append(text);
      if (text.find_first_of(".eE") == std::string_view::npos) out_.append(".0");
      break;
    }
    case Type::null:
    case Type::binary:
    case Type::discarded:
      Null();
      break;
  }
}

}  // namespace nasfake::model
