// Opaque, URL-safe page tokens (AIP-158), bound to the call that made them.
//
// A token carries the position to resume after and a keyed check over that
// position and the call's binding (parent and filter). A token that was
// forged, truncated, made by another server, or is reused with another parent
// or filter fails to decode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nasfake::store {

class PageTokenCodec {
 public:
  explicit PageTokenCodec(uint64_t secret) : secret_(secret) {}
  std::string Encode(uint64_t position, std::string_view binding) const;
  std::optional<uint64_t> Decode(std::string_view token, std::string_view binding) const;

 private:
  uint64_t Check(uint64_t position, std::string_view binding) const;
  uint64_t secret_;
};

}  // namespace nasfake::store
