// The NasJobs and their trial details: thread-safe, and every job is read and
// written whole under one lock, so a concurrent reader never sees a job half
// updated. Lifecycles advance lazily: each access first applies the
// transitions due by the clock's Now() (see lifecycle.h).
//
// Lists are ordered newest first (by creation); page tokens resume after the
// last job returned, so paging visits every job that existed when paging
// began exactly once, even while jobs are created or deleted in between.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "fake/model/json_mapping.h"
#include "fake/model/nas_job.h"
#include "fake/model/resource_names.h"
#include "fake/status.h"
#include "fake/store/clock.h"
#include "fake/store/id_source.h"
#include "fake/store/lifecycle.h"
#include "fake/store/page_token.h"

namespace nasfake::store {

// Page sizes (AIP-158): 0 means the default; larger values are coerced down.
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

class JobStore {
 public:
  using JobPredicate = std::function<bool(const model::NasJob&)>;

  struct JobPage {
    std::vector<model::NasJob> jobs;  // without nasJobOutput, as List returns them
    std::string next_page_token;      // empty on the last page
  };
  struct TrialDetailPage {
    std::vector<model::NasTrialDetail> details;
    std::string next_page_token;
  };

  JobStore(const Clock& clock, uint64_t seed);

  // New jobs and jobs that have no settings of their own follow these.
  void SetDefaultLifecycle(const LifecycleSettings& settings);
  LifecycleSettings DefaultLifecycle() const;
  // The largest page List and ListTrialDetails return (AIP-158 lets a server
  // coerce page sizes down); clamped to [1, kMaxPageSize].
  void SetMaxPageSize(int max_page_size);

  // Per-job settings; NOT_FOUND for an unknown job.
  Status SetLifecycle(const model::NasJobName& name, const LifecycleSettings& settings);

  // nasJobs.create: assigns the ID and name, QUEUED at Now(). Output-only
  // fields of `job` are dropped.
  model::NasJob Create(const model::LocationName& parent, model::NasJob job);
  // nasJobs.get: counts as one read of the job (poll-based lifecycles).
  StatusOr<model::NasJob> Get(const model::NasJobName& name);
  // nasJobs.get's answer: Get, then model::ToJson of the job. The text is
  // kept with the job until the job changes, so polling a job costs a copy of
  // its JSON, not a copy of the job and a serialisation.
  StatusOr<std::string> GetJson(const model::NasJobName& name,
                                const model::JsonWriteOptions& options = {});
  // The job as it is now, without counting a read: for tests and the control API.
  StatusOr<model::NasJob> Peek(const model::NasJobName& name);
  // nasJobs.list. `binding` identifies the call (filter text) for page tokens.
  StatusOr<JobPage> List(const model::LocationName& parent, const JobPredicate& matches,
                         std::string_view binding, int page_size, std::string_view page_token);
  // nasJobs.cancel (see lifecycle.h RequestCancel).
  Status Cancel(const model::NasJobName& name);
  // Removes the job and its trial details. NOT_FOUND if absent.
  Status Delete(const model::NasJobName& name);

  StatusOr<model::NasTrialDetail> GetTrialDetail(const model::NasTrialDetailName& name);
  StatusOr<TrialDetailPage> ListTrialDetails(const model::NasJobName& parent, int page_size,
                                             std::string_view page_token);

  // Seeds a job as given (its name must be a valid NasJob name; the project is
  // canonicalised), replacing any job of that name. Its current state is taken
  // to begin now. INVALID_ARGUMENT for a bad name.
  StatusOr<model::NasJob> Seed(model::NasJob job,
                               const std::optional<LifecycleSettings>& settings = std::nullopt);
  // Seeds a trial detail of an existing job. NOT_FOUND / INVALID_ARGUMENT.
  Status SeedTrialDetail(model::NasTrialDetail detail);
  // Moves a job to `state` now, as a test or the control API demands.
  StatusOr<model::NasJob> ForceState(const model::NasJobName& name, model::JobState state);

  // Every job, caught up to Now(), newest first.
  std::vector<model::NasJob> Snapshot();
  size_t size() const;

 private:
  struct Record {
    uint64_t seq = 0;
    model::NasJob job;
    JobRuntime runtime;
    bool own_settings = false;
    std::map<uint64_t, model::NasTrialDetail> trial_details;  // by numeric id
    // model::ToJson(job) with the default options, made by GetJson; null
    // when not made since the job last changed (every change resets it).
    // Shared so that GetJson copies the text after releasing mu_.
    std::shared_ptr<const std::string> json;
  };
  using Index = std::map<uint64_t, Record*, std::greater<>>;  // newest first

  Record* Find(const model::NasJobName& name);  // caught up; null if absent
  Record* FindKey(const std::string& name);     // the same, by the name's text
  size_t PageLimit(int page_size) const;        // requires mu_
  Record& Insert(const model::NasJobName& name, model::NasJob job);

  const Clock& clock_;
  mutable std::mutex mu_;
  IdSource ids_;
  PageTokenCodec tokens_;
  uint64_t next_seq_ = 1;
  int max_page_size_ = kMaxPageSize;
  LifecycleSettings default_settings_;
  std::unordered_map<std::string, std::unique_ptr<Record>> by_name_;
  std::unordered_map<std::string, Index> by_parent_;
};

}  // namespace nasfake::store
