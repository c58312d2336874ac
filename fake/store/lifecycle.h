// How a NasJob moves through its states (reference §3), as pure functions of
// the job, its runtime bookkeeping and the current time.
//
//   QUEUED ─queued_for─► PENDING ─pending_for─► RUNNING ─running_for─► outcome
//      └──────────┬──────────┴─────────────────────┘      (SUCCEEDED or FAILED)
//              cancel
//                 ▼
//            CANCELLING ─cancelling_for (or cancelling_polls reads)─► CANCELLED
//                 └─ the natural end, if due first ─► outcome
//
// With CancelEffect::kFinishesFirst the cancel loses the race: the call
// succeeds but the job keeps its state and ends with `outcome` when the
// cancellation would have taken effect (or earlier, at its natural end).
//
// A transition is stamped with the exact time it was due, not the time it was
// noticed, so every timestamp is a pure function of the settings and the
// calls made: with a virtual clock, runs are reproducible to the microsecond.
#pragma once

#include <optional>

#include "fake/model/nas_job.h"
#include "fake/status.h"

namespace nasfake::store {

struct LifecycleSettings {
  using Duration = model::Duration;
  // How long each state lasts; nullopt: until a test moves the job (ForceState).
  // Defaults resemble a real NAS job: RUNNING within 1.5 s, then hours of work;
  // cancellation takes effect within a second.
  std::optional<Duration> queued_for = std::chrono::milliseconds(500);
  std::optional<Duration> pending_for = std::chrono::seconds(1);
  std::optional<Duration> running_for = std::chrono::hours(4);
  std::optional<Duration> cancelling_for = std::chrono::seconds(1);
  // When > 0, cancellation takes effect at a read (GET) instead of after
  // cancelling_for: the Nth read after the cancel (N = cancelling_polls) sees
  // the final state, the reads before it see the job unfinished. (The same
  // rule as OperationStore::SetDeletePollsUntilDone.)
  int cancelling_polls = 0;
  // How the job ends when it is not cancelled: JOB_STATE_SUCCEEDED or JOB_STATE_FAILED.
  model::JobState outcome = model::JobState::kSucceeded;
  // The job's `error` when the outcome is FAILED.
  model::RpcStatus failure_error{
      9, "NasJob failed: search trials failed, which reached maxFailedTrialCount."};
  // What a cancel does: kCancels moves the job to CANCELLING, then CANCELLED;
  // kFinishesFirst makes the cancel lose the race: the job stays as it is and
  // ends with `outcome` instead.
  enum class CancelEffect { kCancels, kFinishesFirst };
  CancelEffect cancel_effect = CancelEffect::kCancels;

  friend bool operator==(const LifecycleSettings&, const LifecycleSettings&) = default;
};

// Per-job bookkeeping the lifecycle needs beyond the NasJob itself.
struct JobRuntime {
  LifecycleSettings settings;
  model::Timestamp state_since{};                       // when the current state was entered
  std::optional<model::Timestamp> natural_end;          // when RUNNING work completes
  std::optional<model::Timestamp> cancel_requested_at;  // the first accepted cancel
  int reads_since_cancel = 0;                           // GETs seen since then
  model::Timestamp settings_since{};                    // when `settings` last changed
};

// A job just created at `now`: QUEUED, createTime = updateTime = now.
void StartNew(model::NasJob& job, JobRuntime& runtime, model::Timestamp now);
// A job seeded in whatever state it has: its current state is taken to have
// begun at `now` (a seeded RUNNING job runs for running_for from now).
void StartSeeded(model::NasJob& job, JobRuntime& runtime, model::Timestamp now);

// Applies every transition due at or before `now`. Returns true if the job
// changed. A transition is stamped when it was due, but never before the
// current state began nor before the settings last changed (new settings can
// make a transition overdue; it happens when they are set), so timestamps
// never go backwards.
bool CatchUp(model::NasJob& job, JobRuntime& runtime, model::Timestamp now);

// Counts one read of the job (after CatchUp); may complete a poll-based
// cancellation, stamped `now`. Returns true if the job changed.
bool CountRead(model::NasJob& job, JobRuntime& runtime, model::Timestamp now);

// nasJobs.cancel. errors::NasJobCannotBeCancelled for a job in a terminal
// state; a job already cancelled once is left as it is (OK); otherwise the
// cancel is accepted (see CancelEffect).
Status RequestCancel(model::NasJob& job, JobRuntime& runtime, model::Timestamp now);

// Moves the job to `state` at `now` with the bookkeeping of a real transition
// (startTime on first RUNNING, endTime and `error` on terminal states). A job
// forced out of a terminal state starts afresh: startTime, endTime, `error`
// and any earlier cancel are cleared.
void ForceState(model::NasJob& job, JobRuntime& runtime, model::JobState state,
                model::Timestamp now);

}  // namespace nasfake::store
