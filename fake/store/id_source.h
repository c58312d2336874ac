// Server-assigned IDs: 19-digit decimal numbers like real Vertex IDs,
// drawn from a seeded sequence so a run with the same seed names its jobs and
// operations the same way.
#pragma once

#include <cstdint>
#include <string>

namespace nasfake::store {

class IdSource {
 public:
  explicit IdSource(uint64_t seed) : state_(seed) {}
  // Not thread-safe: callers hold their store's lock.
  std::string Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return std::to_string(1000000000000000000ULL + z % 8000000000000000000ULL);
  }

 private:
  uint64_t state_;
};

}  // namespace nasfake::store
