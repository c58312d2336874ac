#include "fake/env.h"

namespace nasfake {
namespace {

FakeOptions WithClock(FakeOptions options) {
  if (!options.clock) options.clock = std::make_shared<store::VirtualClock>();
  return options;
}

}  // namespace

FakeEnv::FakeEnv(FakeOptions options)
    : options_(WithClock(std::move(options))),
      virtual_clock_(dynamic_cast<store::VirtualClock*>(options_.clock.get())),
      jobs_(*options_.clock, options_.seed),
      operations_(*options_.clock, options_.seed) {
  jobs_.SetDefaultLifecycle(options_.lifecycle);
}

}  // namespace nasfake
