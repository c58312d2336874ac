// Detached threads with a chosen stack size, for the gRPC transport's
// connection and call threads (std::thread cannot set a stack size).
#pragma once

#include <pthread.h>

#include <cstddef>

namespace nasfake::grpc {

// Starts a detached thread with a `stack_bytes` stack running body(arg);
// false when the system refuses (body is then not run).
inline bool StartDetachedThread(size_t stack_bytes, void* (*body)(void*), void* arg) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  pthread_t thread;
  bool ok = pthread_attr_setstacksize(&attr, stack_bytes) == 0 &&
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
            pthread_create(&thread, &attr, body, arg) == 0;
  pthread_attr_destroy(&attr);
  return ok;
}

}  // namespace nasfake::grpc
