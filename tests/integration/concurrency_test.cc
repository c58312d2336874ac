// Concurrency and load over real loopback sockets: many client threads with
// mixed traffic on shared and separate jobs against one FakeServer, and many
// FakeServers started and stopped at once. Every request must be answered,
// the journal must hold exactly the requests sent, and the final state must be
// consistent. Meant to run clean under ThreadSanitizer as well.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::testing::ReadJsonFixture;
using ::nasfake::testing::Reply;
using ::nasfake::testing::TestClient;
using nlohmann::json;

constexpr char kParent[] = "projects/123456789012/locations/us-central1";
constexpr int kThreads = 8;
constexpr int kRequestsPerThread = 200;
constexpr int kSharedJobs = 12;

// What one client thread sent and saw.
struct Tally {
  std::map<std::string, int> sent;                    // per API operation
  std::map<std::pair<std::string, int>, int> status;  // (operation, HTTP status) -> count
  std::vector<std::string> failures;                  // anything unexpected
  std::set<std::string> cancelled;                    // jobs with a cancel answered 200
  std::set<std::string> deleted;                      // jobs with a delete answered 200
  std::set<std::string> created;
  int delete_operations = 0;
};

void Check(Tally& t, bool ok, const std::string& what, const Reply& reply) {
  if (!ok) {
    t.failures.push_back(what + ": status " + std::to_string(reply.status) + " " + reply.error +
                         " " + reply.body.substr(0, 300));
  }
}

// The invariants every job must satisfy, whatever happened to it.
void ExpectConsistent(const json& job) {
  std::string state = job.value("state", "");
  bool terminal = state == "JOB_STATE_SUCCEEDED" || state == "JOB_STATE_FAILED" ||
                  state == "JOB_STATE_CANCELLED";
  EXPECT_EQ(job.contains("endTime"), terminal) << job.dump();
  bool cancelled_error = job.contains("error") && job["error"].value("code", 0) == 1;
  EXPECT_EQ(state == "JOB_STATE_CANCELLED", cancelled_error) << job.dump();
  if (job.contains("startTime") && job.contains("endTime")) {
    // RFC 3339 with a fixed number of digits and Z: lexical order is time order.
    EXPECT_LE(job["startTime"].get<std::string>(), job["endTime"].get<std::string>());
  }
}

TEST(ConcurrencyTest, MixedTrafficFromEightThreadsIsAnsweredJournaledAndConsistent) {
  auto server = testing::StartFakeServer();
  ASSERT_NE(server, nullptr);
  const std::string create_body =
      ReadJsonFixture("fixtures/reference/nasjob-create-request.json").dump();
  const std::string jobs_url = std::string("/v1/") + kParent + "/nasJobs";

  // Jobs every thread reads and cancels, and jobs any thread may delete.
  std::vector<std::string> shared, deletable;
  {
    TestClient setup(*server);
    for (int i = 0; i < 2 * kSharedJobs; ++i) {
      Reply reply = setup.Post(jobs_url, create_body);
      ASSERT_EQ(reply.status, 200) << reply.body;
      (i < kSharedJobs ? shared : deletable).push_back(reply.json()["name"]);
    }
  }
  server->journal().Clear();

  std::vector<Tally> tallies(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Tally& tally = tallies[t];
      TestClient client(*server);
      std::mt19937 rng(1000 + t);
      auto pick = [&](const std::vector<std::string>& v) {
        return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
      };
      std::vector<std::string> own;  // this thread's live jobs
      start.arrive_and_wait();
      for (int i = 0; i < kRequestsPerThread; ++i) {
        // Thread 0 also moves virtual time (not a request): transitions race reads.
        if (t == 0 && i % 10 == 0) server->clock()->Advance(std::chrono::milliseconds(700));
        int dice = std::uniform_int_distribution<int>(0, 99)(rng);
        if (dice < 25) {
          std::string name = dice < 18 ? pick(shared) : pick(deletable);
          Reply r = client.Get("/v1/" + name);
          ++tally.sent["nasJobs.get"];
          ++tally.status[{"nasJobs.get", r.status}];
          bool may_be_gone = dice >= 18;
          Check(tally, r.status == 200 || (may_be_gone && r.status == 404), "get " + name, r);
          if (r.status == 200) {
            Check(tally, r.json().value("name", "") == name, "get name " + name, r);
          }
        } else if (dice < 40) {
          std::string name = dice < 35 ? pick(shared) : pick(deletable);
          Reply r = client.Post("/v1/" + name + ":cancel", "");
          ++tally.sent["nasJobs.cancel"];
          ++tally.status[{"nasJobs.cancel", r.status}];
          // 400: it has ended (cancelled by another thread, and the cancel took effect).
          Check(tally, r.status == 200 || r.status == 400 || (dice >= 35 && r.status == 404),
                "cancel " + name, r);
          if (r.status == 200) {
            Check(tally, r.body == "{}", "cancel body", r);
            tally.cancelled.insert(name);
          }
        } else if (dice < 55) {
          int size = std::uniform_int_distribution<int>(1, 20)(rng);
          Reply r = client.Get(jobs_url + "?pageSize=" + std::to_string(size));
          ++tally.sent["nasJobs.list"];
          ++tally.status[{"nasJobs.list", r.status}];
          Check(tally, r.status == 200 && r.json().is_object(), "list", r);
          if (r.status == 200) {
            size_t n = r.json().value("nasJobs", json::array()).size();
            Check(tally, n >= 1 && n <= static_cast<size_t>(size), "list size", r);
          }
        } else if (dice < 70) {
          Reply r = client.Post(jobs_url, create_body);
          ++tally.sent["nasJobs.create"];
          ++tally.status[{"nasJobs.create", r.status}];
          Check(tally, r.status == 200, "create", r);
          if (r.status == 200) {
            own.push_back(r.json()["name"]);
            tally.created.insert(own.back());
          }
        } else if (dice < 80 && !own.empty()) {
          std::string name = pick(own);
          Reply r = client.Get("/v1/" + name);
          ++tally.sent["nasJobs.get"];
          ++tally.status[{"nasJobs.get", r.status}];
          Check(tally, r.status == 200, "get own " + name, r);
        } else if (dice < 88 && !own.empty()) {
          std::string name = pick(own);
          Reply r = client.Post("/v1/" + name + ":cancel", "");
          ++tally.sent["nasJobs.cancel"];
          ++tally.status[{"nasJobs.cancel", r.status}];
          Check(tally, r.status == 200 || r.status == 400, "cancel own " + name, r);
          if (r.status == 200) tally.cancelled.insert(name);
        } else {
          // Delete one of this thread's jobs, or race the others for a deletable one.
          bool mine = !own.empty() && dice < 95;
          std::string name = mine ? own.back() : pick(deletable);
          Reply r = client.Delete("/v1/" + name);
          ++tally.sent["nasJobs.delete"];
          ++tally.status[{"nasJobs.delete", r.status}];
          Check(tally, r.status == 200 || (!mine && r.status == 404), "delete " + name, r);
          if (r.status == 200) {
            Check(tally, r.json().value("done", false), "delete done", r);
            tally.deleted.insert(name);
            ++tally.delete_operations;
          }
          if (mine) own.pop_back();
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  // Every request answered as expected.
  Tally all;
  for (const Tally& t : tallies) {
    for (const auto& f : t.failures) ADD_FAILURE() << f;
    for (const auto& [op, n] : t.sent) all.sent[op] += n;
    for (const auto& [key, n] : t.status) all.status[key] += n;
    all.cancelled.insert(t.cancelled.begin(), t.cancelled.end());
    for (const auto& name : t.deleted) {
      EXPECT_TRUE(all.deleted.insert(name).second) << name << " deleted twice";
    }
    all.created.insert(t.created.begin(), t.created.end());
    all.delete_operations += t.delete_operations;
  }
  int total = 0;
  for (const auto& [op, n] : all.sent) total += n;
  EXPECT_EQ(total, kThreads * kRequestsPerThread);
  EXPECT_EQ(all.status.count({"nasJobs.get", 0}) + all.status.count({"nasJobs.list", 0}), 0u);

  // The journal holds exactly the requests sent: per operation and per status.
  std::map<std::string, int> journaled;
  std::map<std::pair<std::string, int>, int> journaled_status;
  auto entries = server->journal().Entries();
  for (const auto& e : entries) {
    EXPECT_TRUE(e.completed) << e.id;
    ++journaled[e.operation];
    ++journaled_status[{e.operation, e.status}];
  }
  EXPECT_EQ(entries.size(), static_cast<size_t>(total));
  EXPECT_EQ(server->journal().dropped(), 0u);
  EXPECT_EQ(journaled, all.sent);
  EXPECT_EQ(journaled_status, all.status);
  for (size_t i = 1; i < entries.size(); ++i) EXPECT_EQ(entries[i].id, entries[i - 1].id + 1);

  // Final states: long enough for every cancel to take effect, not for any
  // job to finish its work (4 h by default).
  server->clock()->Advance(std::chrono::hours(1));
  TestClient client(*server);
  json list = client.Get(jobs_url + "?pageSize=1000").json();
  std::set<std::string> listed;
  for (const auto& job : list.value("nasJobs", json::array())) {
    ExpectConsistent(job);
    std::string name = job["name"];
    listed.insert(name);
    if (all.cancelled.contains(name)) {
      EXPECT_EQ(job["state"], "JOB_STATE_CANCELLED") << name;
      EXPECT_EQ(job["error"], (json{{"code", 1}, {"message", "CANCELED"}})) << name;
    } else {
      EXPECT_EQ(job["state"], "JOB_STATE_RUNNING") << name;
    }
  }
  EXPECT_FALSE(list.contains("nextPageToken"));
  std::set<std::string> expected(shared.begin(), shared.end());
  expected.insert(deletable.begin(), deletable.end());
  expected.insert(all.created.begin(), all.created.end());
  for (const auto& name : all.deleted) expected.erase(name);
  EXPECT_EQ(listed, expected);
  for (const auto& name : all.deleted) {
    Reply r = client.Get("/v1/" + name);
    EXPECT_EQ(r.status, 404) << name;
  }
  for (const auto& name : listed) {
    Reply r = client.Get("/v1/" + name);
    ASSERT_EQ(r.status, 200) << name;
    ExpectConsistent(r.json());
  }
  // One done delete operation per successful delete.
  json ops = client.Get(std::string("/v1/") + kParent + "/operations?pageSize=1000").json();
  EXPECT_EQ(ops.value("operations", json::array()).size(),
            static_cast<size_t>(all.delete_operations));
  EXPECT_EQ(server->jobs().size(), expected.size());
}

TEST(ConcurrencyTest, ThirtyTwoFakesStartServeAndStopFromEightThreads) {
  constexpr int kPerThread = 4;
  std::mutex mu;
  std::set<int> ports;
  std::atomic<int> served{0};
  std::latch all_started(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<std::unique_ptr<FakeServer>> servers;
      for (int i = 0; i < kPerThread; ++i) {
        auto server = FakeServer::Start();
        if (!server.ok()) {
          ADD_FAILURE() << server.status().message();
          continue;
        }
        servers.push_back(std::move(*server));
        std::lock_guard lock(mu);
        ports.insert(servers.back()->port());
      }
      all_started.arrive_and_wait();  // all 32 are up at once
      for (auto& server : servers) {
        TestClient client(*server);
        Reply r = client.Get(std::string("/v1/") + kParent + "/nasJobs");
        if (r.status == 200 && r.body == "{}") ++served;
        EXPECT_EQ(server->journal().size(), 1u);
      }
      for (auto& server : servers) server->Stop();
      servers.clear();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ports.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(served.load(), kThreads * kPerThread);
}

}  // namespace
}  // namespace nasfake
