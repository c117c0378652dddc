#include "broker/long_polling_service.h"

#include <atomic>
#include <future>
#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "tests/support/manual_clock.h"

namespace raftmq::broker {
namespace {

using namespace std::chrono_literals;

// Queue max offsets the test controls, as the Dispatcher publishes them.
class Queues {
 public:
  uint64_t Max(const std::string& topic, int32_t queue) {
    std::lock_guard lock(mutex_);
    return max_[{topic, queue}];
  }
  void Grow(LongPollingService& service, const std::string& topic, int32_t queue, uint64_t max) {
    {
      std::lock_guard lock(mutex_);
      max_[{topic, queue}] = max;
    }
    service.Notify(topic, queue, max);
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, int32_t>, uint64_t> max_;
};

class LongPollingServiceTest : public ::testing::Test {
 protected:
  int64_t Now() const { return clock_.SteadyNowMs(); }

  ManualClock clock_;  // deadlines pass only when a test advances it
  Queues queues_;
  LongPollingService service_{4, [this](const std::string& t, int32_t q) { return queues_.Max(t, q); }, &clock_};
  void SetUp() override { service_.Start(); }
};

// A waker that answers once and reports why.
LongPollingService::Waker Answer(std::promise<WakeReason>* woken) {
  return [woken](WakeReason reason) -> std::optional<uint64_t> {
    woken->set_value(reason);
    return std::nullopt;
  };
}

TEST_F(LongPollingServiceTest, HeldPullWakesWhenItsQueueGrows) {
  std::promise<WakeReason> woken;
  ASSERT_TRUE(service_.Hold("t", 1, 0, Now() + 10'000, Answer(&woken)));
  queues_.Grow(service_, "t", 0, 5);  // another queue: no wake
  auto future = woken.get_future();
  EXPECT_EQ(future.wait_for(100ms), std::future_status::timeout) << "woke for another queue";
  queues_.Grow(service_, "t", 1, 1);
  ASSERT_EQ(future.wait_for(20s), std::future_status::ready) << "held pull never woke";
  EXPECT_EQ(future.get(), WakeReason::kArrived);  // the clock never moved: no timeout
  EXPECT_EQ(service_.HeldCount(), 0u);
}

TEST_F(LongPollingServiceTest, WakeGroupWakesThatGroupsReceivesOfTheQueueOnly) {
  std::promise<WakeReason> group;
  std::promise<WakeReason> pull;
  std::promise<WakeReason> other_group;
  std::promise<WakeReason> other_queue;
  ASSERT_TRUE(service_.Hold("t", 0, 0, Now() + 10'000, Answer(&group), "g"));
  ASSERT_TRUE(service_.Hold("t", 0, 0, Now() + 10'000, Answer(&pull)));
  ASSERT_TRUE(service_.Hold("t", 0, 0, Now() + 10'000, Answer(&other_group), "h"));
  ASSERT_TRUE(service_.Hold("t", 1, 0, Now() + 10'000, Answer(&other_queue), "g"));
  service_.WakeGroup("t", 0, "g");
  auto woken = group.get_future();
  ASSERT_EQ(woken.wait_for(20s), std::future_status::ready) << "the group's receive never woke";
  EXPECT_EQ(woken.get(), WakeReason::kArrived);
  EXPECT_EQ(service_.HeldCount(), 3u) << "woke a pull, another group's receive or another queue's";
  // The rest were still held: Stop answers them.
  service_.Stop();
  for (std::promise<WakeReason>* held : {&pull, &other_group, &other_queue}) {
    auto future = held->get_future();
    ASSERT_EQ(future.wait_for(0ms), std::future_status::ready);
    EXPECT_EQ(future.get(), WakeReason::kShutdown);
  }
}

// The node stopped leading: every held pull and receive, of every queue, answers now.
TEST_F(LongPollingServiceTest, WakeAllWakesEveryHeldCallWithItsReason) {
  std::promise<WakeReason> pull;
  std::promise<WakeReason> receive;
  ASSERT_TRUE(service_.Hold("t", 0, 0, Now() + 10'000, Answer(&pull)));
  ASSERT_TRUE(service_.Hold("u", 3, 7, Now() + 10'000, Answer(&receive), "g"));
  service_.WakeAll(WakeReason::kLeadershipLost);
  for (std::promise<WakeReason>* held : {&pull, &receive}) {
    auto future = held->get_future();
    ASSERT_EQ(future.wait_for(20s), std::future_status::ready) << "a held call never woke";
    EXPECT_EQ(future.get(), WakeReason::kLeadershipLost);
  }
  EXPECT_EQ(service_.HeldCount(), 0u);
  service_.WakeAll(WakeReason::kLeadershipLost);  // nothing held: nothing to do
}

TEST_F(LongPollingServiceTest, HeldPullTimesOutAtItsDeadline) {
  std::promise<WakeReason> woken;
  ASSERT_TRUE(service_.Hold("t", 0, 0, Now() + 100, Answer(&woken)));
  auto future = woken.get_future();
  clock_.AdvanceMs(99);
  service_.Recheck();
  EXPECT_EQ(future.wait_for(200ms), std::future_status::timeout) << "timed out before its deadline";
  clock_.AdvanceMs(1);
  service_.Recheck();
  ASSERT_EQ(future.wait_for(20s), std::future_status::ready) << "held pull never timed out";
  EXPECT_EQ(future.get(), WakeReason::kTimeout);
  EXPECT_EQ(service_.HeldCount(), 0u);
}

TEST_F(LongPollingServiceTest, MessageDispatchedBeforeHoldWakesAtOnce) {
  queues_.Grow(service_, "t", 0, 3);  // the pull read before this grew the queue
  std::promise<WakeReason> woken;
  ASSERT_TRUE(service_.Hold("t", 0, 2, Now() + 10'000, Answer(&woken)));
  auto future = woken.get_future();
  ASSERT_EQ(future.wait_for(20s), std::future_status::ready) << "lost wake-up";
  EXPECT_EQ(future.get(), WakeReason::kArrived);
}

TEST_F(LongPollingServiceTest, WakerThatFoundNoMatchKeepsWaitingFromItsNewOffset) {
  std::promise<WakeReason> woken;
  std::atomic<int> calls = 0;
  ASSERT_TRUE(service_.Hold("t", 0, 0, Now() + 10'000, [&](WakeReason reason) -> std::optional<uint64_t> {
    if (++calls == 1) return 1;  // the new message's tag did not match
    woken.set_value(reason);
    return std::nullopt;
  }));
  queues_.Grow(service_, "t", 0, 1);
  auto future = woken.get_future();
  EXPECT_EQ(future.wait_for(200ms), std::future_status::timeout) << "woke again without a new message";
  queues_.Grow(service_, "t", 0, 2);
  ASSERT_EQ(future.wait_for(20s), std::future_status::ready);
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(LongPollingServiceTest, RefusesBeyondRequestsMaxAndAnswersAllOnStop) {
  std::promise<WakeReason> woken[4];
  for (auto& promise : woken) ASSERT_TRUE(service_.Hold("t", 0, 0, Now() + 60'000, Answer(&promise)));
  EXPECT_FALSE(service_.Hold("t", 0, 0, Now() + 60'000, [](WakeReason) { return std::optional<uint64_t>(); }));
  service_.Stop();
  for (auto& promise : woken) EXPECT_EQ(promise.get_future().get(), WakeReason::kShutdown);
  EXPECT_FALSE(service_.Hold("t", 0, 0, Now() + 60'000, [](WakeReason) { return std::optional<uint64_t>(); }));
}

}  // namespace
}  // namespace raftmq::broker
