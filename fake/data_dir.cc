#include "fake/data_dir.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <system_error>

// Compiled in by fake/CMakeLists.txt (for this file only).
#ifndef NASFAKE_SOURCE_DATA_DIR
#error "NASFAKE_SOURCE_DATA_DIR must be defined"
#endif

namespace nasfake {
namespace {

bool HoldsCatalogue(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_directory(dir / "conformance" / "cases", ec);
}

// Whether `path` is `root` or below it (both made absolute and normal).
bool IsWithin(const std::filesystem::path& path, const std::filesystem::path& root) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(path, ec);
  if (ec) return false;
  auto r = std::filesystem::weakly_canonical(root, ec);
  if (ec || r.empty()) return false;
  auto [root_end, path_it] = std::mismatch(r.begin(), r.end(), p.begin(), p.end());
  return root_end == r.end();
}

}  // namespace

std::filesystem::path DataDir() {
  if (const char* env = std::getenv("NASFAKE_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  const std::filesystem::path source = NASFAKE_SOURCE_DATA_DIR;
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    if (IsWithin(exe, NASFAKE_BUILD_ROOT)) return source;
    auto beside = (exe.parent_path() / NASFAKE_BIN_TO_DATA_DIR).lexically_normal();
    if (HoldsCatalogue(beside)) return beside;
  }
  const std::filesystem::path installed = NASFAKE_INSTALL_DATA_DIR;
  if (HoldsCatalogue(installed)) return installed;
  return source;
}

}  // namespace nasfake
