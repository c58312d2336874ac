// Replays the fuzzers' inputs through the checks the fuzz targets run
// (tests/fuzz/fuzz_checks.h), without libFuzzer: every crash a fuzzer found
// is kept in fixtures/fuzz/<target>/regressions/ and must stay fixed; the seed
// corpus (fixtures/fuzz/<target>/) must pass too.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_checks.h"

namespace nasfake::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs every seed and regression input of `target` through `check`; returns
// how many inputs there were.
size_t Replay(std::string_view target, const std::function<std::string(std::string_view)>& check) {
  fs::path dir = fs::path(NASFAKE_SOURCE_DIR) / "fixtures" / "fuzz" / target;
  size_t count = 0;
  for (const fs::path& sub : {dir, dir / "regressions"}) {
    for (const fs::path& file : FilesIn(sub)) {
      ++count;
      EXPECT_EQ(check(ReadBytes(file)), "") << file;
    }
  }
  return count;
}

TEST(FuzzRegressionTest, RequestPath) { EXPECT_GT(Replay("request_path", CheckRequestPath), 0u); }

TEST(FuzzRegressionTest, JsonMapping) { EXPECT_GT(Replay("json_mapping", CheckJsonMapping), 0u); }

TEST(FuzzRegressionTest, ListFilter) { EXPECT_GT(Replay("list_filter", CheckListFilter), 0u); }

TEST(FuzzRegressionTest, ScenarioLoader) {
  EXPECT_GT(Replay("scenario_loader", CheckScenarioLoader), 0u);
}

// The split the request_path fuzzer makes of its bytes.
TEST(FuzzRegressionTest, SplitRequest) {
  api::Request r = SplitRequest("POST\n/v1/x:cancel\nContent-Type: application/json\nX\n\n{}\n");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/x:cancel");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0],
            (std::pair<std::string, std::string>("content-type", "application/json")));
  EXPECT_EQ(r.headers[1], (std::pair<std::string, std::string>("x", "")));
  EXPECT_EQ(r.body, "{}\n");
  r = SplitRequest("GET");
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "");
  EXPECT_TRUE(r.headers.empty());
  EXPECT_EQ(r.body, "");
}

}  // namespace
}  // namespace nasfake::fuzz
