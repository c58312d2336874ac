// TaskThreads: every task on a thread of its own at once, the bound, threads
// reused, and Close/Wait.
#include "fake/grpc/task_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/grpc/gate.h"

namespace nasfake::grpc {
namespace {

using namespace std::chrono_literals;

constexpr size_t kStack = 4 << 20;  // ample for any build (sanitizers included)
constexpr auto kWait = 10s;         // bounds every wait: a failure, never a hang

using ::nasfake::testing::Gate;

// Waits (bounded) until `done` holds: the pool's threads go idle on their own.
bool Eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(TaskThreadsTest, EveryTaskRunsAtOnceOnAThreadOfItsOwn) {
  TaskThreads pool(8, kStack, 1h);
  Gate gate;
  std::mutex mu;
  std::set<std::thread::id> ids;
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(pool.Run([&] {
      {
        std::lock_guard<std::mutex> lock(mu);
        ids.insert(std::this_thread::get_id());
      }
      gate.Enter();
    }));
  }
  EXPECT_TRUE(gate.WaitEntered(8));  // none waits for another to finish
  gate.Open();
  pool.Close();
  pool.Wait();
  EXPECT_EQ(ids.size(), 8u);
}

TEST(TaskThreadsTest, RefusesBeyondMaxTasksUntilOneEnds) {
  TaskThreads pool(2, kStack, 1h);
  Gate gate;
  std::atomic<int> ran{0};
  auto task = [&] {
    ++ran;
    gate.Enter();
  };
  ASSERT_TRUE(pool.Run(task));
  ASSERT_TRUE(pool.Run(task));
  ASSERT_TRUE(gate.WaitEntered(2));
  EXPECT_FALSE(pool.Run(task));
  gate.Open();
  ASSERT_TRUE(Eventually([&] { return pool.idle_threads() == 2; }));
  EXPECT_TRUE(pool.Run(task));
  pool.Close();
  pool.Wait();
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(pool.threads(), 0u);
}

TEST(TaskThreadsTest, ReusesAThreadThatHasFinished) {
  TaskThreads pool(8, kStack, 1h);
  std::set<std::thread::id> ids;
  for (int i = 0; i < 20; ++i) {
    std::atomic<bool> done{false};
    ASSERT_TRUE(pool.Run([&] {
      ids.insert(std::this_thread::get_id());
      done = true;
    }));
    ASSERT_TRUE(Eventually([&] { return done && pool.idle_threads() == 1; }));
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(pool.threads(), 1u);
}

TEST(TaskThreadsTest, CloseRefusesNewTasksAndWaitRunsTheAcceptedOnesToTheEnd) {
  TaskThreads pool(8, kStack, 1h);
  Gate gate;
  auto state = std::make_shared<int>(0);
  std::atomic<int> finished{0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.Run([&gate, &finished, state] {
      gate.Enter();
      ++finished;
    }));
  }
  ASSERT_TRUE(gate.WaitEntered(3));
  pool.Close();
  EXPECT_FALSE(pool.Run([] {}));
  gate.Open();
  pool.Wait();  // the tasks end, then every thread, idle ones included
  EXPECT_EQ(finished, 3);
  EXPECT_EQ(state.use_count(), 1);  // the tasks' captured state is gone too
  EXPECT_EQ(pool.threads(), 0u);
}

TEST(TaskThreadsTest, CloseEndsIdleThreadsAtOnce) {
  TaskThreads pool(8, kStack, 1h);
  std::atomic<bool> done{false};
  ASSERT_TRUE(pool.Run([&] { done = true; }));
  ASSERT_TRUE(Eventually([&] { return done && pool.idle_threads() == 1; }));
  pool.Close();
  pool.Wait();  // does not wait out the hour of idle_timeout
  EXPECT_EQ(pool.threads(), 0u);
}

}  // namespace
}  // namespace nasfake::grpc
