#include "fake/store/job_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "fake/store/operation_store.h"
#include "fake/testing/status_matchers.h"

namespace nasfake::store {
namespace {

using model::JobState;
using model::LocationName;
using model::NasJob;
using model::NasJobName;
using ::nasfake::testing::IsOk;
using ::nasfake::testing::StatusIs;
using ::testing::SizeIs;

const LocationName kParent{"123456789012", "us-central1"};

NasJob NewJob(const std::string& display_name) {
  NasJob job;
  job.display_name = display_name;
  return job;
}

NasJobName NameOf(const NasJob& job) { return *model::ParseNasJobName(job.name); }

class JobStoreTest : public ::testing::Test {
 protected:
  VirtualClock clock_;
  JobStore store_{clock_, 7};
};

TEST_F(JobStoreTest, CreateAssignsNineteenDigitIdsUnderTheParent) {
  NasJob job = store_.Create(kParent, NewJob("a"));
  EXPECT_THAT(job.name, ::testing::MatchesRegex(
                            "projects/123456789012/locations/us-central1/nasJobs/[1-9][0-9]{18}"));
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.create_time, clock_.Now());
}

TEST_F(JobStoreTest, SameSeedGivesSameIds) {
  VirtualClock other_clock;
  JobStore other(other_clock, 7);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(store_.Create(kParent, NewJob("x")).name, other.Create(kParent, NewJob("x")).name);
  }
}

TEST_F(JobStoreTest, CreateDropsOutputOnlyFields) {
  NasJob job = NewJob("a");
  job.nas_job_output = model::NasJobOutput{};
  job.satisfies_pzs = true;
  job.state = JobState::kSucceeded;
  NasJob created = store_.Create(kParent, job);
  EXPECT_FALSE(created.nas_job_output);
  EXPECT_FALSE(created.satisfies_pzs);
  EXPECT_EQ(created.state, JobState::kQueued);
}

TEST_F(JobStoreTest, GetAdvancesTheLifecycleWithTheClock) {
  NasJob job = store_.Create(kParent, NewJob("a"));
  clock_.Advance(std::chrono::seconds(2));
  auto got = store_.Get(NameOf(job));
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->state, JobState::kRunning);
}

TEST_F(JobStoreTest, MissingJobIsNotFoundEverywhere) {
  NasJobName missing{kParent, "1"};
  EXPECT_THAT(store_.Get(missing), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_.Cancel(missing), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_.Delete(missing), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_.ListTrialDetails(missing, 0, ""), StatusIs(StatusCode::kNotFound));
}

TEST_F(JobStoreTest, DeletedJobIsGone) {
  NasJob job = store_.Create(kParent, NewJob("a"));
  ASSERT_THAT(store_.Delete(NameOf(job)), IsOk());
  EXPECT_THAT(store_.Get(NameOf(job)), StatusIs(StatusCode::kNotFound));
  auto page = store_.List(kParent, nullptr, "", 0, "");
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(page->jobs, SizeIs(0));
}

TEST_F(JobStoreTest, ListIsNewestFirstAndPagesVisitEveryJobOnce) {
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i) created.push_back(store_.Create(kParent, NewJob("j")).name);
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = store_.List(kParent, nullptr, "", 3, token);
    ASSERT_THAT(page, IsOk());
    for (const auto& job : page->jobs) seen.push_back(job.name);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  std::reverse(created.begin(), created.end());
  EXPECT_EQ(seen, created);
}

TEST_F(JobStoreTest, LastFullPageHasNoTokenWhenNothingFollows) {
  for (int i = 0; i < 4; ++i) store_.Create(kParent, NewJob("j"));
  auto page = store_.List(kParent, nullptr, "", 4, "");
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(page->jobs, SizeIs(4));
  EXPECT_EQ(page->next_page_token, "");
}

TEST_F(JobStoreTest, PagingIsStableWhileJobsAreCreatedAndDeleted) {
  std::vector<NasJob> jobs;
  for (int i = 0; i < 6; ++i) jobs.push_back(store_.Create(kParent, NewJob("j")));
  auto first = store_.List(kParent, nullptr, "", 2, "");
  ASSERT_THAT(first, IsOk());
  store_.Create(kParent, NewJob("new"));                // newer than the cursor: not visited
  ASSERT_THAT(store_.Delete(NameOf(jobs[1])), IsOk());  // not yet visited: skipped
  std::set<std::string> seen;
  for (const auto& j : first->jobs) seen.insert(j.name);
  std::string token = first->next_page_token;
  while (!token.empty()) {
    auto page = store_.List(kParent, nullptr, "", 2, token);
    ASSERT_THAT(page, IsOk());
    for (const auto& j : page->jobs) EXPECT_TRUE(seen.insert(j.name).second) << j.name;
    token = page->next_page_token;
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_FALSE(seen.contains(jobs[1].name));
}

TEST_F(JobStoreTest, TokenIsBoundToParentAndFilter) {
  for (int i = 0; i < 3; ++i) store_.Create(kParent, NewJob("j"));
  auto page = store_.List(kParent, nullptr, "state=JOB_STATE_QUEUED", 1, "");
  ASSERT_THAT(page, IsOk());
  ASSERT_FALSE(page->next_page_token.empty());
  const auto& token = page->next_page_token;
  EXPECT_THAT(store_.List(kParent, nullptr, "other", 1, token), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_.List(LocationName{"123456789012", "europe-west4"}, nullptr, "state=JOB_STATE_QUEUED", 1, token), StatusIs(StatusCode::kInvalidArgument));
  std::string forged = token;
  forged[3] = forged[3] == 'A' ? 'B' : 'A';
  EXPECT_THAT(store_.List(kParent, nullptr, "state=JOB_STATE_QUEUED", 1, forged), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_.List(kParent, nullptr, "state=JOB_STATE_QUEUED", 1, token.substr(0, 10)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_.List(kParent, nullptr, "state=JOB_STATE_QUEUED", 1, token), IsOk());
}

TEST_F(JobStoreTest, ListFiltersWithThePredicateAfterCatchingUp) {
  NasJob a = store_.Create(kParent, NewJob("a"));
  clock_.Advance(std::chrono::seconds(10));
  store_.Create(kParent, NewJob("b"));
  auto page = store_.List(
      kParent, [](const NasJob& j) { return j.state == JobState::kRunning; }, "running", 0, "");
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(page->jobs, SizeIs(1));
  EXPECT_EQ(page->jobs[0].name, a.name);
}

TEST_F(JobStoreTest, ListOmitsNasJobOutputButGetKeepsIt) {
  NasJob job = NewJob("seeded");
  job.name = "projects/123456789012/locations/us-central1/nasJobs/42";
  job.state = JobState::kRunning;
  job.nas_job_output.emplace();
  job.nas_job_output->search_trials.emplace_back().id = "1";
  ASSERT_THAT(store_.Seed(job), IsOk());
  auto page = store_.List(kParent, nullptr, "", 0, "");
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(page->jobs, SizeIs(1));
  EXPECT_FALSE(page->jobs[0].nas_job_output);
  EXPECT_TRUE(store_.Get(NameOf(job))->nas_job_output);
}

TEST_F(JobStoreTest, SeedCanonicalisesProjectIdToNumber) {
  NasJob job = NewJob("seeded");
  job.name = "projects/my-project/locations/us-central1/nasJobs/42";
  auto seeded = store_.Seed(job);
  ASSERT_THAT(seeded, IsOk());
  EXPECT_EQ(seeded->name, "projects/" + model::CanonicalProject("my-project") +
                              "/locations/us-central1/nasJobs/42");
  EXPECT_THAT(store_.Get(*model::ParseNasJobName(job.name)), IsOk());
}

TEST_F(JobStoreTest, TrialDetailsPageInIdOrder) {
  NasJob job = NewJob("seeded");
  job.name = "projects/123456789012/locations/us-central1/nasJobs/42";
  ASSERT_THAT(store_.Seed(job), IsOk());
  for (int id : {3, 1, 2}) {
    model::NasTrialDetail detail;
    detail.name = job.name + "/nasTrialDetails/" + std::to_string(id);
    ASSERT_THAT(store_.SeedTrialDetail(detail), IsOk());
  }
  auto first = store_.ListTrialDetails(NameOf(job), 2, "");
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(first->details, SizeIs(2));
  EXPECT_EQ(first->details[0].name, job.name + "/nasTrialDetails/1");
  auto second = store_.ListTrialDetails(NameOf(job), 2, first->next_page_token);
  ASSERT_THAT(second, IsOk());
  ASSERT_THAT(second->details, SizeIs(1));
  EXPECT_EQ(second->details[0].name, job.name + "/nasTrialDetails/3");
  EXPECT_EQ(second->next_page_token, "");
}

TEST(OperationStoreTest, DeleteOperationIsDoneAtOnceByDefault) {
  VirtualClock clock;
  OperationStore ops(clock, 1);
  bool deleted = false;
  auto op = ops.StartDelete(kParent, [&] {
    deleted = true;
    return Status();
  });
  EXPECT_TRUE(op.done);
  EXPECT_TRUE(deleted);
  EXPECT_THAT(op.name, ::testing::MatchesRegex(
                           "projects/123456789012/locations/us-central1/operations/[0-9]{19}"));
  EXPECT_EQ(op.response["@type"], "type.googleapis.com/google.protobuf.Empty");
  EXPECT_EQ(op.metadata["@type"],
            "type.googleapis.com/google.cloud.aiplatform.v1.DeleteOperationMetadata");
}

TEST(OperationStoreTest, SlowDeleteCompletesAtTheConfiguredRead) {
  VirtualClock clock;
  OperationStore ops(clock, 1);
  ops.SetDeletePollsUntilDone(2);
  int deletions = 0;
  auto op = ops.StartDelete(kParent, [&] {
    ++deletions;
    return Status();
  });
  EXPECT_FALSE(op.done);
  auto name = *model::ParseOperationName(op.name);
  EXPECT_FALSE(ops.Get(name)->done);
  EXPECT_EQ(deletions, 0);
  EXPECT_TRUE(ops.Get(name)->done);
  EXPECT_TRUE(ops.Get(name)->done);
  EXPECT_EQ(deletions, 1);
}

// One counting rule for both poll-driven settings: N means the Nth read
// after the call sees the final state, the reads before it do not.
TEST_F(JobStoreTest, CancellingPollsAndDeletePollsUntilDoneCountAlike) {
  LifecycleSettings settings;
  settings.cancelling_polls = 3;
  store_.SetDefaultLifecycle(settings);
  NasJobName job = NameOf(store_.Create(kParent, NewJob("a")));
  ASSERT_THAT(store_.Cancel(job), IsOk());
  std::vector<JobState> cancel_reads;
  for (int read = 1; read <= 3; ++read) cancel_reads.push_back(store_.Get(job)->state);

  OperationStore ops(clock_, 1);
  ops.SetDeletePollsUntilDone(3);
  auto op = *model::ParseOperationName(ops.StartDelete(kParent, [] { return Status(); }).name);
  std::vector<bool> delete_reads;
  for (int read = 1; read <= 3; ++read) delete_reads.push_back(ops.Get(op)->done);

  EXPECT_THAT(cancel_reads, ::testing::ElementsAre(JobState::kCancelling, JobState::kCancelling,
                                                   JobState::kCancelled));
  EXPECT_THAT(delete_reads, ::testing::ElementsAre(false, false, true));
}

TEST(OperationStoreTest, CancelOfDoneOperationIsFailedPrecondition) {
  VirtualClock clock;
  OperationStore ops(clock, 1);
  auto op = ops.StartDelete(kParent, [] { return Status(); });
  EXPECT_THAT(ops.Cancel(*model::ParseOperationName(op.name)),
              StatusIs(StatusCode::kFailedPrecondition,
                       "Operation " + op.name + " is not cancellable."));
}

TEST(OperationStoreTest, CancelledOperationNeverPerformsItsWork) {
  VirtualClock clock;
  OperationStore ops(clock, 1);
  ops.SetDeletePollsUntilDone(1);
  bool deleted = false;
  auto op = ops.StartDelete(kParent, [&] {
    deleted = true;
    return Status();
  });
  auto name = *model::ParseOperationName(op.name);
  ASSERT_THAT(ops.Cancel(name), IsOk());
  auto after = ops.Get(name);
  EXPECT_TRUE(after->done);
  ASSERT_TRUE(after->error);
  EXPECT_EQ(after->error->code, 1);
  EXPECT_FALSE(deleted);
}

}  // namespace
}  // namespace nasfake::store
