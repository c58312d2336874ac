// Glob matching with '*' only: a '*' matches any run of characters ('/'
// included); every other character matches itself. Used wherever a scenario,
// a matcher or a conformance case names requests by pattern.
#pragma once

#include <string_view>

namespace nasfake {

// Linear in practice: a greedy two-pointer match that, on a mismatch, retries
// from the last '*' (earlier stars can absorb anything a later one can), so
// there is no exponential blow-up on patterns like "*a*a*a*b".
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace nasfake
