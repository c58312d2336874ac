// The API's enums, with their proto names and numbers.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string_view>

namespace nasfake::model {

// google.cloud.aiplatform.v1.JobState.
enum class JobState : int {
  kUnspecified = 0,
  kQueued = 1,
  kPending = 2,
  kRunning = 3,
  kSucceeded = 4,
  kFailed = 5,
  kCancelling = 6,
  kCancelled = 7,
  kPaused = 8,
  kExpired = 9,
  kUpdating = 10,
  kPartiallySucceeded = 11,
};

// NasTrial.State.
enum class TrialState : int {
  kUnspecified = 0,
  kRequested = 1,
  kActive = 2,
  kStopping = 3,
  kSucceeded = 4,
  kInfeasible = 5,
};

// NasJobSpec.MultiTrialAlgorithmSpec.MultiTrialAlgorithm.
enum class MultiTrialAlgorithm : int {
  kUnspecified = 0,
  kReinforcementLearning = 1,
  kGridSearch = 2,
};

// NasJobSpec.MultiTrialAlgorithmSpec.MetricSpec.GoalType.
enum class GoalType : int {
  kUnspecified = 0,
  kMaximize = 1,
  kMinimize = 2,
};

// The names of every value, indexed by number: {"JOB_STATE_UNSPECIFIED", ...}.
// Each enum has a traits specialisation so one template serves all four.
template <typename E>
struct EnumTraits;

template <>
struct EnumTraits<JobState> {
  static constexpr std::string_view kNames[] = {
      "JOB_STATE_UNSPECIFIED", "JOB_STATE_QUEUED",    "JOB_STATE_PENDING",
      "JOB_STATE_RUNNING",     "JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED",
      "JOB_STATE_CANCELLING",  "JOB_STATE_CANCELLED", "JOB_STATE_PAUSED",
      "JOB_STATE_EXPIRED",     "JOB_STATE_UPDATING",  "JOB_STATE_PARTIALLY_SUCCEEDED"};
};
template <>
struct EnumTraits<TrialState> {
  static constexpr std::string_view kNames[] = {"STATE_UNSPECIFIED", "REQUESTED", "ACTIVE",
                                                "STOPPING",          "SUCCEEDED", "INFEASIBLE"};
};
template <>
struct EnumTraits<MultiTrialAlgorithm> {
  static constexpr std::string_view kNames[] = {"MULTI_TRIAL_ALGORITHM_UNSPECIFIED",
                                                "REINFORCEMENT_LEARNING", "GRID_SEARCH"};
};
template <>
struct EnumTraits<GoalType> {
  static constexpr std::string_view kNames[] = {"GOAL_TYPE_UNSPECIFIED", "MAXIMIZE", "MINIMIZE"};
};

template <typename E>
constexpr std::string_view EnumName(E e) {
  auto i = static_cast<size_t>(e);
  constexpr auto& names = EnumTraits<E>::kNames;
  return i < std::size(names) ? names[i] : names[0];
}

// Accepts the value's name or its number; nullopt for anything else.
template <typename E>
std::optional<E> EnumFromName(std::string_view name) {
  constexpr auto& names = EnumTraits<E>::kNames;
  for (size_t i = 0; i < std::size(names); ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}
template <typename E>
std::optional<E> EnumFromNumber(long long n) {
  if (n < 0 || n >= static_cast<long long>(std::size(EnumTraits<E>::kNames))) return std::nullopt;
  return static_cast<E>(n);
}

// SUCCEEDED, FAILED, CANCELLED, EXPIRED and PARTIALLY_SUCCEEDED: no transition
// leaves these states. (The proto ties endTime to the first three; the other
// two are terminal for every published client.)
constexpr bool IsTerminal(JobState s) {
  return s == JobState::kSucceeded || s == JobState::kFailed || s == JobState::kCancelled ||
         s == JobState::kExpired || s == JobState::kPartiallySucceeded;
}

}  // namespace nasfake::model
