#include "common/assert.h"

#include <cstdio>
#include <cstdlib>

namespace raftmq::detail {

void AssertFailed(const char* expression, const char* file, int line, const char* message) {
  std::fprintf(stderr, "raftmq: assertion failed at %s:%d: %s%s%s\n", file, line, expression,
               message ? ": " : "", message ? message : "");
  std::fflush(stderr);
  std::abort();
}

}  // namespace raftmq::detail
