// The ListNasJobs `filter` (reference §6, AIP-160 subset).
//
// Fields (snake_case or camelCase): display_name (=, !=, :), state (=, !=),
// create_time (=, !=, <, <=, >, >= against an RFC 3339 string), labels.KEY
// (=, != against a value; `labels.KEY:*` for presence; `labels:KEY` too).
// Values are quoted or bare words; `*` in a string equality is a wildcard.
// Operators AND, OR, NOT and `-`, parentheses; OR binds tighter than AND
// (`a AND b OR c` is `a AND (b OR c)`). Enum values compare by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fake/model/nas_job.h"
#include "fake/status.h"

namespace nasfake::api {

class ListFilter {
 public:
  struct Node;  // the parsed expression; opaque

  // The empty (or all-blank) text is the filter that matches every job.
  // Anything else that does not parse is errors::InvalidFilter, naming what is wrong.
  static StatusOr<ListFilter> Parse(std::string_view text);

  bool Matches(const model::NasJob& job) const;

 private:
  explicit ListFilter(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;  // null matches everything
};

}  // namespace nasfake::api
