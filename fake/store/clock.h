// Where the fake's time comes from. Job lifecycles are functions of Now():
// nothing in the fake sleeps or runs a timer to move a job.
#pragma once

#include <atomic>
#include <memory>

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
    if (d.count() > 0) now_us_.fetch_add(d.count(), std::memory_order_acq_rel);
  }
  // Moves time forward to `t`; earlier times are ignored.
  void AdvanceTo(model::Timestamp t);

 private:
  static int64_t Micros(model::Timestamp t) { return t.time_since_epoch().count(); }
  std::atomic<int64_t> now_us_;
};

}  // namespace nasfake::store
