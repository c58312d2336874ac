#include "fake/glob.h"

namespace nasfake {

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Cheap rejections first (most patterns a request is checked against do
  // not match it): the text must begin with the literal text before the first
  // '*' and end with the literal text after the last one.
  const size_t first_star = pattern.find('*');
  if (first_star == std::string_view::npos) return pattern == text;
  const std::string_view prefix = pattern.substr(0, first_star);
  const std::string_view suffix = pattern.substr(pattern.rfind('*') + 1);
  if (text.size() < prefix.size() + suffix.size() || !text.starts_with(prefix) ||
      !text.ends_with(suffix)) {
    return false;
  }
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace nasfake
