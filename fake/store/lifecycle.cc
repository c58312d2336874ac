#include "fake/store/lifecycle.h"

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
  rt.reads_in_state = 0;
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

JobState CancelledState(const LifecycleSettings& s) {
  return s.cancel_effect == LifecycleSettings::CancelEffect::kCancels ? JobState::kCancelled
                                                                      : s.outcome;
}

struct Transition {
  Timestamp at;
  JobState to;
};

std::optional<Transition> Next(const model::NasJob& job, const JobRuntime& rt) {
  const auto& s = rt.settings;
  switch (job.state) {
    case JobState::kQueued:
      if (s.queued_for) return Transition{rt.state_since + *s.queued_for, JobState::kPending};
      return std::nullopt;
    case JobState::kPending:
      if (s.pending_for) return Transition{rt.state_since + *s.pending_for, JobState::kRunning};
      return std::nullopt;
    case JobState::kRunning:
      if (rt.natural_end) return Transition{*rt.natural_end, s.outcome};
      return std::nullopt;
    case JobState::kCancelling: {
      std::optional<Transition> next;
      if (s.cancelling_polls == 0 && s.cancelling_for) {
        next = Transition{rt.state_since + *s.cancelling_for, CancelledState(s)};
      }
      // The work may complete before the cancellation does; on a tie, the
      // cancellation wins.
      if (rt.natural_end && (!next || *rt.natural_end < next->at)) {
        next = Transition{*rt.natural_end, s.outcome};
      }
      return next;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

void StartNew(model::NasJob& job, JobRuntime& rt, Timestamp now) {
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
  rt.reads_in_state = 0;
  rt.natural_end.reset();
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
    Enter(job, rt, next->to, next->at);
    changed = true;
  }
  return changed;
}

void CountRead(model::NasJob& job, JobRuntime& rt, Timestamp now) {
  const auto& s = rt.settings;
  if (job.state == JobState::kCancelling && s.cancelling_polls > 0 &&
      rt.reads_in_state >= s.cancelling_polls) {
    Enter(job, rt, CancelledState(s), now);
    return;
  }
  ++rt.reads_in_state;
}

Status RequestCancel(model::NasJob& job, JobRuntime& rt, Timestamp now) {
  if (model::IsTerminal(job.state)) {
    return errors::NasJobCannotBeCancelled(job.name, job.state);
  }
  if (job.state == JobState::kCancelling) return Status();
  Enter(job, rt, JobState::kCancelling, now);
  return Status();
}

void ForceState(model::NasJob& job, JobRuntime& rt, JobState state, Timestamp now) {
  Enter(job, rt, state, now);
}

}  // namespace nasfake::store
