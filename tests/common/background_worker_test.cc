#include "common/background_worker.h"

#include <atomic>
#include <future>

#include <gtest/gtest.h>

#include "tests/support/poll.h"

namespace raftmq {
namespace {

using namespace std::chrono_literals;
using test_support::Eventually;

TEST(BackgroundWorker, RunsARoundAtStartAndOneMorePerWake) {
  std::atomic<int> rounds = 0;
  BackgroundWorker worker([&]() -> std::optional<std::chrono::milliseconds> {
    ++rounds;
    return std::nullopt;  // sleep until woken
  });
  worker.Start();
  ASSERT_TRUE(Eventually([&] { return rounds == 1; })) << "no first round";
  worker.Wake();
  ASSERT_TRUE(Eventually([&] { return rounds == 2; })) << "Wake ran no round";
  worker.Stop();
  EXPECT_EQ(rounds.load(), 2);
}

TEST(BackgroundWorker, AWakeDuringARoundRunsAnotherRound) {
  std::promise<void> in_first_round;
  std::promise<void> release_first_round;
  std::atomic<int> rounds = 0;
  BackgroundWorker worker([&]() -> std::optional<std::chrono::milliseconds> {
    if (++rounds == 1) {
      in_first_round.set_value();
      release_first_round.get_future().wait();
    }
    return std::nullopt;
  });
  worker.Start();
  in_first_round.get_future().wait();
  worker.Wake();  // while the first round runs: must not be lost
  release_first_round.set_value();
  EXPECT_TRUE(Eventually([&] { return rounds == 2; })) << "the wake during the round was lost";
  worker.Stop();
}

TEST(BackgroundWorker, StopEndsALongWaitAndNoRoundRunsAfterIt) {
  std::atomic<int> rounds = 0;
  BackgroundWorker worker([&]() -> std::optional<std::chrono::milliseconds> {
    ++rounds;
    return std::chrono::hours(1);
  });
  worker.Start();
  ASSERT_TRUE(Eventually([&] { return rounds == 1; }));
  auto stopped = std::async(std::launch::async, [&] { worker.Stop(); });
  ASSERT_EQ(stopped.wait_for(20s), std::future_status::ready) << "Stop waited out the round's hour";
  worker.Wake();
  worker.Stop();  // idempotent
  EXPECT_EQ(rounds.load(), 1);
}

TEST(BackgroundWorker, StopOfAWorkerNeverStartedRunsNothing) {
  std::atomic<int> rounds = 0;
  {
    BackgroundWorker worker([&]() -> std::optional<std::chrono::milliseconds> {
      ++rounds;
      return std::nullopt;
    });
    worker.Stop();
    worker.Start();  // after Stop: stays stopped
  }
  EXPECT_EQ(rounds.load(), 0);
}

}  // namespace
}  // namespace raftmq
