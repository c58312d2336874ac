// ReplyCache: what it keeps, for which type and text, and its bounds.
#include "fake/grpc/reply_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "google/cloud/aiplatform/v1/nas_job.pb.h"
#include "google/longrunning/operations.pb.h"

namespace nasfake::grpc {
namespace {

const google::protobuf::Descriptor* const kNasJob =
    google::cloud::aiplatform::v1::NasJob::descriptor();
const google::protobuf::Descriptor* const kOperation = google::longrunning::Operation::descriptor();

TEST(ReplyCacheTest, KeepsTheMessageForItsTypeAndTextOnly) {
  ReplyCache cache;
  EXPECT_EQ(cache.Find(kNasJob, R"({"name":"a"})"), std::nullopt);
  cache.Add(kNasJob, R"({"name":"a"})", "message a");
  EXPECT_EQ(cache.Find(kNasJob, R"({"name":"a"})"), "message a");
  EXPECT_EQ(cache.Find(kNasJob, R"({"name":"b"})"), std::nullopt);
  EXPECT_EQ(cache.Find(kNasJob, R"({"name":"a"} )"), std::nullopt);
  EXPECT_EQ(cache.Find(kOperation, R"({"name":"a"})"), std::nullopt);
  cache.Add(kOperation, R"({"name":"a"})", "operation a");
  EXPECT_EQ(cache.Find(kOperation, R"({"name":"a"})"), "operation a");
  EXPECT_EQ(cache.Find(kNasJob, R"({"name":"a"})"), "message a");
}

TEST(ReplyCacheTest, NeverKeepsATextOverItsLimit) {
  ReplyCache cache;
  const std::string text(ReplyCache::kMaxTextBytes + 1, ' ');
  cache.Add(kNasJob, text, "message");
  EXPECT_EQ(cache.Find(kNasJob, text), std::nullopt);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ReplyCacheTest, FillsToItsBoundThenDropsEverything) {
  ReplyCache cache;
  auto text = [](size_t i) { return std::to_string(i) + std::string(60000, ' '); };
  size_t kept = 0;
  size_t i = 0;
  for (;; ++i) {
    ASSERT_LT(i, 1000u);
    cache.Add(kNasJob, text(i), "m");
    ASSERT_LE(cache.bytes(), ReplyCache::kMaxBytes);
    if (cache.bytes() < kept) break;  // dropped
    kept = cache.bytes();
  }
  EXPECT_GT(kept + text(i).size() + 1, ReplyCache::kMaxBytes);  // full up to one entry
  EXPECT_EQ(cache.bytes(), text(i).size() + 1);
  EXPECT_EQ(cache.Find(kNasJob, text(0)), std::nullopt);
  EXPECT_EQ(cache.Find(kNasJob, text(i - 1)), std::nullopt);
  EXPECT_EQ(cache.Find(kNasJob, text(i)), "m");
}

TEST(ReplyCacheTest, ConcurrentCallersSeeWholeEntries) {
  ReplyCache cache;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string text = std::to_string((t * 7 + i) % 50);
        cache.Add(kNasJob, text, "message " + text);
        std::optional<std::string> found = cache.Find(kNasJob, text);
        ASSERT_TRUE(found.has_value());
        EXPECT_EQ(*found, "message " + text);
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

}  // namespace
}  // namespace nasfake::grpc
