#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tests/support/poll.h"

extern char** environ;

namespace raftmq::test_support {
namespace {

constexpr size_t kSummaryBytesMax = 4096;  // of each stream, in failure messages
constexpr size_t kReadChunkBytes = 64 * 1024;

Status Errno(std::string_view what) { return Status::IoError(std::string(what) + ": " + std::strerror(errno)); }

std::string Tail(const std::string& text) {
  return text.size() <= kSummaryBytesMax ? text : "..." + text.substr(text.size() - kSummaryBytesMax);
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  RMQ_ASSERT(WIFSIGNALED(status));
  return 128 + WTERMSIG(status);
}

// Spawn attributes: a new process group (so the destructor can kill what the child spawns)
// and default signal handling whatever the test process has set.
Status InitSpawnAttributes(posix_spawnattr_t* attributes) {
  if (posix_spawnattr_init(attributes) != 0) return Errno("posix_spawnattr_init");
  sigset_t none;
  sigset_t defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int signal : {SIGTERM, SIGINT, SIGPIPE, SIGHUP}) sigaddset(&defaults, signal);
  posix_spawnattr_setpgroup(attributes, 0);
  posix_spawnattr_setsigmask(attributes, &none);
  posix_spawnattr_setsigdefault(attributes, &defaults);
  posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::string& path,
                                                          const std::vector<std::string>& args) {
  int out_pipe[2];
  int err_pipe[2];
  int wake_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 || pipe2(wake_pipe, O_CLOEXEC) != 0) {
    return Errno("pipe2");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawnattr_t attributes;
  RMQ_RETURN_IF_ERROR(InitSpawnAttributes(&attributes));
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawn_error = posix_spawn(&pid, path.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawn_error != 0) {
    for (int fd : {out_pipe[0], err_pipe[0], wake_pipe[0], wake_pipe[1]}) close(fd);
    return Status::IoError("cannot start " + path + ": " + std::strerror(spawn_error));
  }
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  RMQ_ASSERT_MSG(pidfd >= 0, "pidfd_open failed (Linux >= 5.3 needed)");
  return std::unique_ptr<ChildProcess>(
      new ChildProcess(pid, pidfd, out_pipe[0], err_pipe[0], wake_pipe[0], wake_pipe[1]));
}

ChildProcess::ChildProcess(pid_t pid, int pidfd, int stdout_fd, int stderr_fd, int wake_fd_read, int wake_fd_write)
    : pid_(pid),
      pidfd_(pidfd),
      stdout_fd_(stdout_fd),
      stderr_fd_(stderr_fd),
      wake_fd_read_(wake_fd_read),
      wake_fd_write_(wake_fd_write),
      reader_([this] { ReadOutput(); }) {}

ChildProcess::~ChildProcess() {
  if (!exit_code_) {
    kill(-pid_, SIGKILL);  // the whole group: the child and anything it spawned
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  const char wake = 1;
  [[maybe_unused]] ssize_t written = write(wake_fd_write_, &wake, 1);
  reader_.join();
  for (int fd : {pidfd_, stdout_fd_, stderr_fd_, wake_fd_read_, wake_fd_write_}) close(fd);
}

void ChildProcess::ReadOutput() {
  pollfd fds[3] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}, {wake_fd_read_, POLLIN, 0}};
  std::string* targets[2] = {&stdout_text_, &stderr_text_};
  std::vector<char> chunk(kReadChunkBytes);
  int open_streams = 2;
  while (open_streams > 0) {
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) break;  // the destructor is done with us
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, chunk.data(), chunk.size());
      std::lock_guard lock(mutex_);
      if (n > 0) {
        targets[i]->append(chunk.data(), static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_streams;
      }
    }
    output_cv_.notify_all();
  }
  std::lock_guard lock(mutex_);
  output_closed_ = true;
  output_cv_.notify_all();
}

std::optional<std::string> ChildProcess::FindLineLocked(std::string_view needle, Stream stream) const {
  for (const std::string* text : {&stdout_text_, &stderr_text_}) {
    if ((stream == Stream::kStdout && text != &stdout_text_) || (stream == Stream::kStderr && text != &stderr_text_)) {
      continue;
    }
    size_t begin = 0;
    for (size_t end = text->find('\n'); end != std::string::npos; begin = end + 1, end = text->find('\n', begin)) {
      std::string_view line(text->data() + begin, end - begin);
      if (line.find(needle) != std::string_view::npos) return std::string(line);
    }
  }
  return std::nullopt;
}

std::string ChildProcess::OutputSummaryLocked() const {
  return "\n--- stdout so far ---\n" + Tail(stdout_text_) + "\n--- stderr so far ---\n" + Tail(stderr_text_);
}

Result<std::string> ChildProcess::WaitForLine(std::string_view needle, std::chrono::milliseconds timeout,
                                              Stream stream) {
  std::unique_lock lock(mutex_);
  std::optional<std::string> line;
  const bool done = output_cv_.wait_for(lock, timeout, [&] {
    line = FindLineLocked(needle, stream);
    return line.has_value() || output_closed_;
  });
  if (line) return *line;
  const std::string why = done ? "the process closed its output (exited?)" : "timed out";
  return Status::Unavailable(why + " after waiting up to " + std::to_string(timeout.count()) +
                             " ms for a line containing '" + std::string(needle) + "'" + OutputSummaryLocked());
}

Result<int> ChildProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (exit_code_) return *exit_code_;
  pollfd fd{pidfd_, POLLIN, 0};
  int ready = 0;
  do {
    ready = poll(&fd, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) {
    std::lock_guard lock(mutex_);
    return Status::Unavailable("process " + std::to_string(pid_) + " still running after " +
                               std::to_string(timeout.count()) + " ms" + OutputSummaryLocked());
  }
  int status = 0;
  RMQ_ASSERT(waitpid(pid_, &status, 0) == pid_);
  exit_code_ = DecodeWaitStatus(status);
  // The output is complete once the pipes close; wait briefly so callers see all of it.
  std::unique_lock lock(mutex_);
  output_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return output_closed_; });
  return *exit_code_;
}

Result<int> ChildProcess::Stop(std::chrono::milliseconds timeout, int signal) {
  if (!exit_code_) kill(pid_, signal);
  Result<int> exit_code = WaitForExit(timeout);
  if (exit_code.ok()) return exit_code;
  kill(-pid_, SIGKILL);
  [[maybe_unused]] Result<int> killed = WaitForExit(std::chrono::seconds(10));
  return Status::Unavailable("did not exit on signal " + std::to_string(signal) + ", killed: " +
                             exit_code.status().message());
}

namespace {

// True when every thread of `pid` is in state T (stopped) or t (traced).
bool EveryThreadStopped(pid_t pid) {
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // "tid (comm) S ...": the comm may hold spaces and parentheses, the state follows the last ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size()) return false;
    const char state = line[close + 2];
    if (state != 'T' && state != 't') return false;
  }
  return !error;
}

}  // namespace

Status ChildProcess::Suspend(std::chrono::milliseconds timeout) {
  if (::kill(pid_, SIGSTOP) != 0) return Errno("SIGSTOP " + std::to_string(pid_));
  if (PollUntil([&] { return EveryThreadStopped(pid_); }, timeout)) return Status::Ok();
  return Status::Unavailable("process " + std::to_string(pid_) + " did not stop within " +
                             std::to_string(timeout.count()) + " ms of SIGSTOP");
}

std::string ChildProcess::StdoutText() const {
  std::lock_guard lock(mutex_);
  return stdout_text_;
}

std::string ChildProcess::StderrText() const {
  std::lock_guard lock(mutex_);
  return stderr_text_;
}

}  // namespace raftmq::test_support
