// A small JSON writer that appends straight to a std::string.
//
// Responses are built with it so that serialising a resource costs one string
// and no intermediate tree. Output is compact (no whitespace) and RFC 8259
// conformant: strings are escaped (", \, and control characters; \b \f \n \r \t
// in their short form, the other controls as \u00XX) and always valid UTF-8 —
// a byte sequence that is not well-formed UTF-8 is written as U+FFFD, so the
// writer never fails.
//
// The writer inserts commas and colons itself; the caller only has to call
// Key() before each member value of an object and balance Begin/End calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace nasfake::model {

// Appends `s` to `out` as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter() = default;
  explicit JsonWriter(size_t reserve) { out_.reserve(reserve); }

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  // The member name; the next call writes its value.
  void Key(std::string_view key);

  void String(std::string_view value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  // Shortest text that reads back as the same double. NaN and the infinities,
  // which JSON numbers cannot express, are written as the strings "NaN",
  // "Infinity" and "-Infinity" (the proto3 JSON mapping of double).
  void Double(double value);
  void Bool(bool value);
  void Null();
  // Any nlohmann value, written with the same rules (object members in the
  // order nlohmann keeps them, i.e. sorted by key).
  void Json(const nlohmann::json& value);
  // A value that is already JSON text (e.g. another ToJson result); appended
  // unchanged, so it must be valid.
  void RawValue(std::string_view json_text);

  const std::string& str() const { return out_; }
  std::string Release() && { return std::move(out_); }

 private:
  void BeforeValue() {
    if (need_comma_) out_.push_back(',');
    need_comma_ = true;
  }
  void Open(char c) {
    BeforeValue();
    out_.push_back(c);
    need_comma_ = false;
  }
  void Close(char c) {
    out_.push_back(c);
    need_comma_ = true;
  }

  std::string out_;
  bool need_comma_ = false;  // a value was written at this level: next one needs ','
};

}  // namespace nasfake::model
