// AboutToWait and ScopedWaitNotice (fake/about_to_wait.h): the notice runs
// once, only on the thread that set it, and scopes nest.
#include "fake/about_to_wait.h"

#include <gtest/gtest.h>

#include <thread>

namespace nasfake {
namespace {

struct CountingNotice final : WaitNotice {
  void BeforeWait() override { ++runs; }
  int runs = 0;
};

TEST(AboutToWaitTest, WithoutANoticeDoesNothing) { AboutToWait(); }

TEST(AboutToWaitTest, RunsTheNoticeOnceForTheWholeScope) {
  CountingNotice notice;
  {
    ScopedWaitNotice scope(&notice);
    AboutToWait();
    AboutToWait();  // the handler waits again: the loop already moved
  }
  EXPECT_EQ(notice.runs, 1);
  AboutToWait();  // after the scope
  EXPECT_EQ(notice.runs, 1);
}

TEST(AboutToWaitTest, ScopesNestAndRestoreTheOuterNotice) {
  CountingNotice outer, inner;
  ScopedWaitNotice outer_scope(&outer);
  {
    ScopedWaitNotice inner_scope(&inner);
    AboutToWait();
  }
  EXPECT_EQ(inner.runs, 1);
  EXPECT_EQ(outer.runs, 0);
  AboutToWait();
  EXPECT_EQ(outer.runs, 1);
}

TEST(AboutToWaitTest, ANoticeIsSeenOnlyOnItsOwnThread) {
  CountingNotice notice;
  ScopedWaitNotice scope(&notice);
  std::thread other([] { AboutToWait(); });
  other.join();
  EXPECT_EQ(notice.runs, 0);
  AboutToWait();
  EXPECT_EQ(notice.runs, 1);
}

}  // namespace
}  // namespace nasfake
