#include "fake/store/clock.h"

#include <chrono>

namespace nasfake::store {

model::Timestamp RealClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

void VirtualClock::AdvanceTo(model::Timestamp t) {
  int64_t target = Micros(t);
  int64_t current = now_us_.load(std::memory_order_acquire);
  bool moved = false;
  while (current < target &&
         !(moved = now_us_.compare_exchange_weak(current, target, std::memory_order_acq_rel))) {
  }
  if (moved) Notify();
}

int VirtualClock::Subscribe(std::function<void()> listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.emplace(next_handle_, std::move(listener));
  return next_handle_++;
}

void VirtualClock::Unsubscribe(int handle) {
  std::lock_guard lock(listeners_mu_);
  listeners_.erase(handle);
}

void VirtualClock::Notify() {
  std::lock_guard lock(listeners_mu_);
  for (auto& [handle, listener] : listeners_) listener();
}

}  // namespace nasfake::store
