// GoogleTest printers and matchers for Status and StatusOr, in the manner of
// google-cloud-cpp's testing_util: a failing check says which part of the
// status mismatched (code or message) and shows the whole status.
//
//   #include "fake/testing/status_matchers.h"
//   using ::nasfake::testing::IsOk;
//   using ::nasfake::testing::IsOkAndHolds;
//   using ::nasfake::testing::StatusIs;
//
//   ASSERT_THAT(server->LoadScenario(scenario), IsOk());
//   EXPECT_THAT(store.Get(name), StatusIs(StatusCode::kNotFound));
//   EXPECT_THAT(ParseScenario(text),
//               StatusIs(StatusCode::kInvalidArgument, HasSubstr("rules[0]")));
//   EXPECT_THAT(ParseCount("3"), IsOkAndHolds(3));
//
// Each matcher takes a Status or a StatusOr<T> (IsOkAndHolds: a StatusOr<T>).
// StatusIs's code argument is a StatusCode or a Matcher<StatusCode>; its
// message argument a string or a Matcher<const std::string&>.
//
// Header-only; needs GoogleTest and GoogleMock (installed with the package
// for consumers, like fake/journal/matchers.h). Include it in every test file
// that prints a Status, so gtest prints them the same way everywhere.
#pragma once

#include <gmock/gmock.h>

#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include "fake/status.h"

namespace nasfake {

// gtest printers, found by argument-dependent lookup.
//   StatusCode:  NOT_FOUND
//   Status:      OK  |  INVALID_ARGUMENT: message [{"@type":…}, …]
//                (the details, as JSON, only when there are any)
//   StatusOr<T>: OK: <the value, as gtest prints it>  |  the status as above
inline void PrintTo(StatusCode code, std::ostream* os) { *os << StatusCodeName(code); }

inline void PrintTo(const Status& status, std::ostream* os) {
  *os << StatusCodeName(status.code());
  if (status.ok() && status.message().empty()) return;
  *os << ": " << status.message();
  if (!status.details().is_array() || !status.details().empty()) {
    *os << " " << status.details().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

template <typename T>
void PrintTo(const StatusOr<T>& status_or, std::ostream* os) {
  if (!status_or.ok()) return PrintTo(status_or.status(), os);
  *os << "OK: ";
  ::testing::internal::UniversalPrint(status_or.value(), os);
}

namespace testing {
namespace status_matchers_internal {

inline const Status& GetStatus(const Status& status) { return status; }
template <typename T>
const Status& GetStatus(const StatusOr<T>& status_or) {
  return status_or.status();
}

inline std::string Print(const Status& status) { return ::testing::PrintToString(status); }

template <typename M>
std::string Describe(const M& matcher) {
  std::ostringstream os;
  matcher.DescribeTo(&os);
  return os.str();
}

class IsOkMatcher {
 public:
  template <typename T>
  bool MatchAndExplain(const T& value, ::testing::MatchResultListener* listener) const {
    const Status& status = GetStatus(value);
    if (status.ok()) {
      *listener << "which is OK";
      return true;
    }
    *listener << "which is not OK: " << Print(status);
    return false;
  }
  void DescribeTo(std::ostream* os) const { *os << "is OK"; }
  void DescribeNegationTo(std::ostream* os) const { *os << "is not OK"; }
};

class StatusIsMatcher {
 public:
  // Without a message matcher, any message matches (a plain flag rather than
  // an optional Matcher: g++ 12 at -O2 under TSan warns that an optional
  // Matcher's copy reads uninitialised bytes, which -Werror makes fatal).
  explicit StatusIsMatcher(::testing::Matcher<StatusCode> code)
      : code_(std::move(code)), message_(::testing::_), has_message_(false) {}
  StatusIsMatcher(::testing::Matcher<StatusCode> code,
                  ::testing::Matcher<const std::string&> message)
      : code_(std::move(code)), message_(std::move(message)), has_message_(true) {}

  // Explains each part that mismatched, with what was wanted, then the
  // whole status:
  //   whose code NOT_FOUND doesn't match (want: is equal to INVALID_ARGUMENT);
  //   the status is NOT_FOUND: no job "x"
  template <typename T>
  bool MatchAndExplain(const T& value, ::testing::MatchResultListener* listener) const {
    const Status& status = GetStatus(value);
    std::string why;
    const bool code_ok = code_.Matches(status.code());
    if (!code_ok) {
      why += "whose code " + ::testing::PrintToString(status.code()) +
             " doesn't match (want: " + Describe(code_) + ")";
    }
    bool message_ok = true;
    if (has_message_) {
      ::testing::StringMatchResultListener inner;
      message_ok = message_.MatchAndExplain(status.message(), &inner);
      if (!message_ok) {
        why += std::string(why.empty() ? "" : ", and ") + "whose message " +
               ::testing::PrintToString(status.message()) +
               " doesn't match (want: " + Describe(message_) + ")";
        if (!inner.str().empty()) why += ", " + inner.str();
      }
    }
    if (code_ok && message_ok)
      why = has_message_ ? "whose code and message match" : "whose code matches";
    *listener << why << "; the status is " << Print(status);
    return code_ok && message_ok;
  }
  void DescribeTo(std::ostream* os) const {
    *os << "has a status whose code ";
    code_.DescribeTo(os);
    if (has_message_) {
      *os << " and whose message ";
      message_.DescribeTo(os);
    }
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "has a status whose code ";
    code_.DescribeNegationTo(os);
    if (has_message_) {
      *os << " or whose message ";
      message_.DescribeNegationTo(os);
    }
  }

 private:
  ::testing::Matcher<StatusCode> code_;
  ::testing::Matcher<const std::string&> message_;
  bool has_message_;
};

template <typename StatusOrType>
class IsOkAndHoldsImpl : public ::testing::MatcherInterface<StatusOrType> {
 public:
  using Value = std::remove_cvref_t<
      decltype(std::declval<const std::remove_cvref_t<StatusOrType>&>().value())>;

  template <typename InnerMatcher>
  explicit IsOkAndHoldsImpl(InnerMatcher&& inner)
      : inner_(::testing::SafeMatcherCast<const Value&>(std::forward<InnerMatcher>(inner))) {}

  bool MatchAndExplain(StatusOrType status_or,
                       ::testing::MatchResultListener* listener) const override {
    if (!status_or.ok()) {
      *listener << "which is not OK: " << Print(status_or.status());
      return false;
    }
    ::testing::StringMatchResultListener inner;
    const bool matched = inner_.MatchAndExplain(status_or.value(), &inner);
    *listener << "which is OK and holds " << ::testing::PrintToString(status_or.value());
    if (!inner.str().empty()) *listener << ", " << inner.str();
    return matched;
  }
  void DescribeTo(std::ostream* os) const override {
    *os << "is OK and holds a value that ";
    inner_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "is not OK or holds a value that ";
    inner_.DescribeNegationTo(os);
  }

 private:
  ::testing::Matcher<const Value&> inner_;
};

template <typename InnerMatcher>
class IsOkAndHoldsMatcher {
 public:
  explicit IsOkAndHoldsMatcher(InnerMatcher inner) : inner_(std::move(inner)) {}
  template <typename StatusOrType>
  operator ::testing::Matcher<StatusOrType>() const {  // NOLINT: converts by design
    return ::testing::Matcher<StatusOrType>(
        new IsOkAndHoldsImpl<const std::remove_cvref_t<StatusOrType>&>(inner_));
  }

 private:
  InnerMatcher inner_;
};

}  // namespace status_matchers_internal

// The Status (or the StatusOr's status) is OK.
inline ::testing::PolymorphicMatcher<status_matchers_internal::IsOkMatcher> IsOk() {
  return ::testing::MakePolymorphicMatcher(status_matchers_internal::IsOkMatcher());
}

// The status's code matches `code` (any message).
template <typename CodeMatcher>
::testing::PolymorphicMatcher<status_matchers_internal::StatusIsMatcher> StatusIs(
    CodeMatcher&& code) {
  return ::testing::MakePolymorphicMatcher(status_matchers_internal::StatusIsMatcher(
      ::testing::MatcherCast<StatusCode>(std::forward<CodeMatcher>(code))));
}

// The status's code matches `code` and its message matches `message`.
template <typename CodeMatcher, typename MessageMatcher>
::testing::PolymorphicMatcher<status_matchers_internal::StatusIsMatcher> StatusIs(
    CodeMatcher&& code, MessageMatcher&& message) {
  return ::testing::MakePolymorphicMatcher(status_matchers_internal::StatusIsMatcher(
      ::testing::MatcherCast<StatusCode>(std::forward<CodeMatcher>(code)),
      ::testing::MatcherCast<const std::string&>(std::forward<MessageMatcher>(message))));
}

// The StatusOr is OK and its value matches `value` (a matcher or a value).
template <typename ValueMatcher>
status_matchers_internal::IsOkAndHoldsMatcher<std::decay_t<ValueMatcher>> IsOkAndHolds(
    ValueMatcher&& value) {
  return status_matchers_internal::IsOkAndHoldsMatcher<std::decay_t<ValueMatcher>>(
      std::forward<ValueMatcher>(value));
}

}  // namespace testing
}  // namespace nasfake
