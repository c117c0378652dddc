// PollUntil and Eventually: the one bounded wait of the tests, for states only observable by
// asking (a leader elected, a pull held, a rebalance settled), never a substitute for an
// awaitable event and never a timing assertion. `condition` is evaluated at once and then every
// kPollInterval until it holds or `limit` passes.
//
// Thread-safety: free functions; `condition` runs on the calling thread.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <gtest/gtest.h>

namespace raftmq::test_support {

inline constexpr std::chrono::milliseconds kPollInterval{10};
// Generous: only a failing test waits this long, and a loaded machine (or a sanitizer build)
// is many times slower than a quiet one.
inline constexpr std::chrono::milliseconds kPollLimit{20000};

// True once `condition` held; false when `limit` passed first.
bool PollUntil(const std::function<bool()>& condition, std::chrono::milliseconds limit = kPollLimit);

// For assertions: ASSERT_TRUE(Eventually([&] { return held == 1; })) << "the pull was never
// held"; a failure reads "still false after 20000 ms" plus the caller's message.
inline ::testing::AssertionResult Eventually(const std::function<bool()>& condition,
                                             std::chrono::milliseconds limit = kPollLimit) {
  if (PollUntil(condition, limit)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "still false after " << limit.count() << " ms (polled every "
                                       << kPollInterval.count() << " ms)";
}

}  // namespace raftmq::test_support
