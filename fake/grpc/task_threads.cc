#include "fake/grpc/task_threads.h"

#include <pthread.h>

#include <utility>

namespace nasfake::grpc {
namespace {

// Starts a detached thread with a `stack_bytes` stack (std::thread cannot set
// one) running body(arg); false when the system refuses (body is then not run).
bool StartDetachedThread(size_t stack_bytes, void* (*body)(void*), void* arg) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  pthread_t thread;
  bool ok = pthread_attr_setstacksize(&attr, stack_bytes) == 0 &&
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
            pthread_create(&thread, &attr, body, arg) == 0;
  pthread_attr_destroy(&attr);
  return ok;
}

}  // namespace

TaskThreads::TaskThreads(size_t max_tasks, size_t stack_bytes,
                         std::chrono::milliseconds idle_timeout)
    : max_tasks_(max_tasks), stack_bytes_(stack_bytes), idle_timeout_(idle_timeout) {}

TaskThreads::~TaskThreads() {
  Close();
  Wait();
}

bool TaskThreads::Run(std::function<void()> task) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || tasks_ >= max_tasks_) return false;
    queued_.push_back(std::move(task));
    // Every queued task needs an idle thread of its own: one woken earlier
    // may not have taken its task yet.
    if (idle_ >= queued_.size()) {
      wake = true;
    } else if (StartDetachedThread(stack_bytes_, &TaskThreads::ThreadBody, this)) {
      ++threads_;
    } else {
      queued_.pop_back();
      return false;
    }
    ++tasks_;
  }
  // Woken after the unlock, the thread does not block at once on mu_.
  if (wake) work_cv_.notify_one();
  return true;
}

void TaskThreads::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  work_cv_.notify_all();
}

void TaskThreads::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [this] { return threads_ == 0; });
}

size_t TaskThreads::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_;
}

size_t TaskThreads::idle_threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_;
}

void* TaskThreads::ThreadBody(void* pool) {
  static_cast<TaskThreads*>(pool)->Work();
  return nullptr;
}

void TaskThreads::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    ++idle_;
    work_cv_.wait_for(lock, idle_timeout_, [this] { return !queued_.empty() || closed_; });
    --idle_;
    if (queued_.empty()) break;  // idle for idle_timeout, or closed
    std::function<void()> task = std::move(queued_.front());
    queued_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // its captured state goes before the task counts as done
    lock.lock();
    --tasks_;
  }
  --threads_;
  done_cv_.notify_all();
}

}  // namespace nasfake::grpc
