#include "fake/store/clock.h"

#include <chrono>

namespace nasfake::store {

model::Timestamp RealClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

void VirtualClock::AdvanceTo(model::Timestamp t) {
  int64_t target = Micros(t);
  int64_t current = now_us_.load(std::memory_order_acquire);
  while (current < target &&
         !now_us_.compare_exchange_weak(current, target, std::memory_order_acq_rel)) {
  }
}

}  // namespace nasfake::store
