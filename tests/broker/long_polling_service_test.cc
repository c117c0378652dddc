#include "broker/long_polling_service.h"

#include <atomic>
#include <future>
#include <map>
#include <mutex>

#include <gtest/gtest.h>

namespace raftmq::broker {
namespace {

using namespace std::chrono_literals;
using Clock = LongPollingService::Clock;

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
  LongPollingService service_{4, [this](const std::string& t, int32_t q) { return queues_.Max(t, q); }};
  Queues queues_;
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
  auto start = Clock::now();
  ASSERT_TRUE(service_.Hold("t", 1, 0, start + 10s, Answer(&woken)));
  queues_.Grow(service_, "t", 0, 5);  // another queue: no wake
  queues_.Grow(service_, "t", 1, 1);
  auto future = woken.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready) << "held pull never woke";
  EXPECT_EQ(future.get(), WakeReason::kArrived);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(service_.HeldCount(), 0u);
}

TEST_F(LongPollingServiceTest, HeldPullTimesOutAtItsDeadline) {
  std::promise<WakeReason> woken;
  auto deadline = Clock::now() + 100ms;
  ASSERT_TRUE(service_.Hold("t", 0, 0, deadline, Answer(&woken)));
  auto future = woken.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready) << "held pull never timed out";
  EXPECT_EQ(future.get(), WakeReason::kTimeout);
  EXPECT_GE(Clock::now(), deadline);
  EXPECT_LT(Clock::now() - deadline, 500ms);
}

TEST_F(LongPollingServiceTest, MessageDispatchedBeforeHoldWakesAtOnce) {
  queues_.Grow(service_, "t", 0, 3);  // the pull read before this grew the queue
  std::promise<WakeReason> woken;
  ASSERT_TRUE(service_.Hold("t", 0, 2, Clock::now() + 10s, Answer(&woken)));
  auto future = woken.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready) << "lost wake-up";
  EXPECT_EQ(future.get(), WakeReason::kArrived);
}

TEST_F(LongPollingServiceTest, WakerThatFoundNoMatchKeepsWaitingFromItsNewOffset) {
  std::promise<WakeReason> woken;
  std::atomic<int> calls = 0;
  ASSERT_TRUE(service_.Hold("t", 0, 0, Clock::now() + 10s, [&](WakeReason reason) -> std::optional<uint64_t> {
    if (++calls == 1) return 1;  // the new message's tag did not match
    woken.set_value(reason);
    return std::nullopt;
  }));
  queues_.Grow(service_, "t", 0, 1);
  auto future = woken.get_future();
  EXPECT_EQ(future.wait_for(200ms), std::future_status::timeout) << "woke again without a new message";
  queues_.Grow(service_, "t", 0, 2);
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(LongPollingServiceTest, RefusesBeyondRequestsMaxAndAnswersAllOnStop) {
  std::promise<WakeReason> woken[4];
  for (auto& promise : woken) ASSERT_TRUE(service_.Hold("t", 0, 0, Clock::now() + 60s, Answer(&promise)));
  EXPECT_FALSE(service_.Hold("t", 0, 0, Clock::now() + 60s, [](WakeReason) { return std::optional<uint64_t>(); }));
  service_.Stop();
  for (auto& promise : woken) EXPECT_EQ(promise.get_future().get(), WakeReason::kShutdown);
  EXPECT_FALSE(service_.Hold("t", 0, 0, Clock::now() + 60s, [](WakeReason) { return std::optional<uint64_t>(); }));
}

}  // namespace
}  // namespace raftmq::broker
