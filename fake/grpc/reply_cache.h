// ReplyCache: response messages already transcoded, by response type and the
// JSON text they were transcoded from.
//
// The fake answers a GET of an unchanged job with the same text each time
// (the store keeps a job's JSON until the job changes), and libprotobuf's
// JsonStringToMessage is by far the dearest step of a gRPC call: about a
// million instructions for a full NasJob, some ten times what a whole call
// costs a grpc++ server. Transcoding is a function of the type and the text
// alone, so a kept message is byte for byte what transcoding again would give.
//
// Bounded: a text over kMaxTextBytes is never kept, and when keeping another
// entry would pass kMaxBytes (texts and messages counted), every entry is
// dropped first. Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace google::protobuf {
class Descriptor;
}  // namespace google::protobuf

namespace nasfake::grpc {

class ReplyCache {
 public:
  static constexpr size_t kMaxTextBytes = 64 * 1024;
  static constexpr size_t kMaxBytes = 16 * 1024 * 1024;

  // The serialized message transcoded from `json` as `type`, if kept.
  std::optional<std::string> Find(const google::protobuf::Descriptor* type,
                                  std::string_view json) const;
  // Keeps `message`, the serialization of `json` transcoded as `type`.
  void Add(const google::protobuf::Descriptor* type, std::string_view json, std::string message);
  // Bytes kept (texts and messages).
  size_t bytes() const;

 private:
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using Texts = std::unordered_map<std::string, std::string, TextHash, std::equal_to<>>;

  mutable std::mutex mu_;
  std::unordered_map<const google::protobuf::Descriptor*, Texts> by_type_;
  size_t bytes_ = 0;
};

}  // namespace nasfake::grpc
