#include "client/process_queue.h"

#include <thread>

#include <gtest/gtest.h>

namespace raftmq::client {
namespace {

std::vector<messaging::MessageExt> Messages(int64_t first_offset, int count, size_t body_bytes = 10) {
  std::vector<messaging::MessageExt> messages;
  for (int i = 0; i < count; ++i) {
    messaging::MessageExt message;
    message.set_queue_offset(first_offset + i);
    message.mutable_message()->set_body(std::string(body_bytes, 'x'));
    messages.push_back(message);
  }
  return messages;
}

TEST(ProcessQueue, CommitsTheStartOffsetBeforeAnythingIsConsumed) {
  ProcessQueue queue(42);
  EXPECT_EQ(queue.CommitOffset(), 42);
  EXPECT_EQ(queue.next_pull_offset(), 42);
}

TEST(ProcessQueue, CommitsTheLowestUnconsumedOffsetWhenConsumedOutOfOrder) {
  ProcessQueue queue(0);
  queue.PutMessages(Messages(0, 5), 5);
  EXPECT_EQ(queue.RemoveMessages({3}), 0);
  EXPECT_EQ(queue.RemoveMessages({1, 2}), 0);
  EXPECT_EQ(queue.RemoveMessages({0}), 4) << "offset 4 is still unconsumed";
  EXPECT_EQ(queue.RemoveMessages({4}), 5) << "all consumed: the next offset to pull";
  EXPECT_EQ(queue.cached_count(), 0);
}

TEST(ProcessQueue, CommitOffsetFollowsOffsetsTheBrokerSkippedByTag) {
  ProcessQueue queue(10);
  queue.PutMessages({}, 25);
  EXPECT_EQ(queue.CommitOffset(), 25);
  queue.PutMessages(Messages(30, 1), 40);
  EXPECT_EQ(queue.CommitOffset(), 30);
  EXPECT_EQ(queue.RemoveMessages({30}), 40);
}

TEST(ProcessQueue, IgnoresANextOffsetBehindWhatItHas) {
  ProcessQueue queue(0);
  queue.PutMessages(Messages(0, 3), 3);
  queue.PutMessages({}, 1);
  EXPECT_EQ(queue.next_pull_offset(), 3);
  queue.PutMessages(Messages(5, 1), 2);  // a broker answer inconsistent with its own message
  EXPECT_EQ(queue.next_pull_offset(), 6);
}

TEST(ProcessQueue, CountsCachedMessagesBytesAndSpan) {
  ProcessQueue queue(0);
  queue.PutMessages(Messages(0, 3, 100), 3);
  queue.PutMessages(Messages(10, 1, 50), 11);
  EXPECT_EQ(queue.cached_count(), 4);
  EXPECT_EQ(queue.cached_bytes(), 350);
  EXPECT_EQ(queue.span(), 10);
  (void)queue.RemoveMessages({0, 1, 2});
  EXPECT_EQ(queue.cached_bytes(), 50);
  EXPECT_EQ(queue.span(), 0);
  (void)queue.RemoveMessages({10, 99});  // 99 was never cached
  EXPECT_EQ(queue.cached_bytes(), 0);
}

TEST(ProcessQueue, PausesAtEachFlowControlThreshold) {
  const FlowControlLimits limits{.pull_threshold_for_queue = 3,
                                 .pull_threshold_size_for_queue_mib = 1,
                                 .consume_concurrently_max_span = 100};
  ProcessQueue by_count(0);
  by_count.PutMessages(Messages(0, 2), 2);
  EXPECT_FALSE(by_count.PauseReason(limits).has_value());
  by_count.PutMessages(Messages(2, 1), 3);
  EXPECT_EQ(by_count.PauseReason(limits), "3 cached messages");

  ProcessQueue by_bytes(0);
  by_bytes.PutMessages(Messages(0, 1, 1024 * 1024), 1);
  EXPECT_EQ(by_bytes.PauseReason(limits), "1048576 cached bytes");

  ProcessQueue by_span(0);
  by_span.PutMessages(Messages(0, 1), 1);
  by_span.PutMessages(Messages(100, 1), 101);
  EXPECT_EQ(by_span.PauseReason(limits), "offset span 100");
  (void)by_span.RemoveMessages({0});
  EXPECT_FALSE(by_span.PauseReason(limits).has_value()) << "consuming the low end narrows the span";
}

TEST(ProcessQueue, APausedPullResumesWhenConsumptionFreesRoom) {
  const FlowControlLimits limits{.pull_threshold_for_queue = 2};
  ProcessQueue queue(0);
  queue.PutMessages(Messages(0, 2), 2);
  EXPECT_FALSE(queue.WaitUntilPullable(limits, 0));
  std::thread consumer([&] { (void)queue.RemoveMessages({0}); });
  EXPECT_TRUE(queue.WaitUntilPullable(limits, 10000)) << "the removal must wake the waiting pull";
  consumer.join();
}

TEST(ProcessQueue, StoppingWakesAWaitingPullAndADropStopsToo) {
  const FlowControlLimits limits{.pull_threshold_for_queue = 1};
  ProcessQueue queue(0);
  queue.PutMessages(Messages(0, 1), 1);
  std::thread stopper([&] { queue.StopPulling(); });
  EXPECT_FALSE(queue.WaitUntilPullable(limits, 10000));
  stopper.join();
  EXPECT_TRUE(queue.pulling_stopped());
  EXPECT_FALSE(queue.dropped()) << "a stop for shutdown still lets consumed messages commit";
  EXPECT_FALSE(queue.SleepUnlessStopped(10000));

  ProcessQueue dropped(0);
  dropped.Drop();
  EXPECT_TRUE(dropped.dropped());
  EXPECT_TRUE(dropped.pulling_stopped());
}

TEST(ProcessQueue, ResetOffsetDropsTheCacheAndMovesThePullPosition) {
  ProcessQueue queue(0);
  queue.PutMessages(Messages(0, 3), 3);
  queue.ResetOffset(100);
  EXPECT_EQ(queue.cached_count(), 0);
  EXPECT_EQ(queue.cached_bytes(), 0);
  EXPECT_EQ(queue.CommitOffset(), 100);
  EXPECT_EQ(queue.RemoveMessages({1}), 100) << "a consume finishing after the reset changes nothing";
}

}  // namespace
}  // namespace raftmq::client
