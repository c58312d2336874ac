#include "fake/store/page_token.h"

#include <array>

namespace nasfake::store {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t PageTokenCodec::Check(uint64_t position, std::string_view binding) const {
  uint64_t h = Mix(secret_ ^ 0x6e617366616b6521ULL);
  for (unsigned char c : binding) h = Mix(h ^ c);
  return Mix(h ^ position);
}

std::string PageTokenCodec::Encode(uint64_t position, std::string_view binding) const {
  std::array<unsigned char, 16> bytes{};
  uint64_t check = Check(position, binding);
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(position >> (8 * i));
    bytes[8 + i] = static_cast<unsigned char>(check >> (8 * i));
  }
  // Base64url without padding: 16 bytes -> 22 characters.
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

std::optional<uint64_t> PageTokenCodec::Decode(std::string_view token,
                                               std::string_view binding) const {
  if (token.size() != 22) return std::nullopt;
  std::array<unsigned char, 17> bytes{};
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : token) {
    const char* p = std::char_traits<char>::find(kAlphabet, 64, c);
    if (p == nullptr) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[n++] = static_cast<unsigned char>(acc >> bits);
    }
  }
  uint64_t position = 0, check = 0;
  for (int i = 0; i < 8; ++i) {
    position |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    check |= static_cast<uint64_t>(bytes[8 + i]) << (8 * i);
  }
  if (check != Check(position, binding)) return std::nullopt;
  return position;
}

}  // namespace nasfake::store
