// LogCapture: while it lives, spdlog's default logger writes into the capture instead of the
// console, so a test can check what a component logged (or that it logged no error).
//
// Threading: lines may be logged from any thread (the sink locks); construct and destroy it on
// the test's thread, with no thread of the test's own logging across either moment.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

namespace raftmq::test_support {

class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Every captured line, formatted as spdlog's default pattern does ("[date] [capture] [level] ...").
  std::string Text() const;
  // The captured lines at `level` or above, one string each.
  std::vector<std::string> LinesAtLeast(spdlog::level::level_enum level) const;

 private:
  class Sink;
  std::shared_ptr<Sink> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace raftmq::test_support
