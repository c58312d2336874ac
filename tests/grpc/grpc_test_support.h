// What the gRPC tests share.
//
// Debian's libgrpc++ is not built with ThreadSanitizer: under TSan, grpc++
// client calls make it report races inside grpc core (none in fake/grpc/:
// checked on 2 December 2026, 819 reports, every one in grpc's own frames).
// So a TSan build skips the tests that drive a grpc++ client unless
// NASFAKE_GRPC_TSAN_CLIENT=1 asks for them; the raw nghttp2 client of
// grpc_transport_test.cc (single-threaded, needs no instrumentation) still
// drives the transport's threads there.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#if defined(__SANITIZE_THREAD__)
#define NASFAKE_GRPC_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NASFAKE_GRPC_TEST_TSAN 1
#endif
#endif

namespace nasfake::testing {

inline bool UseGrpcClient() {
#if defined(NASFAKE_GRPC_TEST_TSAN)
  const char* asked = std::getenv("NASFAKE_GRPC_TSAN_CLIENT");
  return asked != nullptr && std::string(asked) == "1";
#else
  return true;
#endif
}

}  // namespace nasfake::testing

#define NASFAKE_SKIP_GRPC_CLIENT_UNDER_TSAN()                                          \
  if (!::nasfake::testing::UseGrpcClient())                                            \
  GTEST_SKIP() << "grpc++ is uninstrumented: under TSan it reports races inside grpc " \
                  "(NASFAKE_GRPC_TSAN_CLIENT=1 runs it anyway)"
