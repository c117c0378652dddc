#include "chaos/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace raftmq::chaos {
namespace {

std::mutex g_log_mutex;
std::string g_command_log;  // guarded by g_log_mutex

void LogCommand(const std::string& command, int status, const std::string& output) {
  std::lock_guard lock(g_log_mutex);
  if (g_command_log.empty()) return;
  std::ofstream log(g_command_log, std::ios::app);
  log << "$ " << command << "  (exit " << status << ")\n" << output;
}

Result<std::pair<int, std::string>> Execute(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return Status::IoError("cannot run: " + command);
  std::string output;
  std::array<char, 4096> buffer{};
  size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), got);
  const int raw = ::pclose(pipe);
  const int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  LogCommand(command, status, output);
  return std::make_pair(status, output);
}

}  // namespace

void SetCommandLog(const std::string& path) {
  std::lock_guard lock(g_log_mutex);
  g_command_log = path;
}

Status RunCommand(const std::string& command) {
  auto result = Execute(command);
  if (!result.ok()) return result.status();
  if (result->first != 0) {
    return Status::IoError(command + " exited with " + std::to_string(result->first) + ": " + result->second);
  }
  return Status::Ok();
}

Result<std::string> CaptureCommand(const std::string& command) {
  auto result = Execute(command);
  if (!result.ok()) return result.status();
  if (result->first != 0) {
    return Status::IoError(command + " exited with " + std::to_string(result->first) + ": " + result->second);
  }
  return result->second;
}

Result<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::IoError("cannot open " + log_path);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return Status::IoError("fork failed");
  }
  if (pid == 0) {
    ::setsid();
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the harness blocks SIGINT/SIGTERM/SIGUSR1
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "cannot exec %s\n", args[0]);
    ::_exit(127);
  }
  ::close(log_fd);
  return pid;
}

bool IsAlive(pid_t pid) {
  if (pid <= 0) return false;
  siginfo_t info{};
  // WNOWAIT: look without reaping, so Topology::ReapExited can still learn how it ended.
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  return info.si_pid == 0;
}

void KillAndReap(pid_t pid, int64_t timeout_ms) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  ::kill(pid, SIGCONT);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (IsAlive(pid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!IsAlive(pid)) ::waitpid(pid, nullptr, WNOHANG);
}

uint64_t FileSize(const std::string& path) {
  struct stat stats {};
  return ::stat(path.c_str(), &stats) == 0 ? static_cast<uint64_t>(stats.st_size) : 0;
}

Status WaitForLogLine(const std::string& log_path, uint64_t offset, const std::string& needle, pid_t pid,
                      int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::ifstream log(log_path);
    log.seekg(static_cast<std::streamoff>(offset));
    std::stringstream text;
    text << log.rdbuf();
    if (text.str().find(needle) != std::string::npos) return Status::Ok();
    if (!IsAlive(pid)) return Status::Unavailable("exited at start (see " + log_path + ")");
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable("no '" + needle + "' within " + std::to_string(timeout_ms) + " ms (see " + log_path + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace raftmq::chaos
