#include "fake/store/lifecycle.h"

#include <algorithm>

#include "fake/errors.h"

namespace nasfake::store {
namespace {

using model::JobState;
using model::Timestamp;

constexpr int kCancelledCode = 1;  // google.rpc.Code.CANCELLED

void Enter(model::NasJob& job, JobRuntime& rt, JobState state, Timestamp t) {
  job.state = state;
  job.update_time = t;
  rt.state_since = t;
  if (state == JobState::kRunning && !job.start_time) {
    job.start_time = t;
    if (rt.settings.running_for) rt.natural_end = t + *rt.settings.running_for;
  }
  if (model::IsTerminal(state)) {
    job.end_time = t;
    rt.natural_end.reset();
    if (state == JobState::kCancelled) {
      job.error = model::RpcStatus{kCancelledCode, "CANCELED"};
    } else if (state == JobState::kFailed) {
      job.error = rt.settings.failure_error;
    } else {
      job.error.reset();
    }
  }
}

// Where an accepted cancel leads.
JobState CancelEnd(const LifecycleSettings& s) {
  return s.cancel_effect == LifecycleSettings::CancelEffect::kCancels ? JobState::kCancelled
                                                                      : s.outcome;
}

struct Transition {
  Timestamp at;
  JobState to;
};

void Consider(std::optional<Transition>& best, Transition candidate) {
  if (!best || candidate.at < best->at) best = candidate;
}

std::optional<Transition> Next(const model::NasJob& job, const JobRuntime& rt) {
  const auto& s = rt.settings;
  if (model::IsTerminal(job.state)) return std::nullopt;
  std::optional<Transition> next;
  // A time-based cancel resolution goes first, so it wins ties.
  if (rt.cancel_requested_at && s.cancelling_polls == 0 && s.cancelling_for) {
    next = Transition{*rt.cancel_requested_at + *s.cancelling_for, CancelEnd(s)};
  }
  switch (job.state) {
    case JobState::kQueued:
      if (s.queued_for) Consider(next, {rt.state_since + *s.queued_for, JobState::kPending});
      break;
    case JobState::kPending:
      if (s.pending_for) Consider(next, {rt.state_since + *s.pending_for, JobState::kRunning});
      break;
    case JobState::kRunning:
    case JobState::kCancelling:
      // The work may complete before the cancellation does.
      if (rt.natural_end) Consider(next, {*rt.natural_end, s.outcome});
      break;
    default:
      break;
  }
  return next;
}

}  // namespace

void StartNew(model::NasJob& job, JobRuntime& rt, Timestamp now) {
  rt.cancel_requested_at.reset();
  job.create_time = now;
  job.start_time.reset();
  job.end_time.reset();
  job.error.reset();
  Enter(job, rt, JobState::kQueued, now);
}

void StartSeeded(model::NasJob& job, JobRuntime& rt, Timestamp now) {
  if (job.state == JobState::kUnspecified) job.state = JobState::kQueued;
  if (!job.create_time) job.create_time = now;
  if (!job.update_time) job.update_time = job.create_time;
  rt.state_since = now;
  rt.natural_end.reset();
  rt.cancel_requested_at.reset();
  if (job.state == JobState::kCancelling) {
    rt.cancel_requested_at = now;  // a seeded CANCELLING job was cancelled just now
    rt.reads_since_cancel = 0;
  }
  bool working = job.state == JobState::kRunning ||
                 (job.state == JobState::kCancelling && job.start_time.has_value());
  if (working && rt.settings.running_for) rt.natural_end = now + *rt.settings.running_for;
  if (job.state == JobState::kRunning && !job.start_time) job.start_time = now;
}

bool CatchUp(model::NasJob& job, JobRuntime& rt, Timestamp now) {
  bool changed = false;
  // Each transition moves strictly forward through a finite graph; the bound
  // only guards against a cycle introduced by a future edit.
  for (int i = 0; i < 8; ++i) {
    auto next = Next(job, rt);
    if (!next || next->at > now) break;
    Enter(job, rt, next->to, std::max({next->at, rt.state_since, rt.settings_since}));
    changed = true;
  }
  return changed;
}

bool CountRead(model::NasJob& job, JobRuntime& rt, Timestamp now) {
  const auto& s = rt.settings;
  if (!rt.cancel_requested_at || s.cancelling_polls == 0 || model::IsTerminal(job.state)) {
    return false;
  }
  if (++rt.reads_since_cancel < s.cancelling_polls) return false;
  Enter(job, rt, CancelEnd(s), now);
  return true;
}

Status RequestCancel(model::NasJob& job, JobRuntime& rt, Timestamp now) {
  if (model::IsTerminal(job.state)) return errors::NasJobCannotBeCancelled(job.name, job.state);
  if (rt.cancel_requested_at) return Status();
  rt.cancel_requested_at = now;
  rt.reads_since_cancel = 0;
  if (rt.settings.cancel_effect == LifecycleSettings::CancelEffect::kCancels) {
    Enter(job, rt, JobState::kCancelling, now);
  }
  return Status();
}

void ForceState(model::NasJob& job, JobRuntime& rt, JobState state, Timestamp now) {
  if (model::IsTerminal(job.state) && !model::IsTerminal(state)) {
    // Forced out of a terminal state, the job starts afresh: no trace of how
    // it ended (endTime, error) or of an earlier start or cancel remains.
    job.start_time.reset();
    job.end_time.reset();
    job.error.reset();
    rt.natural_end.reset();
    rt.cancel_requested_at.reset();
    rt.reads_since_cancel = 0;
  }
  if (state == JobState::kCancelling && !rt.cancel_requested_at) {
    rt.cancel_requested_at = now;
    rt.reads_since_cancel = 0;
  }
  Enter(job, rt, state, now);
}

}  // namespace nasfake::store
