// libFuzzer target: CheckRequestPath (tests/fuzz/fuzz_checks.h) on each input.
// Built by tests/fuzz/CMakeLists.txt (NASFAKE_FUZZ=ON, clang); run by scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nasfake::fuzz::Require(
      nasfake::fuzz::CheckRequestPath(std::string_view(reinterpret_cast<const char*>(data), size)));
  return 0;
}
