#include "raft/inflights.h"

#include <gtest/gtest.h>

#include "raft/progress.h"

namespace raftmq::raft {
namespace {

TEST(Inflights, IsFullByCount) {
  Inflights window(3, 1000);
  for (uint64_t i = 1; i <= 3; ++i) {
    EXPECT_FALSE(window.Full());
    window.Add(Index(i), 1);
  }
  EXPECT_TRUE(window.Full());
  window.FreeLE(Index(1));
  EXPECT_FALSE(window.Full());
  EXPECT_EQ(window.count(), 2u);
}

TEST(Inflights, IsFullByBytesButTakesOneOversizedAppend) {
  Inflights window(10, 100);
  window.Add(Index(1), 500);
  EXPECT_TRUE(window.Full());
  window.FreeLE(Index(1));
  EXPECT_EQ(window.bytes(), 0u);
  window.Add(Index(2), 60);
  EXPECT_FALSE(window.Full());
  window.Add(Index(3), 40);
  EXPECT_TRUE(window.Full());
}

TEST(Inflights, WrapsAroundTheRing) {
  Inflights window(3, 1000);
  for (uint64_t i = 1; i <= 20; ++i) {
    window.Add(Index(i), 10);
    if (window.Full()) window.FreeFirstOne();
  }
  EXPECT_EQ(window.count(), 2u);
  EXPECT_EQ(window.bytes(), 20u);
  window.FreeLE(Index(20));
  EXPECT_EQ(window.count(), 0u);
}

TEST(Progress, ReplicateStreamsAndProbeSendsOneAtATime) {
  Progress progress(Index(5), 4, 1000);
  EXPECT_EQ(progress.state(), Progress::State::kProbe);
  progress.SentEntries(Index(7), 10);
  EXPECT_TRUE(progress.IsPaused());
  EXPECT_TRUE(progress.MaybeUpdate(Index(7)));
  progress.BecomeReplicate();
  EXPECT_EQ(progress.next(), Index(8));
  progress.SentEntries(Index(9), 10);
  progress.SentEntries(Index(12), 10);
  EXPECT_EQ(progress.next(), Index(13));
  EXPECT_FALSE(progress.IsPaused());
}

TEST(Progress, RejectionLowersNextButNeverToMatch) {
  Progress progress(Index(10), 4, 1000);
  ASSERT_TRUE(progress.MaybeUpdate(Index(3)));
  progress.SentEntries(Index(10), 1);
  EXPECT_FALSE(progress.MaybeDecreaseTo(Index(5), Index(0))) << "not the latest probe: stale";
  ASSERT_EQ(progress.next(), Index(10));
  EXPECT_TRUE(progress.MaybeDecreaseTo(Index(9), Index(1)));
  EXPECT_EQ(progress.next(), Index(4));
  EXPECT_GT(progress.next(), progress.match());
}

}  // namespace
}  // namespace raftmq::raft
