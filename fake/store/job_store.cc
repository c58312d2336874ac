#include "fake/store/job_store.h"

#include <algorithm>
#include <charconv>

#include "fake/errors.h"

namespace nasfake::store {
namespace {

using model::NasJob;

// GetJson keeps the text written with the default options only.
static_assert(sizeof(model::JsonWriteOptions) == sizeof(bool),
              "JsonWriteOptions has a new option: decide whether GetJson may cache with it");

uint64_t ParseId(std::string_view digits) {
  uint64_t v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  return v;
}

}  // namespace

JobStore::JobStore(const Clock& clock, uint64_t seed)
    : clock_(clock), ids_(seed), tokens_(seed * 0x9e3779b97f4a7c15ULL + 1) {}

void JobStore::SetDefaultLifecycle(const LifecycleSettings& settings) {
  std::lock_guard lock(mu_);
  default_settings_ = settings;
  model::Timestamp now = clock_.Now();
  for (auto& [name, record] : by_name_) {
    if (record->own_settings) continue;
    // Transitions already due under the old settings happen first (as
    // SetLifecycle's do), so a job's state never depends on whether it was
    // read before the change.
    if (CatchUp(record->job, record->runtime, now)) record->json.reset();
    record->runtime.settings = settings;
    record->runtime.settings_since = now;
  }
}

LifecycleSettings JobStore::DefaultLifecycle() const {
  std::lock_guard lock(mu_);
  return default_settings_;
}

void JobStore::SetMaxPageSize(int max_page_size) {
  std::lock_guard lock(mu_);
  max_page_size_ = std::clamp(max_page_size, 1, kMaxPageSize);
}

size_t JobStore::PageLimit(int page_size) const {
  int limit = page_size <= 0 ? kDefaultPageSize : page_size;
  return static_cast<size_t>(std::min(limit, max_page_size_));
}

Status JobStore::SetLifecycle(const model::NasJobName& name, const LifecycleSettings& settings) {
  std::lock_guard lock(mu_);
  Record* record = Find(name);
  if (record == nullptr) return errors::NasJobNotFound();
  record->runtime.settings = settings;
  record->runtime.settings_since = clock_.Now();
  record->own_settings = true;
  return Status();
}

JobStore::Record* JobStore::Find(const model::NasJobName& name) { return FindKey(name.ToString()); }

JobStore::Record* JobStore::FindKey(const std::string& name) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return nullptr;
  Record& record = *it->second;
  if (CatchUp(record.job, record.runtime, clock_.Now())) record.json.reset();
  return &record;
}

JobStore::Record& JobStore::Insert(const model::NasJobName& name, NasJob job) {
  std::string key = name.ToString();
  if (auto old = by_name_.find(key); old != by_name_.end()) {
    by_parent_[name.parent.ToString()].erase(old->second->seq);
    by_name_.erase(old);
  }
  auto record = std::make_unique<Record>();
  record->seq = next_seq_++;
  record->job = std::move(job);
  record->job.name = key;
  record->runtime.settings = default_settings_;
  Record& ref = *record;
  by_parent_[name.parent.ToString()].emplace(ref.seq, &ref);
  by_name_.emplace(std::move(key), std::move(record));
  return ref;
}

NasJob JobStore::Create(const model::LocationName& parent, NasJob job) {
  std::lock_guard lock(mu_);
  // Output-only fields are ignored on create (AIP-203).
  job.nas_job_output.reset();
  job.satisfies_pzs = job.satisfies_pzi = false;
  model::NasJobName name{parent, ""};
  do {
    name.id = ids_.Next();
  } while (by_name_.contains(name.ToString()));
  Record& record = Insert(name, std::move(job));
  StartNew(record.job, record.runtime, clock_.Now());
  return record.job;
}

StatusOr<NasJob> JobStore::Get(const model::NasJobName& name) {
  std::lock_guard lock(mu_);
  Record* record = Find(name);
  if (record == nullptr) return errors::NasJobNotFound();
  if (CountRead(record->job, record->runtime, clock_.Now())) record->json.reset();
  return record->job;
}

StatusOr<std::string> JobStore::GetJson(const model::NasJobName& name,
                                        const model::JsonWriteOptions& options) {
  const std::string key = name.ToString();
  std::shared_ptr<const std::string> json;
  {
    std::lock_guard lock(mu_);
    Record* record = FindKey(key);
    if (record == nullptr) return errors::NasJobNotFound();
    if (CountRead(record->job, record->runtime, clock_.Now())) record->json.reset();
    if (options.enums_as_ints) return model::ToJson(record->job, options);
    if (!record->json) {
      record->json = std::make_shared<const std::string>(model::ToJson(record->job));
    }
    json = record->json;
  }
  return *json;  // copied without holding mu_
}

StatusOr<NasJob> JobStore::Peek(const model::NasJobName& name) {
  std::lock_guard lock(mu_);
  Record* record = Find(name);
  if (record == nullptr) return errors::NasJobNotFound();
  return record->job;
}

StatusOr<JobStore::JobPage> JobStore::List(const model::LocationName& parent,
                                           const JobPredicate& matches, std::string_view binding,
                                           int page_size, std::string_view page_token) {
  std::string parent_key = parent.ToString();
  std::string token_binding = parent_key + "\n" + std::string(binding);
  std::optional<uint64_t> after;
  if (!page_token.empty()) {
    after = tokens_.Decode(page_token, token_binding);
    if (!after) return errors::InvalidPageToken();
  }
  JobPage page;
  std::lock_guard lock(mu_);
  size_t limit = PageLimit(page_size);
  auto index = by_parent_.find(parent_key);
  if (index == by_parent_.end()) return page;
  auto it = after ? index->second.upper_bound(*after) : index->second.begin();
  model::Timestamp now = clock_.Now();
  uint64_t last_seq = 0;
  for (; it != index->second.end(); ++it) {
    Record& record = *it->second;
    if (CatchUp(record.job, record.runtime, now)) record.json.reset();
    if (matches && !matches(record.job)) continue;
    if (page.jobs.size() == limit) {
      // A further match exists: this page is not the last.
      page.next_page_token = tokens_.Encode(last_seq, token_binding);
      break;
    }
    page.jobs.push_back(record.job);
    page.jobs.back().nas_job_output.reset();  // List does not return it
    last_seq = record.seq;
  }
  return page;
}

Status JobStore::Cancel(const model::NasJobName& name) {
  std::lock_guard lock(mu_);
  Record* record = Find(name);
  if (record == nullptr) return errors::NasJobNotFound();
  // Only the first accepted cancel can change the job.
  if (!record->runtime.cancel_requested_at) record->json.reset();
  return RequestCancel(record->job, record->runtime, clock_.Now());
}

Status JobStore::Delete(const model::NasJobName& name) {
  std::lock_guard lock(mu_);
  auto it = by_name_.find(name.ToString());
  if (it == by_name_.end()) return errors::NasJobNotFound();
  by_parent_[name.parent.ToString()].erase(it->second->seq);
  by_name_.erase(it);
  return Status();
}

StatusOr<model::NasTrialDetail> JobStore::GetTrialDetail(const model::NasTrialDetailName& name) {
  std::lock_guard lock(mu_);
  Record* record = Find(name.job);
  if (record == nullptr) return errors::NasJobNotFound();
  auto it = record->trial_details.find(ParseId(name.id));
  if (it == record->trial_details.end()) return errors::NasTrialDetailNotFound();
  return it->second;
}

StatusOr<JobStore::TrialDetailPage> JobStore::ListTrialDetails(const model::NasJobName& parent,
                                                               int page_size,
                                                               std::string_view page_token) {
  std::string binding = parent.ToString();
  std::optional<uint64_t> after;
  if (!page_token.empty()) {
    after = tokens_.Decode(page_token, binding);
    if (!after) return errors::InvalidPageToken();
  }
  std::lock_guard lock(mu_);
  size_t limit = PageLimit(page_size);
  Record* record = Find(parent);
  if (record == nullptr) return errors::NasJobNotFound();
  TrialDetailPage page;
  auto& details = record->trial_details;
  auto it = after ? details.upper_bound(*after) : details.begin();
  for (; it != details.end(); ++it) {
    if (page.details.size() == limit) {
      page.next_page_token = tokens_.Encode(std::prev(it)->first, binding);
      break;
    }
    page.details.push_back(it->second);
  }
  return page;
}

StatusOr<NasJob> JobStore::Seed(NasJob job, const std::optional<LifecycleSettings>& settings) {
  auto name = model::ParseNasJobName(job.name);
  if (!name) return errors::InvalidResourceName("NasJob", job.name);
  std::lock_guard lock(mu_);
  Record& record = Insert(*name, std::move(job));
  if (settings) {
    record.runtime.settings = *settings;
    record.own_settings = true;
  }
  StartSeeded(record.job, record.runtime, clock_.Now());
  return record.job;
}

Status JobStore::SeedTrialDetail(model::NasTrialDetail detail) {
  auto name = model::ParseNasTrialDetailName(detail.name);
  if (!name) return errors::InvalidResourceName("NasTrialDetail", detail.name);
  std::lock_guard lock(mu_);
  Record* record = Find(name->job);
  if (record == nullptr) return errors::NasJobNotFound();
  detail.name = name->ToString();
  record->trial_details[ParseId(name->id)] = std::move(detail);
  return Status();
}

StatusOr<NasJob> JobStore::ForceState(const model::NasJobName& name, model::JobState state) {
  std::lock_guard lock(mu_);
  Record* record = Find(name);
  if (record == nullptr) return errors::NasJobNotFound();
  store::ForceState(record->job, record->runtime, state, clock_.Now());
  record->json.reset();
  return record->job;
}

std::vector<NasJob> JobStore::Snapshot() {
  std::lock_guard lock(mu_);
  std::vector<const Record*> records;
  for (auto& [name, record] : by_name_) {
    if (CatchUp(record->job, record->runtime, clock_.Now())) record->json.reset();
    records.push_back(record.get());
  }
  std::sort(records.begin(), records.end(),
            [](const Record* a, const Record* b) { return a->seq > b->seq; });
  std::vector<NasJob> jobs;
  jobs.reserve(records.size());
  for (const Record* r : records) jobs.push_back(r->job);
  return jobs;
}

size_t JobStore::size() const {
  std::lock_guard lock(mu_);
  return by_name_.size();
}

}  // namespace nasfake::store
