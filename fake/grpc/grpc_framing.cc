#include "fake/grpc/grpc_framing.h"

#include <algorithm>
#include <limits>

namespace nasfake::grpc {

std::string FrameMessage(std::string_view message) {
  std::string out;
  out.reserve(kMessagePrefixBytes + message.size());
  const auto n = static_cast<uint32_t>(message.size());
  out.push_back('\0');
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(message);
  return out;
}

MessageReader::Result MessageReader::Feed(std::string_view data) {
  while (!data.empty()) {
    switch (state_) {
      case State::kFailed:
        return failure_;
      case State::kDone:
        state_ = State::kFailed;
        failure_ = Result::kTooMany;
        return failure_;
      case State::kPrefix: {
        size_t n = std::min(kMessagePrefixBytes - prefix_len_, data.size());
        for (size_t i = 0; i < n; ++i)
          prefix_[prefix_len_ + i] = static_cast<unsigned char>(data[i]);
        prefix_len_ += n;
        data.remove_prefix(n);
        if (prefix_len_ < kMessagePrefixBytes) break;
        flag_ = prefix_[0];
        length_ = (uint32_t{prefix_[1]} << 24) | (uint32_t{prefix_[2]} << 16) |
                  (uint32_t{prefix_[3]} << 8) | uint32_t{prefix_[4]};
        if (flag_ > 1) {
          state_ = State::kFailed;
          failure_ = Result::kBadFlag;
          return failure_;
        }
        if (length_ > max_bytes_) {
          state_ = State::kFailed;
          failure_ = Result::kTooLarge;
          return failure_;
        }
        message_.reserve(length_);
        state_ = length_ == 0 ? State::kDone : State::kMessage;
        break;
      }
      case State::kMessage: {
        size_t n = std::min<size_t>(length_ - message_.size(), data.size());
        message_.append(data.substr(0, n));
        data.remove_prefix(n);
        if (message_.size() == length_) state_ = State::kDone;
        break;
      }
    }
  }
  return state_ == State::kFailed ? failure_ : Result::kOk;
}

std::optional<std::chrono::nanoseconds> ParseGrpcTimeout(std::string_view value) {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  int64_t n = 0;
  for (char ch : value.substr(0, value.size() - 1)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');  // at most 99 999 999
  }
  using std::chrono::nanoseconds;
  switch (value.back()) {
    case 'H':  // 99 999 999 hours do not fit in int64 nanoseconds: saturate
      if (n > nanoseconds::max() / std::chrono::hours(1)) return nanoseconds::max();
      return std::chrono::hours(n);
    case 'M':
      return std::chrono::minutes(n);
    case 'S':
      return std::chrono::seconds(n);
    case 'm':
      return std::chrono::milliseconds(n);
    case 'u':
      return std::chrono::microseconds(n);
    case 'n':
      return nanoseconds(n);
    default:
      return std::nullopt;
  }
}

namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int HexValue(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

int Base64Value(char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '+') return 62;
  if (ch == '/') return 63;
  return -1;
}

}  // namespace

std::string PercentEncode(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (char ch : message) {
    auto b = static_cast<unsigned char>(ch);
    if (b >= 0x20 && b <= 0x7e && b != '%') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xf]);
    }
  }
  return out;
}

std::string PercentDecode(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size() && HexValue(encoded[i + 1]) >= 0 &&
        HexValue(encoded[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(encoded[i + 1]) * 16 + HexValue(encoded[i + 2])));
      i += 2;
    } else {
      out.push_back(encoded[i]);
    }
  }
  return out;
}

std::string Base64EncodeUnpadded(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                 uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out.push_back(kBase64[(v >> 18) & 63]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(kBase64[(v >> 6) & 63]);
    out.push_back(kBase64[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    out.push_back(kBase64[(v >> 18) & 63]);
    out.push_back(kBase64[(v >> 12) & 63]);
  } else if (rest == 2) {
    uint32_t v = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
    out.push_back(kBase64[(v >> 18) & 63]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(kBase64[(v >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 == 0 && !text.empty()) {
    size_t pad = 0;
    while (pad < 2 && !text.empty() && text.back() == '=') {
      text.remove_suffix(1);
      ++pad;
    }
  }
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    int v = Base64Value(ch);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace nasfake::grpc
