#include "client/thread_pool.h"

#include <atomic>
#include <future>

#include <gtest/gtest.h>

namespace raftmq::client {
namespace {

TEST(ThreadPool, ShutdownRunsEveryTaskAlreadySubmitted) {
  std::atomic<int> ran{0};
  ThreadPool pool(2, 1000);
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(pool.Submit([&] { ran.fetch_add(1); }));
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 500);
  EXPECT_FALSE(pool.Submit([&] { ran.fetch_add(1); })) << "a shut-down pool refuses";
  EXPECT_EQ(ran.load(), 500);
}

TEST(ThreadPool, SubmitBlocksWhileTheQueueIsFull) {
  ThreadPool pool(1, 1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(pool.Submit([released] { released.wait(); }));  // occupies the thread
  ASSERT_TRUE(pool.Submit([] {}));                             // fills the queue
  auto third = std::async(std::launch::async, [&] { return pool.Submit([] {}); });
  EXPECT_EQ(third.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout)
      << "the third submit must wait for room";
  release.set_value();
  EXPECT_TRUE(third.get());
}

}  // namespace
}  // namespace raftmq::client
