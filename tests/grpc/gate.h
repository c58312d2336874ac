// Gate: what the gRPC tests' tasks and handlers block on until the test
// opens it, counting who entered. Every wait is bounded (20 s): a broken
// transport fails a test, never hangs it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "fake/about_to_wait.h"

namespace nasfake::testing {

class Gate {
 public:
  static constexpr std::chrono::seconds kWait{20};

  // Counts the caller in, then blocks until Open() (or kWait). A transport's
  // handler may call it: it announces the wait (fake/about_to_wait.h).
  void Enter() {
    AboutToWait();
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait_for(lock, kWait, [this] { return open_; });
  }
  // Whether `n` callers entered within kWait.
  bool WaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return entered_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int entered() {
    std::lock_guard<std::mutex> lock(mu_);
    return entered_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

}  // namespace nasfake::testing
