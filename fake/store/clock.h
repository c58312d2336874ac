// Where the fake's time comes from. Job lifecycles are functions of Now():
// nothing in the fake sleeps or runs a timer to move a job.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "fake/model/time.h"

namespace nasfake::store {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual model::Timestamp Now() const = 0;
};

// The system clock, for `nasfake serve`.
class RealClock final : public Clock {
 public:
  model::Timestamp Now() const override;
};

// Time that moves only when told: for tests. Thread-safe; never goes back.
class VirtualClock final : public Clock {
 public:
  // 2026-01-01T00:00:00Z unless told otherwise.
  static constexpr model::Timestamp kDefaultStart{std::chrono::microseconds{1767225600000000}};

  explicit VirtualClock(model::Timestamp start = kDefaultStart) : now_us_(Micros(start)) {}

  model::Timestamp Now() const override {
    return model::Timestamp{model::Duration{now_us_.load(std::memory_order_acquire)}};
  }
  // Moves time forward by `d` (negative durations are ignored).
  void Advance(model::Duration d) {
    if (d.count() <= 0) return;
    now_us_.fetch_add(d.count(), std::memory_order_acq_rel);
    Notify();
  }
  // Moves time forward to `t`; earlier times are ignored.
  void AdvanceTo(model::Timestamp t);

  // Calls `listener` after every move of time, on the thread that moved it
  // (never under a lock a listener could need). Returns a handle for
  // Unsubscribe, which waits for a call in progress to finish.
  int Subscribe(std::function<void()> listener);
  void Unsubscribe(int handle);

 private:
  static int64_t Micros(model::Timestamp t) { return t.time_since_epoch().count(); }
  void Notify();

  std::atomic<int64_t> now_us_;
  std::mutex listeners_mu_;  // held while listeners run: Unsubscribe waits for them
  std::map<int, std::function<void()>> listeners_;
  int next_handle_ = 1;
};

}  // namespace nasfake::store
