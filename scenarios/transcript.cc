// Transcripts (transcript.h): a strict reader and its inverse writer.
#include "scenarios/transcript.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>

#include "fake/api/query.h"
#include "fake/api/router.h"
#include "fake/model/json_file.h"
#include "fake/model/json_mapping.h"

namespace nasfake::scenarios {
namespace {

using nlohmann::json;
using Keys = std::initializer_list<std::string_view>;

const Keys kRootKeys = {"nasfakeTranscript", "exchanges"};
const Keys kExchangeKeys = {"request", "response"};
const Keys kRequestKeys = {"method", "target", "headers", "body"};
const Keys kResponseKeys = {"status", "contentType", "headers", "body", "fault"};
const Keys kFaultKeys = {"kind", "bytes", "durationMs", "code"};

// The violation that ends a read; thrown and caught only in this file.
struct SchemaError {
  std::string path;
  std::string what;
};

[[noreturn]] void Fail(std::string path, std::string what) {
  throw SchemaError{std::move(path), std::move(what)};
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string Got(const json& value) { return std::string("got ") + value.type_name(); }
std::string Field(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string Entry(const std::string& path, std::string_view key) {
  return path + "[" + Dump(json(key)) + "]";
}

std::string Join(Keys keys) {
  std::string out;
  for (auto key : keys) out += (out.empty() ? "" : ", ") + std::string(key);
  return out;
}

void CheckObject(const json& value, const std::string& path, Keys allowed) {
  if (!value.is_object()) Fail(path.empty() ? "(root)" : path, "expected an object, " + Got(value));
  for (const auto& [key, unused] : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      Fail(Field(path, key), "unknown key; expected one of " + Join(allowed));
    }
  }
}

const json* Find(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& Require(const json& object, const std::string& path, std::string_view key,
                    std::string_view expected) {
  const json* value = Find(object, key);
  if (value == nullptr) Fail(Field(path, key), "required; expected " + std::string(expected));
  return *value;
}

std::string ReadString(const json& value, const std::string& path) {
  if (!value.is_string()) Fail(path, "expected a string, " + Got(value));
  return value.get<std::string>();
}

int64_t ReadInteger(const json& value, const std::string& path, int64_t min, int64_t max) {
  std::string expected =
      "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value.is_number_integer()) Fail(path, expected + ", " + Got(value));
  if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(max)) {
    Fail(path, expected + ", got " + Dump(value));
  }
  int64_t n = value.get<int64_t>();
  if (n < min || n > max) Fail(path, expected + ", got " + Dump(value));
  return n;
}

// {name: value}: names HTTP tokens, stored lowercase and unique; values
// without CR, LF or NUL (a replay must not be able to inject headers).
api::HeaderList ReadHeaders(const json& value, const std::string& path) {
  if (!value.is_object()) Fail(path, "expected an object of header name to value, " + Got(value));
  constexpr std::string_view kSeparators = "()<>@,;:\\\"/[]?={} \t";
  api::HeaderList headers;
  for (const auto& [name, v] : value.items()) {
    std::string where = Entry(path, name);
    bool token = !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
      return c > 0x20 && c < 0x7f && kSeparators.find(c) == std::string_view::npos;
    });
    if (!token) Fail(where, "expected an HTTP header name (letters, digits, '-' …)");
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& [seen, unused] : headers) {
      if (seen == lower) Fail(where, "header " + Dump(json(lower)) + " given twice");
    }
    std::string text = ReadString(v, where);
    if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      Fail(where, "expected a header value without CR, LF or NUL");
    }
    headers.emplace_back(std::move(lower), std::move(text));
  }
  return headers;
}

api::Request ReadRequest(const json& value, const std::string& path) {
  CheckObject(value, path, kRequestKeys);
  api::Request request;
  request.method =
      ReadString(Require(value, path, "method", "a string such as \"GET\""), Field(path, "method"));
  if (request.method.empty()) Fail(Field(path, "method"), "expected a non-empty string");
  request.target = ReadString(Require(value, path, "target", "a string such as \"/v1/…\""),
                              Field(path, "target"));
  if (request.target.empty()) Fail(Field(path, "target"), "expected a non-empty string");
  if (const json* v = Find(value, "headers")) {
    request.headers = ReadHeaders(*v, Field(path, "headers"));
  }
  if (const json* v = Find(value, "body")) request.body = ReadString(*v, Field(path, "body"));
  return request;
}

api::WireFault ReadFault(const json& value, const std::string& path) {
  CheckObject(value, path, kFaultKeys);
  api::WireFault fault;
  std::string kind = ReadString(Require(value, path, "kind", "a fault kind"), Field(path, "kind"));
  std::optional<api::WireFault::Kind> named = api::FaultKindFromName(kind);
  if (!named) {
    std::string expected;
    for (const auto& row : api::kFaultKinds) {
      expected += (expected.empty() ? "" : ", ") + std::string(row.name);
    }
    Fail(Field(path, "kind"),
         "unknown fault " + Dump(json(kind)) + "; expected one of " + expected);
  }
  fault.kind = *named;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (const json* v = Find(value, "bytes")) {
    fault.bytes = static_cast<size_t>(ReadInteger(*v, Field(path, "bytes"), 0, kMax));
  }
  if (const json* v = Find(value, "durationMs")) {
    fault.duration = std::chrono::milliseconds(ReadInteger(*v, Field(path, "durationMs"), 0, kMax));
  }
  if (const json* v = Find(value, "code")) {
    std::string at = Field(path, "code");
    if (!api::FaultKindOf(fault.kind).takes_code()) Fail(at, "not allowed with \"" + kind + "\"");
    if (v->is_string()) {
      fault.code = api::Http2ErrorFromName(v->get<std::string>());
      if (!fault.code) Fail(at, "unknown HTTP/2 error code " + Dump(*v));
    } else {
      fault.code = static_cast<uint32_t>(ReadInteger(*v, at, 0, std::numeric_limits<uint32_t>::max()));
    }
  }
  return fault;
}

api::Response ReadResponse(const json& value, const std::string& path) {
  CheckObject(value, path, kResponseKeys);
  api::Response response;
  if (const json* v = Find(value, "fault")) response.fault = ReadFault(*v, Field(path, "fault"));
  const json& status = Require(value, path, "status", "an HTTP status code");
  if (status.is_number_integer() && status == 0) {
    if (!response.fault) Fail(Field(path, "status"), "0 (no response) needs a \"fault\"");
    response.status = 0;
  } else {
    response.status = static_cast<int>(ReadInteger(status, Field(path, "status"), 100, 599));
  }
  if (const json* v = Find(value, "contentType")) {
    response.content_type = ReadString(*v, Field(path, "contentType"));
    if (response.content_type.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      Fail(Field(path, "contentType"), "expected a value without CR, LF or NUL");
    }
  }
  if (const json* v = Find(value, "headers")) {
    response.headers = ReadHeaders(*v, Field(path, "headers"));
  }
  if (const json* v = Find(value, "body")) response.body = ReadString(*v, Field(path, "body"));
  return response;
}

json HeadersJson(const api::HeaderList& headers) {
  json out = json::object();
  for (const auto& [name, value] : headers) {
    auto [it, inserted] = out.emplace(name, value);
    if (!inserted) it.value() = it.value().get<std::string>() + ", " + value;
  }
  return out;
}

}  // namespace

StatusOr<Transcript> TranscriptFromJson(const json& document, std::string_view origin) {
  try {
    CheckObject(document, "", kRootKeys);
    const json& version = Require(document, "", "nasfakeTranscript", "1");
    if (!version.is_number_integer() || version != 1) {
      Fail("nasfakeTranscript", "expected 1 (the only version), got " + Dump(version));
    }
    const json& exchanges = Require(document, "", "exchanges", "an array of exchanges");
    if (!exchanges.is_array()) Fail("exchanges", "expected an array, " + Got(exchanges));
    Transcript transcript;
    for (size_t i = 0; i < exchanges.size(); ++i) {
      std::string path = "exchanges[" + std::to_string(i) + "]";
      CheckObject(exchanges[i], path, kExchangeKeys);
      Exchange exchange;
      exchange.request =
          ReadRequest(Require(exchanges[i], path, "request", "an object"), Field(path, "request"));
      exchange.response = ReadResponse(Require(exchanges[i], path, "response", "an object"),
                                       Field(path, "response"));
      transcript.exchanges.push_back(std::move(exchange));
    }
    return transcript;
  } catch (const SchemaError& e) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(origin) + ": " + e.path + ": " + e.what);
  }
}

StatusOr<Transcript> LoadTranscriptFile(const std::filesystem::path& path) {
  auto document = model::ReadJsonFile(path);
  if (!document.ok()) return document.status();
  return TranscriptFromJson(*document, path.string());
}

json TranscriptToJson(const Transcript& transcript) {
  json exchanges = json::array();
  for (const auto& [request, response] : transcript.exchanges) {
    json exchange = {{"request",
                      {{"method", request.method},
                       {"target", request.target},
                       {"headers", HeadersJson(request.headers)},
                       {"body", request.body}}},
                     {"response",
                      {{"status", response.status},
                       {"contentType", response.content_type},
                       {"headers", HeadersJson(response.headers)},
                       {"body", response.body}}}};
    if (response.fault) {
      exchange["response"]["fault"] = api::FaultJson(*response.fault);
    }
    exchanges.push_back(std::move(exchange));
  }
  return {{"nasfakeTranscript", 1}, {"exchanges", std::move(exchanges)}};
}

void RedactCredentials(Exchange& exchange) {
  for (auto& [name, value] : exchange.request.headers) {
    if (name == "authorization" || name == "proxy-authorization" || name == "x-goog-api-key" ||
        name == "cookie") {
      value = kRedacted;
    }
  }
  for (auto& [name, value] : exchange.response.headers) {
    if (name == "set-cookie") value = kRedacted;
  }
  std::string& target = exchange.request.target;
  size_t question = target.find('?');
  if (question == std::string::npos) return;
  std::string redacted = target.substr(0, question + 1);
  std::string_view query = std::string_view(target).substr(question + 1);
  for (bool first = true;; first = false) {
    size_t amp = query.find('&');
    std::string_view parameter = query.substr(0, amp);
    std::string_view name = parameter.substr(0, parameter.find('='));
    std::string decoded = api::PercentDecode(name, false).value_or(std::string(name));
    if (!first) redacted += '&';
    if (decoded == "key" || decoded == "access_token") {
      redacted.append(name).append("=%3Credacted%3E");
    } else {
      redacted.append(parameter);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  target = std::move(redacted);
}

}  // namespace nasfake::scenarios
