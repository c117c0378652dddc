// RMQ_ASSERT: a check of an invariant the program itself keeps. It stays on in release
// builds (TigerBeetle's rule): a broken invariant in a replicated log must stop the process
// before it acknowledges or replicates anything wrong. Never assert on bytes read from disk
// or the network; those are operating errors and get a Status.
#pragma once

namespace raftmq::detail {
[[noreturn]] void AssertFailed(const char* expression, const char* file, int line, const char* message);
}  // namespace raftmq::detail

#define RMQ_ASSERT(condition)                                                        \
  do {                                                                               \
    if (!(condition)) [[unlikely]]                                                   \
      ::raftmq::detail::AssertFailed(#condition, __FILE__, __LINE__, nullptr);       \
  } while (false)

#define RMQ_ASSERT_MSG(condition, message)                                           \
  do {                                                                               \
    if (!(condition)) [[unlikely]]                                                   \
      ::raftmq::detail::AssertFailed(#condition, __FILE__, __LINE__, (message));     \
  } while (false)
