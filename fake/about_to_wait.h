// AboutToWait: how a request's handler tells its front end that it is about
// to wait for something other than the CPU.
//
// Contract: code on a request's path calls AboutToWait() right before it
// blocks (the scenario engine's delays and holds; a test handler's gate).
// A front end that runs handlers on the thread of an event loop (the gRPC
// transport: a connection's thread) sets a WaitNotice on that thread for the
// handler's duration; AboutToWait() runs it, at most once per handler, and
// the front end hands its loop to another thread before the handler blocks.
// Where no notice is set (the REST transport, a thread of its own) it does
// nothing. Header-only: the transports and the scenario engine share it
// without a link dependency.
#pragma once

namespace nasfake {

class WaitNotice {
 public:
  // Runs on the handler's thread, before it waits.
  virtual void BeforeWait() = 0;

 protected:
  ~WaitNotice() = default;
};

namespace internal {
inline thread_local WaitNotice* current_wait_notice = nullptr;
}  // namespace internal

// Runs the notice set on this thread, if any, and clears it.
inline void AboutToWait() {
  WaitNotice* notice = internal::current_wait_notice;
  internal::current_wait_notice = nullptr;
  if (notice != nullptr) notice->BeforeWait();
}

// Sets `notice` on this thread for the scope's duration (the previous one
// after it).
class ScopedWaitNotice {
 public:
  explicit ScopedWaitNotice(WaitNotice* notice) : previous_(internal::current_wait_notice) {
    internal::current_wait_notice = notice;
  }
  ~ScopedWaitNotice() { internal::current_wait_notice = previous_; }
  ScopedWaitNotice(const ScopedWaitNotice&) = delete;
  ScopedWaitNotice& operator=(const ScopedWaitNotice&) = delete;

 private:
  WaitNotice* previous_;
};

}  // namespace nasfake
