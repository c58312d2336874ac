#include "fake/grpc/reply_cache.h"

#include <utility>

namespace nasfake::grpc {

std::optional<std::string> ReplyCache::Find(const google::protobuf::Descriptor* type,
                                            std::string_view json) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto texts = by_type_.find(type);
  if (texts == by_type_.end()) return std::nullopt;
  auto entry = texts->second.find(json);
  if (entry == texts->second.end()) return std::nullopt;
  return entry->second;
}

void ReplyCache::Add(const google::protobuf::Descriptor* type, std::string_view json,
                     std::string message) {
  const size_t size = json.size() + message.size();
  if (json.size() > kMaxTextBytes || size > kMaxBytes) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (bytes_ + size > kMaxBytes) {
    by_type_.clear();
    bytes_ = 0;
  }
  if (by_type_[type].try_emplace(std::string(json), std::move(message)).second) bytes_ += size;
}

size_t ReplyCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace nasfake::grpc
