// ChildProcess: a real server binary run by a test. Its stdout and stderr are captured (a
// reader thread drains both, so the child never blocks on a full pipe); a test waits for a
// line (say, "listening on") or for the exit, each with a bound and a failure message that
// shows what the child printed. The destructor SIGKILLs the child's whole process group and
// reaps it, so a failing test never leaks a server.
//
//   auto child = ChildProcess::Start(RAFTMQ_NAMESERVER_BINARY, {"--listen_address=127.0.0.1:0"});
//   ASSERT_TRUE(child.ok()) << child.status().ToString();
//   auto line = (*child)->WaitForLine("listening on", std::chrono::seconds(10));
//   ASSERT_TRUE(line.ok()) << line.status().ToString();
//
// Thread-safety: one test thread drives a ChildProcess; the reader thread is internal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"

namespace raftmq::test_support {

class ChildProcess {
 public:
  enum class Stream { kStdout, kStderr, kEither };

  // Spawns `path` with `args` (argv[1..]) in a new process group. IoError if it cannot.
  static Result<std::unique_ptr<ChildProcess>> Start(const std::string& path, const std::vector<std::string>& args);
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // The first complete line on `stream` containing `needle`. Unavailable (with the output so
  // far) on timeout, or as soon as the child has exited without printing it.
  Result<std::string> WaitForLine(std::string_view needle, std::chrono::milliseconds timeout,
                                  Stream stream = Stream::kEither);
  // The exit code, or 128 + signal number when a signal ended it; Unavailable on timeout.
  Result<int> WaitForExit(std::chrono::milliseconds timeout);
  // Sends `signal` and waits for the exit; on timeout SIGKILLs and returns Unavailable.
  Result<int> Stop(std::chrono::milliseconds timeout, int signal = SIGTERM);
  // SIGSTOP, then waits until every thread of the child has stopped (/proc/<pid>/task/*/stat
  // state T): kill() only starts a group stop, and on a loaded machine a thread already
  // running went on serving calls for a while (a "paused" broker answered a send). Unavailable
  // on timeout.
  Status Suspend(std::chrono::milliseconds timeout);

  std::string StdoutText() const;
  std::string StderrText() const;

 private:
  ChildProcess(pid_t pid, int pidfd, int stdout_fd, int stderr_fd, int wake_fd_read, int wake_fd_write);
  void ReadOutput();
  std::optional<std::string> FindLineLocked(std::string_view needle, Stream stream) const;
  std::string OutputSummaryLocked() const;

  const pid_t pid_;
  const int pidfd_;       // becomes readable when the child exits
  const int stdout_fd_;   // read ends of the child's stdout/stderr pipes
  const int stderr_fd_;
  const int wake_fd_read_;   // written by the destructor to stop the reader
  const int wake_fd_write_;
  std::optional<int> exit_code_;  // set once reaped

  mutable std::mutex mutex_;
  std::condition_variable output_cv_;
  std::string stdout_text_;  // guarded by mutex_
  std::string stderr_text_;  // guarded by mutex_
  bool output_closed_ = false;  // both pipes at EOF; guarded by mutex_
  std::thread reader_;
};

}  // namespace raftmq::test_support
