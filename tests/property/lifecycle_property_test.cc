// Properties of job lifecycles under arbitrary sequences of calls and clock
// moves, checked on every job after every step.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "fake/store/job_store.h"

namespace nasfake::store {
namespace {

using model::JobState;
using model::NasJob;

const model::LocationName kParent{"123456789012", "us-central1"};

enum class Step { kCreate, kGet, kCancel, kAdvance, kDelete, kList };

void CheckInvariants(const NasJob& job) {
  bool terminal = model::IsTerminal(job.state);
  RC_ASSERT(job.end_time.has_value() == terminal);
  RC_ASSERT((job.state == JobState::kCancelled) == (job.error.has_value() && job.error->code == 1));
  RC_ASSERT(job.create_time.has_value());
  RC_ASSERT(job.update_time.has_value());
  RC_ASSERT(*job.update_time >= *job.create_time);
  if (job.start_time) RC_ASSERT(*job.start_time >= *job.create_time);
  if (job.start_time && job.end_time) RC_ASSERT(*job.start_time <= *job.end_time);
  if (job.end_time) RC_ASSERT(*job.end_time == *job.update_time);
}

RC_GTEST_PROP(LifecycleProperty, InvariantsHoldAndTerminalStatesAreAbsorbing, ()) {
  VirtualClock clock;
  JobStore store(clock, *rc::gen::arbitrary<uint64_t>());
  LifecycleSettings settings;
  settings.queued_for = std::chrono::milliseconds(*rc::gen::inRange(0, 3000));
  settings.pending_for = std::chrono::milliseconds(*rc::gen::inRange(0, 3000));
  settings.running_for = std::chrono::milliseconds(*rc::gen::inRange(1, 20000));
  settings.cancelling_for = std::chrono::milliseconds(*rc::gen::inRange(0, 5000));
  settings.cancelling_polls = *rc::gen::inRange(0, 3);
  settings.outcome = *rc::gen::element(JobState::kSucceeded, JobState::kFailed);
  settings.cancel_effect = *rc::gen::element(LifecycleSettings::CancelEffect::kCancels,
                                             LifecycleSettings::CancelEffect::kFinishesFirst);
  store.SetDefaultLifecycle(settings);

  std::map<std::string, NasJob> last_seen;  // live jobs, as last read
  std::vector<std::string> deleted;
  auto steps = *rc::gen::container<std::vector<Step>>(rc::gen::element(
      Step::kCreate, Step::kGet, Step::kCancel, Step::kAdvance, Step::kDelete, Step::kList));
  for (Step step : steps) {
    std::vector<std::string> names;
    for (const auto& [name, job] : last_seen) names.push_back(name);
    std::string target = names.empty() ? "" : *rc::gen::elementOf(names);
    switch (step) {
      case Step::kCreate: {
        NasJob job;
        job.display_name = "j";
        last_seen[store.Create(kParent, job).name] = {};
        break;
      }
      case Step::kGet:
        break;
      case Step::kCancel:
        if (!target.empty()) {
          Status s = store.Cancel(*model::ParseNasJobName(target));
          bool was_terminal = model::IsTerminal(store.Peek(*model::ParseNasJobName(target))->state);
          RC_ASSERT(s.ok() || (s.code() == StatusCode::kFailedPrecondition && was_terminal));
        }
        break;
      case Step::kAdvance:
        clock.Advance(std::chrono::milliseconds(*rc::gen::inRange(0, 10000)));
        break;
      case Step::kDelete:
        if (!target.empty()) {
          RC_ASSERT(store.Delete(*model::ParseNasJobName(target)).ok());
          last_seen.erase(target);
          deleted.push_back(target);
        }
        break;
      case Step::kList: {
        auto page = store.List(kParent, nullptr, "", 0, "");
        RC_ASSERT(page.ok());
        RC_ASSERT(page->jobs.size() == last_seen.size());
        break;
      }
    }
    for (auto& [name, previous] : last_seen) {
      auto job = store.Get(*model::ParseNasJobName(name));
      RC_ASSERT(job.ok());
      CheckInvariants(*job);
      if (previous.create_time && model::IsTerminal(previous.state)) {
        RC_ASSERT(*job == previous);  // terminal states are absorbing
      }
      if (previous.update_time) RC_ASSERT(*job->update_time >= *previous.update_time);
      previous = *job;
    }
    for (const auto& name : deleted) {
      RC_ASSERT(store.Get(*model::ParseNasJobName(name)).status().code() == StatusCode::kNotFound);
    }
  }
}

}  // namespace
}  // namespace nasfake::store
