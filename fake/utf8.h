// UTF-8 well-formedness, one definition for every writer of text that must
// be valid UTF-8 (JSON answers, the journal's JSON, HTML pages, JUnit XML).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nasfake {

// The length (1-4) of the well-formed UTF-8 sequence that starts at s[i], or 0
// when the bytes there are not one (RFC 3629: no overlong forms, no UTF-16
// surrogates, nothing above U+10FFFF, no truncated sequence).
size_t Utf8SequenceLength(std::string_view s, size_t i);

// `text` with every byte that does not start a well-formed sequence
// replaced by U+FFFD.
std::string ValidUtf8(std::string_view text);

}  // namespace nasfake
