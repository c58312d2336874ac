// libFuzzer target: gRPC's framing helpers (fake/grpc/grpc_framing.h) on each
// input. Built by tests/fuzz/CMakeLists.txt (NASFAKE_FUZZ=ON, clang); run by
// `scripts/fuzz SECONDS grpc_framing`. Properties (a broken one aborts):
// - MessageReader, fed the input in pieces the input itself chooses, agrees
//   with a one-shot reading of the same bytes (result, message, length) and
//   never holds more than its bound;
// - ParseGrpcTimeout accepts exactly 1-8 digits and a unit, never negative;
// - PercentEncode's output is printable ASCII without a bare '%', and
//   PercentDecode inverts it;
// - Base64Decode inverts Base64EncodeUnpadded, and decoding anything is safe.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fake/grpc/grpc_framing.h"

namespace {

using nasfake::grpc::MessageReader;

void Require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

// The reading of `bytes` a unary call expects, all at once.
MessageReader::Result Reference(std::string_view bytes, size_t max, std::string& message) {
  if (bytes.size() < 5) return MessageReader::Result::kOk;
  auto b = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (b(0) > 1) return MessageReader::Result::kBadFlag;
  uint32_t len = (uint32_t{b(1)} << 24) | (uint32_t{b(2)} << 16) | (uint32_t{b(3)} << 8) | b(4);
  if (len > max) return MessageReader::Result::kTooLarge;
  if (bytes.size() > 5 + size_t{len}) return MessageReader::Result::kTooMany;
  message.assign(bytes.substr(5));
  return MessageReader::Result::kOk;
}

void CheckReader(std::string_view input) {
  if (input.size() < 2) return;
  const size_t max = static_cast<unsigned char>(input[0]) * 4;  // small bounds get hit
  const size_t step = static_cast<unsigned char>(input[1]) % 17 + 1;
  std::string_view bytes = input.substr(2);
  MessageReader reader(max);
  MessageReader::Result result = MessageReader::Result::kOk;
  for (size_t at = 0; at < bytes.size(); at += step) {
    result = reader.Feed(bytes.substr(at, step));
    Require(reader.buffered() <= max, "reader holds more than its bound");
    if (result != MessageReader::Result::kOk) {
      Require(reader.Feed("x") == result, "a spent reader changed its answer");
      break;
    }
  }
  std::string expected;
  Require(result == Reference(bytes, max, expected), "reader disagrees with the reference");
  if (result == MessageReader::Result::kOk && reader.complete()) {
    Require(reader.declared_length() == expected.size(), "declared length");
    Require(reader.TakeMessage() == expected, "message bytes");
  }
}

void CheckTimeout(std::string_view input) {
  std::string_view value = input.substr(0, 12);
  auto timeout = nasfake::grpc::ParseGrpcTimeout(value);
  bool shaped = value.size() >= 2 && value.size() <= 9 &&
                std::string_view("HMSmun").find(value.back()) != std::string_view::npos;
  for (size_t i = 0; shaped && i + 1 < value.size(); ++i) {
    shaped = value[i] >= '0' && value[i] <= '9';
  }
  Require(timeout.has_value() == shaped, "grpc-timeout shape");
  if (timeout) Require(timeout->count() >= 0, "negative grpc-timeout");
}

void CheckEncodings(std::string_view input) {
  std::string encoded = nasfake::grpc::PercentEncode(input);
  for (size_t i = 0; i < encoded.size(); ++i) {
    auto c = static_cast<unsigned char>(encoded[i]);
    Require(c >= 0x20 && c <= 0x7e, "grpc-message byte outside 0x20..0x7E");
    if (c == '%') Require(i + 2 < encoded.size(), "bare '%' in grpc-message");
  }
  Require(nasfake::grpc::PercentDecode(encoded) == input, "percent round trip");
  (void)nasfake::grpc::PercentDecode(input);

  std::string b64 = nasfake::grpc::Base64EncodeUnpadded(input);
  Require(b64.find('=') == std::string::npos, "padding emitted");
  auto decoded = nasfake::grpc::Base64Decode(b64);
  Require(decoded.has_value() && *decoded == input, "base64 round trip");
  (void)nasfake::grpc::Base64Decode(input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckReader(input);
  CheckTimeout(input);
  CheckEncodings(input);
  return 0;
}
