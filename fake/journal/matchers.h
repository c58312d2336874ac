// GoogleTest matchers over journal entries, for tests that verify what a
// client sent. Every failure explanation shows the recorded request(s) as
// DebugString prints them (method, target, body, status, rule, action), so a
// failing test says what actually happened:
//
//   using namespace nasfake::journal;
//   auto entries = server->journal().Entries();
//   EXPECT_THAT(entries, Contains(AllOf(HasOperation("nasJobs.cancel"), HasBody(IsEmpty())))
//                            .Times(1));
//   EXPECT_THAT(entries, ContainsExactlyOnce(IsRequest("POST", EndsWith(":cancel"))));
//   EXPECT_THAT(entries, NoRequestsAfter(AllOf(HasOperation("nasJobs.get"),
//                                              HasResponseBody(HasSubstr("CANCELLED")))));
//   EXPECT_THAT(server->journal().WaitFor(cond, 5s, "2 GETs"), IsMet());
//
// Entry matchers are Matcher<const Entry&>; their arguments are matchers or
// plain values (a value means "equal to"). They compose with AllOf, AnyOf,
// Not, Contains(…).Times(n), Each, ElementsAre, …
#pragma once

#include <gmock/gmock.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "fake/glob.h"
#include "fake/journal/journal.h"

namespace nasfake::journal {
namespace matchers_internal {

// How many entries an explanation lists, and how many bytes of a field value
// it shows.
inline constexpr size_t kListedEntries = 30;
inline constexpr size_t kShownBytes = 200;

inline std::string Show(const std::string& value) {
  if (value.size() <= kShownBytes) return ::testing::PrintToString(value);
  return ::testing::PrintToString(value.substr(0, kShownBytes)) + "…(+" +
         std::to_string(value.size() - kShownBytes) + " bytes)";
}
inline std::string Show(int value) { return std::to_string(value); }

// "#1 GET …; #2 POST …", at most kListedEntries of them.
template <typename Entries>
std::string List(const Entries& entries) {
  std::string out;
  size_t n = 0;
  for (const auto& entry : entries) {
    const Entry& e = entry;
    if (n == kListedEntries) {
      out += "; …";
      break;
    }
    out += (n++ == 0 ? "" : "; ") + DebugString(e);
  }
  return out;
}

// One condition on an entry: a phrase for the description ("whose method is
// equal to \"GET\"") and a test that can say what it saw ("its method is
// \"POST\"").
struct Check {
  std::function<void(std::ostream*)> describe;
  std::function<bool(const Entry&, std::ostream* why)> match;  // `why` may be null
};

template <typename T, typename Get>
Check FieldCheck(const std::string& name, Get get, ::testing::Matcher<const T&> matcher) {
  return Check{[name, matcher](std::ostream* os) {
                 *os << "whose " << name << " ";
                 matcher.DescribeTo(os);
               },
               [name, get, matcher](const Entry& e, std::ostream* why) {
                 const T& value = get(e);
                 if (why == nullptr) return matcher.Matches(value);
                 ::testing::StringMatchResultListener inner;
                 const bool ok = matcher.MatchAndExplain(value, &inner);
                 *why << "its " << name << " is " << Show(value);
                 if (!inner.str().empty()) *why << ", " << inner.str();
                 return ok;
               }};
}

// An entry matcher made of checks that must all pass. The explanation shows
// the entry, then the checks that failed (or, on a match, all of them).
class EntryMatcher : public ::testing::MatcherInterface<const Entry&> {
 public:
  explicit EntryMatcher(std::vector<Check> checks) : checks_(std::move(checks)) {}

  bool MatchAndExplain(const Entry& e, ::testing::MatchResultListener* listener) const override {
    if (!listener->IsInterested()) {
      for (const Check& check : checks_) {
        if (!check.match(e, nullptr)) return false;
      }
      return true;
    }
    std::vector<std::string> passed, failed;
    for (const Check& check : checks_) {
      std::ostringstream why;
      (check.match(e, &why) ? passed : failed).push_back(why.str());
    }
    const bool ok = failed.empty();
    *listener << "which is " << DebugString(e) << (ok ? ", where " : ", but ");
    const auto& reasons = ok ? passed : failed;
    for (size_t i = 0; i < reasons.size(); ++i) *listener << (i == 0 ? "" : " and ") << reasons[i];
    return ok;
  }
  void DescribeTo(std::ostream* os) const override {
    *os << "is ";
    Describe(os);
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "is not ";
    Describe(os);
  }

 private:
  void Describe(std::ostream* os) const {
    *os << "a request ";
    for (size_t i = 0; i < checks_.size(); ++i) {
      if (i != 0) *os << " and ";
      checks_[i].describe(os);
    }
  }

  std::vector<Check> checks_;
};

inline ::testing::Matcher<const Entry&> Make(std::vector<Check> checks) {
  return ::testing::MakeMatcher(new EntryMatcher(std::move(checks)));
}

template <typename M>
::testing::Matcher<const std::string&> StringMatcher(M&& m) {
  return ::testing::SafeMatcherCast<const std::string&>(std::forward<M>(m));
}

template <std::string Entry::*field>
const std::string& Get(const Entry& e) {
  return e.*field;
}

class GlobMatcher : public ::testing::MatcherInterface<const std::string&> {
 public:
  explicit GlobMatcher(std::string pattern) : pattern_(std::move(pattern)) {}
  bool MatchAndExplain(const std::string& text, ::testing::MatchResultListener*) const override {
    return GlobMatch(pattern_, text);
  }
  void DescribeTo(std::ostream* os) const override {
    *os << "matches the glob " << ::testing::PrintToString(pattern_);
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "doesn't match the glob " << ::testing::PrintToString(pattern_);
  }

 private:
  std::string pattern_;
};

// The polymorphic implementation of CountIs over any range of entries.
class CountIsMatcher {
 public:
  CountIsMatcher(::testing::Matcher<const Entry&> matcher, ::testing::Matcher<size_t> count)
      : matcher_(std::move(matcher)), count_(std::move(count)) {}

  template <typename Entries>
  bool MatchAndExplain(const Entries& entries, ::testing::MatchResultListener* listener) const {
    std::vector<std::reference_wrapper<const Entry>> hits;
    size_t total = 0;
    for (const auto& entry : entries) {
      const Entry& e = entry;
      ++total;
      if (matcher_.Matches(e)) hits.emplace_back(e);
    }
    ::testing::StringMatchResultListener inner;
    const bool ok = count_.MatchAndExplain(hits.size(), &inner);
    if (!listener->IsInterested()) return ok;
    if (hits.empty()) {
      *listener << "no request matches";
      if (total == 0) {
        *listener << ", and there are no requests";
      } else {
        *listener << "; the " << total << (total == 1 ? " request is: " : " requests are: ")
                  << List(entries);
      }
    } else {
      *listener << hits.size() << (hits.size() == 1 ? " request matches: " : " requests match: ")
                << List(hits);
    }
    if (!inner.str().empty()) *listener << " (" << inner.str() << ")";
    return ok;
  }
  void DescribeTo(std::ostream* os) const {
    *os << "has N requests that ";
    matcher_.DescribeTo(os);
    *os << ", where N ";
    count_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "doesn't have N requests that ";
    matcher_.DescribeTo(os);
    *os << ", where N ";
    count_.DescribeTo(os);
  }

 private:
  ::testing::Matcher<const Entry&> matcher_;
  ::testing::Matcher<size_t> count_;
};

// The polymorphic implementation of NoRequestsAfter over any range of entries.
class NoRequestsAfterMatcher {
 public:
  explicit NoRequestsAfterMatcher(::testing::Matcher<const Entry&> matcher)
      : matcher_(std::move(matcher)) {}

  template <typename Entries>
  bool MatchAndExplain(const Entries& entries, ::testing::MatchResultListener* listener) const {
    const Entry* first = nullptr;
    std::vector<std::reference_wrapper<const Entry>> after;
    size_t total = 0;
    for (const auto& entry : entries) {
      const Entry& e = entry;
      ++total;
      if (first != nullptr) {
        after.emplace_back(e);
      } else if (matcher_.Matches(e)) {
        first = &e;
      }
    }
    if (first == nullptr) {
      *listener << "no request matches, so nothing can be said to follow it";
      if (total == 0) {
        *listener << "; there are no requests";
      } else {
        *listener << "; the requests are: " << List(entries);
      }
      return false;
    }
    if (after.empty()) {
      *listener << "nothing follows " << DebugString(*first);
      return true;
    }
    *listener << DebugString(*first) << " is followed by " << after.size()
              << (after.size() == 1 ? " request: " : " requests: ") << List(after);
    return false;
  }
  void DescribeTo(std::ostream* os) const {
    *os << "has a request that ";
    matcher_.DescribeTo(os);
    *os << ", and no request after the first such";
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "has no request that ";
    matcher_.DescribeTo(os);
    *os << ", or has requests after the first such";
  }

 private:
  ::testing::Matcher<const Entry&> matcher_;
};

class IsMetMatcher : public ::testing::MatcherInterface<const WaitResult&> {
 public:
  bool MatchAndExplain(const WaitResult& result,
                       ::testing::MatchResultListener* listener) const override {
    *listener << "whose reason is: " << result.reason;
    return result.met;
  }
  void DescribeTo(std::ostream* os) const override { *os << "is a wait whose condition was met"; }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "is a wait whose condition was not met";
  }
};

}  // namespace matchers_internal

// ---- Entry matchers: each is a ::testing::Matcher<const Entry&>. ----

// The request's method and raw target (query included).
//   IsRequest("GET", "/v1/projects/p/locations/l/nasJobs/1")
//   IsRequest("POST", EndsWith(":cancel"))
template <typename MethodMatcher, typename TargetMatcher>
::testing::Matcher<const Entry&> IsRequest(MethodMatcher&& method, TargetMatcher&& target) {
  using namespace matchers_internal;
  return Make({FieldCheck<std::string>("method", Get<&Entry::method>,
                                       StringMatcher(std::forward<MethodMatcher>(method))),
               FieldCheck<std::string>("target", Get<&Entry::target>,
                                       StringMatcher(std::forward<TargetMatcher>(target)))});
}

template <typename M>
::testing::Matcher<const Entry&> HasMethod(M&& m) {
  using namespace matchers_internal;
  return Make(
      {FieldCheck<std::string>("method", Get<&Entry::method>, StringMatcher(std::forward<M>(m)))});
}

template <typename M>
::testing::Matcher<const Entry&> HasTarget(M&& m) {
  using namespace matchers_internal;
  return Make(
      {FieldCheck<std::string>("target", Get<&Entry::target>, StringMatcher(std::forward<M>(m)))});
}

// The REST method the router resolved: "nasJobs.cancel", "operations.get", …
// ("" when no HTTP rule matched).
template <typename M>
::testing::Matcher<const Entry&> HasOperation(M&& m) {
  using namespace matchers_internal;
  return Make({FieldCheck<std::string>("operation", Get<&Entry::operation>,
                                       StringMatcher(std::forward<M>(m)))});
}

// A string matcher for globs where '*' matches any run of characters ('/'
// included), the same globs the scenario engine and control API take.
inline ::testing::Matcher<const std::string&> MatchesGlob(std::string pattern) {
  return ::testing::MakeMatcher(new matchers_internal::GlobMatcher(std::move(pattern)));
}

// The resource the request names. A string is a glob (MatchesGlob):
//   HasResource("projects/*/locations/*/nasJobs/1")
// anything else a string matcher: HasResource(EndsWith("/nasJobs/1")).
inline ::testing::Matcher<const Entry&> HasResource(std::string glob) {
  using namespace matchers_internal;
  return Make(
      {FieldCheck<std::string>("resource", Get<&Entry::resource>, MatchesGlob(std::move(glob)))});
}
template <typename M>
requires(!std::is_convertible_v<const std::remove_cvref_t<M>&, std::string_view>)::testing::Matcher<
    const Entry&> HasResource(M&& m) {
  using namespace matchers_internal;
  return Make({FieldCheck<std::string>("resource", Get<&Entry::resource>,
                                       StringMatcher(std::forward<M>(m)))});
}

// The request body as recorded (cut to kMaxBodyBytes).
template <typename M>
::testing::Matcher<const Entry&> HasBody(M&& m) {
  using namespace matchers_internal;
  return Make(
      {FieldCheck<std::string>("body", Get<&Entry::body>, StringMatcher(std::forward<M>(m)))});
}

// The value of request header `name` (any case); a repeated header's values
// joined with ", ". An absent header never matches.
template <typename M>
::testing::Matcher<const Entry&> HasHeader(const std::string& name, M&& m) {
  using namespace matchers_internal;
  ::testing::Matcher<const std::string&> value = StringMatcher(std::forward<M>(m));
  return Make({Check{[name, value](std::ostream* os) {
                       *os << "whose header " << ::testing::PrintToString(name) << " ";
                       value.DescribeTo(os);
                     },
                     [name, value](const Entry& e, std::ostream* why) {
                       std::optional<std::string> joined;
                       for (const auto& [key, v] : e.headers) {
                         if (key.size() == name.size() &&
                             std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
                               return std::tolower(static_cast<unsigned char>(a)) ==
                                      std::tolower(static_cast<unsigned char>(b));
                             })) {
                           joined = joined ? *joined + ", " + v : v;
                         }
                       }
                       if (!joined) {
                         if (why != nullptr)
                           *why << "it has no header " << ::testing::PrintToString(name);
                         return false;
                       }
                       if (why == nullptr) return value.Matches(*joined);
                       ::testing::StringMatchResultListener inner;
                       const bool ok = value.MatchAndExplain(*joined, &inner);
                       *why << "its header " << ::testing::PrintToString(name) << " is "
                            << Show(*joined);
                       if (!inner.str().empty()) *why << ", " << inner.str();
                       return ok;
                     }}});
}

// Whether Complete has recorded the outcome. The outcome matchers below
// (status, rule, action, response body) match only completed entries.
inline ::testing::Matcher<const Entry&> IsCompleted() {
  using namespace matchers_internal;
  return Make({Check{[](std::ostream* os) { *os << "that is completed"; },
                     [](const Entry& e, std::ostream* why) {
                       if (why != nullptr) *why << (e.completed ? "it is" : "it is not yet");
                       if (why != nullptr) *why << " completed";
                       return e.completed;
                     }}});
}

namespace matchers_internal {

// An outcome check: a pending entry fails it, saying so.
template <typename T, typename Get>
Check OutcomeCheck(const std::string& name, Get get, ::testing::Matcher<const T&> matcher) {
  Check field = FieldCheck<T>(name, get, std::move(matcher));
  return Check{field.describe, [field](const Entry& e, std::ostream* why) {
                 if (!e.completed) {
                   if (why != nullptr) *why << "it is not completed yet (no outcome)";
                   return false;
                 }
                 return field.match(e, why);
               }};
}

}  // namespace matchers_internal

// The HTTP status sent (0 when a fault sent none): HasStatus(200), HasStatus(Ge(400)).
template <typename M>
::testing::Matcher<const Entry&> HasStatus(M&& m) {
  using namespace matchers_internal;
  return Make({OutcomeCheck<int>(
      "status", [](const Entry& e) -> const int& { return e.status; },
      ::testing::SafeMatcherCast<const int&>(std::forward<M>(m)))});
}

// What the fake did: "pass", "answer", "fault:reset", … (HasAction(StartsWith("fault:"))).
template <typename M>
::testing::Matcher<const Entry&> HasAction(M&& m) {
  using namespace matchers_internal;
  return Make({OutcomeCheck<std::string>("action", Get<&Entry::action>,
                                         StringMatcher(std::forward<M>(m)))});
}

// The scenario rule that matched ("" for none).
template <typename M>
::testing::Matcher<const Entry&> HasRule(M&& m) {
  using namespace matchers_internal;
  return Make(
      {OutcomeCheck<std::string>("rule", Get<&Entry::rule>, StringMatcher(std::forward<M>(m)))});
}

// The response body as recorded (cut to kMaxBodyBytes).
template <typename M>
::testing::Matcher<const Entry&> HasResponseBody(M&& m) {
  using namespace matchers_internal;
  return Make({OutcomeCheck<std::string>("response body", Get<&Entry::response_body>,
                                         StringMatcher(std::forward<M>(m)))});
}

// ---- Matchers over a range of entries (Journal::Entries(), RequestsAfter…). ----

// The number of entries matching `m` satisfies `count` (a number or a
// Matcher<size_t>). Unlike Contains(m).Times(n), the explanation lists the
// entries that matched, or every entry when none did.
template <typename M, typename CountMatcher>
auto CountIs(M&& m, CountMatcher&& count) {
  return ::testing::MakePolymorphicMatcher(matchers_internal::CountIsMatcher(
      ::testing::SafeMatcherCast<const Entry&>(std::forward<M>(m)),
      ::testing::SafeMatcherCast<size_t>(std::forward<CountMatcher>(count))));
}

// Exactly one entry matches `m`.
template <typename M>
auto ContainsExactlyOnce(M&& m) {
  return CountIs(std::forward<M>(m), size_t{1});
}

// Some entry matches `m`, and no entry follows the first that does (so "no
// request followed the terminal GET"). Fails when no entry matches `m`.
template <typename M>
auto NoRequestsAfter(M&& m) {
  return ::testing::MakePolymorphicMatcher(matchers_internal::NoRequestsAfterMatcher(
      ::testing::SafeMatcherCast<const Entry&>(std::forward<M>(m))));
}

// The entries after the first one matching `m`, oldest first; empty when none
// follows it AND when none matches (so pair an IsEmpty() check with a
// Contains(m) check, or use NoRequestsAfter(m), which tells the two apart).
template <typename Entries, typename M>
std::vector<Entry> RequestsAfter(const Entries& entries, M&& m) {
  const ::testing::Matcher<const Entry&> matcher =
      ::testing::SafeMatcherCast<const Entry&>(std::forward<M>(m));
  std::vector<Entry> after;
  bool found = false;
  for (const auto& entry : entries) {
    const Entry& e = entry;
    if (found) {
      after.push_back(e);
    } else {
      found = matcher.Matches(e);
    }
  }
  return after;
}

// ---- WaitResult ----

// The wait's condition was met; otherwise the explanation is its reason.
//   EXPECT_THAT(journal.WaitFor(cond, 5s, "a cancel"), IsMet());
inline ::testing::Matcher<const WaitResult&> IsMet() {
  return ::testing::MakeMatcher(new matchers_internal::IsMetMatcher());
}

}  // namespace nasfake::journal
