// TaskThreads: runs each task on a thread of its own, reusing the threads that
// have finished a task rather than starting one per task. Starting a thread
// (clone, scheduling it, its exit) cost a gRPC call to the fake more CPU time
// than the rest of the call's work. The gRPC transport runs its connections'
// loops and its handlers that wait (fake/about_to_wait.h) on them.
//
// - Run(task): the task runs on an idle thread, or on a new one when none is
//   idle, so a task never waits for another and may block (holds, delays).
//   At most max_tasks tasks run or wait to start at once; beyond, Run refuses
//   (false) and the task is not run. So at most max_tasks threads exist.
// - A thread that has had no task for idle_timeout exits.
// - Close(): Run refuses from now on, and idle threads exit. Wait(): returns
//   once every thread has exited; tasks already accepted run first, and a
//   task's state (what its function captured) is destroyed before its thread
//   counts as done. The destructor does both.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace nasfake::grpc {

class TaskThreads {
 public:
  TaskThreads(size_t max_tasks, size_t stack_bytes, std::chrono::milliseconds idle_timeout);
  ~TaskThreads();
  TaskThreads(const TaskThreads&) = delete;
  TaskThreads& operator=(const TaskThreads&) = delete;

  bool Run(std::function<void()> task);
  void Close();
  void Wait();

  size_t threads() const;       // threads alive
  size_t idle_threads() const;  // threads waiting for a task

 private:
  static void* ThreadBody(void* pool);
  void Work();

  const size_t max_tasks_;
  const size_t stack_bytes_;
  const std::chrono::milliseconds idle_timeout_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // a task was queued, or Close()
  std::condition_variable done_cv_;  // a thread exited
  std::deque<std::function<void()>> queued_;
  size_t tasks_ = 0;  // queued or running
  size_t threads_ = 0;
  size_t idle_ = 0;
  bool closed_ = false;
};

}  // namespace nasfake::grpc
