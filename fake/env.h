// FakeEnv owns everything one fake instance is made of: the clock and the
// stores. It is the one injection point: the router reads and changes state
// only through it, and tests reach in through it.
#pragma once

#include <cstdint>
#include <memory>

#include "fake/store/clock.h"
#include "fake/store/job_store.h"
#include "fake/store/operation_store.h"

namespace nasfake {

struct FakeOptions {
  // Seeds the IDs the fake assigns and its page-token key: the same seed
  // gives the same names in the same run of calls.
  uint64_t seed = 1;
  // When set, every API request must carry `Authorization: Bearer <token>`;
  // anything else is answered 401 UNAUTHENTICATED.
  bool require_auth = false;
  // Null: a VirtualClock at VirtualClock::kDefaultStart (time moves only when
  // a test says so). `nasfake serve` passes a RealClock.
  std::shared_ptr<store::Clock> clock;
  // How jobs move through their states unless told otherwise.
  store::LifecycleSettings lifecycle;
};

class FakeEnv {
 public:
  explicit FakeEnv(FakeOptions options);
  FakeEnv(const FakeEnv&) = delete;
  FakeEnv& operator=(const FakeEnv&) = delete;

  const FakeOptions& options() const { return options_; }
  store::Clock& clock() { return *options_.clock; }
  // Null when the fake runs on a real clock.
  store::VirtualClock* virtual_clock() { return virtual_clock_; }
  store::JobStore& jobs() { return jobs_; }
  store::OperationStore& operations() { return operations_; }

 private:
  FakeOptions options_;
  store::VirtualClock* virtual_clock_ = nullptr;
  store::JobStore jobs_;
  store::OperationStore operations_;
};

}  // namespace nasfake
