// gRPC's framing over HTTP/2, as pure functions (gRPC "PROTOCOL-HTTP2"):
// the 5-byte length prefix of a message, grpc-timeout, the percent-encoding
// of grpc-message and the base64 of "-bin" metadata. No I/O, no state beyond
// MessageReader's, so the fuzzer (tests/fuzz/grpc_framing_fuzzer.cc) can drive
// every function here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nasfake::grpc {

// "Length-Prefixed-Message": compressed flag (1 byte), big-endian length (4
// bytes), then the message.
constexpr size_t kMessagePrefixBytes = 5;

// The prefix and `message`, with the compressed flag 0 (answers are never
// compressed).
std::string FrameMessage(std::string_view message);

// Reads the DATA of a unary call: exactly one length-prefixed message. Bytes
// arrive in any split (one DATA frame may carry a prefix piece, a message, and
// more); the reader keeps only the message, and never more than max_bytes of
// it: a prefix declaring a longer message is an error at once (kTooLarge),
// before any of the message is buffered.
class MessageReader {
 public:
  enum class Result {
    kOk,        // so far so good (the message may still be incomplete)
    kTooLarge,  // the declared length is over max_bytes (declared_length())
    kTooMany,   // a byte after the first complete message: a second message
    kBadFlag,   // a compressed flag other than 0 or 1
  };

  explicit MessageReader(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Consumes `data`. After a result other than kOk the reader is spent: every
  // later Feed returns that result again and reads nothing.
  Result Feed(std::string_view data);

  // Whether the whole first message has arrived.
  bool complete() const { return state_ == State::kDone; }
  // Whether any byte has arrived (a prefix started).
  bool started() const { return state_ != State::kPrefix || prefix_len_ > 0; }
  // The first message's compressed flag (valid once its prefix is read).
  bool compressed() const { return flag_ == 1; }
  // The first message's declared length (valid once its prefix is read).
  uint32_t declared_length() const { return length_; }
  // The message bytes held so far.
  size_t buffered() const { return message_.size(); }
  // The message; valid once complete(). Moves it out.
  std::string TakeMessage() { return std::move(message_); }

 private:
  enum class State { kPrefix, kMessage, kDone, kFailed };
  const size_t max_bytes_;
  State state_ = State::kPrefix;
  Result failure_ = Result::kOk;
  unsigned char prefix_[kMessagePrefixBytes] = {};
  size_t prefix_len_ = 0;
  uint8_t flag_ = 0;
  uint32_t length_ = 0;
  std::string message_;
};

// grpc-timeout: "TimeoutValue TimeoutUnit", 1 to 8 ASCII digits then one of
// H (hours) M (minutes) S (seconds) m (milliseconds) u (microseconds)
// n (nanoseconds), nothing else (no blanks, no sign). nullopt when the value
// does not have that shape: the transport then treats the header as absent,
// as grpc core does (it logs the parse error and uses an infinite deadline;
// grpc-go would reject the call with INTERNAL instead). A value beyond
// nanoseconds::max() (about 292 years: only "H" gets there) saturates to it.
std::optional<std::chrono::nanoseconds> ParseGrpcTimeout(std::string_view value);

// grpc-message's encoding: every byte outside 0x20..0x7E, and '%' itself,
// becomes "%XX" (uppercase hex); the rest stays. Bytes are taken as they come
// (UTF-8 text becomes its percent-encoded bytes).
std::string PercentEncode(std::string_view message);
// The inverse, as clients decode: "%XX" with two hex digits becomes the byte;
// any other '%' is kept as is.
std::string PercentDecode(std::string_view encoded);

// Base64 (RFC 4648 §4 alphabet) WITHOUT padding: the spec says
// implementations must accept both and should emit unpadded values, and grpc
// core and grpc-java emit unpadded.
std::string Base64EncodeUnpadded(std::string_view bytes);
// Decodes padded or unpadded base64; nullopt when `text` is not base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace nasfake::grpc
