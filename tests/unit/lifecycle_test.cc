#include "fake/store/lifecycle.h"

#include <gtest/gtest.h>

#include "fake/model/json_mapping.h"
#include "fake/testing/status_matchers.h"

namespace nasfake::store {
namespace {

using model::JobState;
using model::NasJob;
using model::Timestamp;
using ::nasfake::testing::IsOk;
using ::nasfake::testing::StatusIs;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Timestamp kT0{std::chrono::microseconds{1767225600000000}};

class LifecycleTest : public ::testing::Test {
 protected:
  void Create(LifecycleSettings settings = {}) {
    runtime_.settings = settings;
    job_.name = "projects/1/locations/us-central1/nasJobs/1";
    StartNew(job_, runtime_, kT0);
  }
  void At(model::Duration since_t0) { CatchUp(job_, runtime_, kT0 + since_t0); }

  NasJob job_;
  JobRuntime runtime_;
};

TEST_F(LifecycleTest, NewJobIsQueuedWithCreateAndUpdateTime) {
  Create();
  EXPECT_EQ(job_.state, JobState::kQueued);
  EXPECT_EQ(job_.create_time, kT0);
  EXPECT_EQ(job_.update_time, kT0);
  EXPECT_FALSE(job_.start_time);
  EXPECT_FALSE(job_.end_time);
}

TEST_F(LifecycleTest, MovesThroughStatesAtTheirExactDueTimes) {
  Create();
  At(milliseconds(499));
  EXPECT_EQ(job_.state, JobState::kQueued);
  At(milliseconds(500));
  EXPECT_EQ(job_.state, JobState::kPending);
  EXPECT_EQ(job_.update_time, kT0 + milliseconds(500));
  // One catch-up far in the future applies every transition, each stamped
  // with its own due time, not the time it was noticed.
  At(std::chrono::hours(10));
  EXPECT_EQ(job_.state, JobState::kSucceeded);
  EXPECT_EQ(job_.start_time, kT0 + milliseconds(1500));
  EXPECT_EQ(job_.end_time, kT0 + milliseconds(1500) + std::chrono::hours(4));
  EXPECT_EQ(job_.update_time, job_.end_time);
  EXPECT_FALSE(job_.error);
}

TEST_F(LifecycleTest, FailedOutcomeCarriesTheConfiguredError) {
  LifecycleSettings settings;
  settings.outcome = JobState::kFailed;
  settings.running_for = seconds(10);
  Create(settings);
  At(seconds(20));
  EXPECT_EQ(job_.state, JobState::kFailed);
  ASSERT_TRUE(job_.error);
  EXPECT_EQ(job_.error->code, 9);
}

TEST_F(LifecycleTest, CancelWhileRunningGoesThroughCancellingToCancelled) {
  Create();
  At(seconds(2));
  ASSERT_EQ(job_.state, JobState::kRunning);
  ASSERT_THAT(RequestCancel(job_, runtime_, kT0 + seconds(2)), IsOk());
  EXPECT_EQ(job_.state, JobState::kCancelling);
  EXPECT_FALSE(job_.end_time);
  EXPECT_FALSE(job_.error);
  At(milliseconds(2999));
  EXPECT_EQ(job_.state, JobState::kCancelling);
  At(seconds(3));
  EXPECT_EQ(job_.state, JobState::kCancelled);
  EXPECT_EQ(job_.end_time, kT0 + seconds(3));
  ASSERT_TRUE(job_.error);
  EXPECT_EQ(job_.error->code, 1);
  EXPECT_EQ(job_.error->message, "CANCELED");
  EXPECT_EQ(job_.start_time, kT0 + milliseconds(1500));
}

TEST_F(LifecycleTest, CancelWhileQueuedNeverStarts) {
  Create();
  ASSERT_THAT(RequestCancel(job_, runtime_, kT0), IsOk());
  At(std::chrono::hours(10));
  EXPECT_EQ(job_.state, JobState::kCancelled);
  EXPECT_FALSE(job_.start_time);
}

TEST_F(LifecycleTest, WorkThatEndsBeforeCancellationTakesEffectWinsTheRace) {
  LifecycleSettings settings;
  settings.running_for = seconds(10);
  settings.cancelling_for = seconds(30);
  Create(settings);
  At(seconds(5));
  ASSERT_THAT(RequestCancel(job_, runtime_, kT0 + seconds(5)), IsOk());
  At(seconds(60));
  EXPECT_EQ(job_.state, JobState::kSucceeded);
  EXPECT_EQ(job_.end_time, kT0 + milliseconds(11500));
  EXPECT_FALSE(job_.error);
}

TEST_F(LifecycleTest, FinishesFirstEffectLeavesTheStateAndEndsWithTheOutcome) {
  LifecycleSettings settings;
  settings.cancel_effect = LifecycleSettings::CancelEffect::kFinishesFirst;
  Create(settings);
  At(seconds(2));
  ASSERT_THAT(RequestCancel(job_, runtime_, kT0 + seconds(2)), IsOk());
  EXPECT_EQ(job_.state, JobState::kRunning) << "a cancel that loses the race changes nothing";
  At(milliseconds(2999));
  EXPECT_EQ(job_.state, JobState::kRunning);
  At(seconds(3));
  EXPECT_EQ(job_.state, JobState::kSucceeded);
  EXPECT_EQ(job_.end_time, kT0 + seconds(3));
  EXPECT_FALSE(job_.error);
  EXPECT_THAT(RequestCancel(job_, runtime_, kT0 + seconds(4)), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(LifecycleTest, FinishesFirstByReadsEndsAtTheCountedRead) {
  LifecycleSettings settings;
  settings.cancel_effect = LifecycleSettings::CancelEffect::kFinishesFirst;
  settings.cancelling_polls = 2;
  settings.outcome = JobState::kFailed;
  Create(settings);
  At(seconds(2));
  ASSERT_THAT(RequestCancel(job_, runtime_, kT0 + seconds(2)), IsOk());
  CountRead(job_, runtime_, kT0 + seconds(3));
  EXPECT_EQ(job_.state, JobState::kRunning);
  CountRead(job_, runtime_, kT0 + seconds(4));
  EXPECT_EQ(job_.state, JobState::kFailed);
  EXPECT_EQ(job_.error->code, 9);
}

TEST_F(LifecycleTest, PollBasedCancellationEndsAtTheConfiguredRead) {
  LifecycleSettings settings;
  settings.cancelling_polls = 4;
  Create(settings);
  At(seconds(2));
  ASSERT_THAT(RequestCancel(job_, runtime_, kT0 + seconds(2)), IsOk());
  for (int read = 1; read <= 3; ++read) {
    At(std::chrono::minutes(read));  // time alone does not end it
    CountRead(job_, runtime_, kT0 + std::chrono::minutes(read));
    EXPECT_EQ(job_.state, JobState::kCancelling) << "read " << read;
  }
  CountRead(job_, runtime_, kT0 + std::chrono::minutes(4));
  EXPECT_EQ(job_.state, JobState::kCancelled);
  EXPECT_EQ(job_.end_time, kT0 + std::chrono::minutes(4));
}

TEST_F(LifecycleTest, CancelOfTerminalJobIsFailedPreconditionAndChangesNothing) {
  Create();
  At(std::chrono::hours(5));
  NasJob before = job_;
  EXPECT_THAT(RequestCancel(job_, runtime_, kT0 + std::chrono::hours(6)),
              StatusIs(StatusCode::kFailedPrecondition,
                       "The NasJob \"projects/1/locations/us-central1/nasJobs/1\" is in state "
                       "JOB_STATE_SUCCEEDED and cannot be canceled."));
  EXPECT_EQ(job_, before);
}

TEST_F(LifecycleTest, SecondCancelWhileCancellingIsANoOp) {
  Create();
  At(seconds(2));
  ASSERT_THAT(RequestCancel(job_, runtime_, kT0 + seconds(2)), IsOk());
  NasJob before = job_;
  EXPECT_THAT(RequestCancel(job_, runtime_, kT0 + milliseconds(2500)), IsOk());
  EXPECT_EQ(job_, before);
  At(seconds(3));
  EXPECT_EQ(job_.state, JobState::kCancelled);  // the first cancel's clock still rules
}

TEST_F(LifecycleTest, UnsetDurationHoldsTheStateUntilForced) {
  LifecycleSettings settings;
  settings.cancelling_for.reset();
  Create(settings);
  At(seconds(2));
  ASSERT_THAT(RequestCancel(job_, runtime_, kT0 + seconds(2)), IsOk());
  At(std::chrono::hours(1));
  EXPECT_EQ(job_.state, JobState::kCancelling);
  ForceState(job_, runtime_, JobState::kCancelled, kT0 + std::chrono::hours(1));
  EXPECT_EQ(job_.state, JobState::kCancelled);
  EXPECT_EQ(job_.error->code, 1);
  EXPECT_EQ(job_.end_time, kT0 + std::chrono::hours(1));
}

TEST_F(LifecycleTest, SeededRunningJobRunsForRunningForFromTheSeedTime) {
  job_.name = "projects/1/locations/us-central1/nasJobs/1";
  job_.state = JobState::kRunning;
  job_.create_time = job_.start_time = job_.update_time = Timestamp{};
  runtime_.settings.running_for = seconds(30);
  StartSeeded(job_, runtime_, kT0);
  At(seconds(29));
  EXPECT_EQ(job_.state, JobState::kRunning);
  At(seconds(30));
  EXPECT_EQ(job_.state, JobState::kSucceeded);
  EXPECT_EQ(job_.start_time, Timestamp{});  // seeded fields are kept
}

}  // namespace
}  // namespace nasfake::store
