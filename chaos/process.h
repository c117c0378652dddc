// Processes and commands the harness runs: `ip`, `iptables`, `mount` as commands (their output
// goes to the run's commands.log), brokers and the nameserver as children in their own session.
//
// Threading: any thread; Spawn/Signal/Reap of one pid from one thread at a time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace raftmq::chaos {

// Where RunCommand appends each command and its output ("" = /dev/null).
void SetCommandLog(const std::string& path);
// Runs `command` with /bin/sh; IoError with the exit status and output when it fails.
Status RunCommand(const std::string& command);
// Runs it and returns its standard output.
Result<std::string> CaptureCommand(const std::string& command);

// Starts argv[0] with argv in a new session, stdin from /dev/null, stdout and stderr appended
// to `log_path`.
Result<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log_path);
// True while `pid` (our child) has not exited; never reaps it (KillAndReap and
// Topology::ReapExited do).
bool IsAlive(pid_t pid);
// SIGKILLs `pid` (continuing it first) and reaps it; waits at most `timeout_ms`.
void KillAndReap(pid_t pid, int64_t timeout_ms);
// Waits until `log_path` grew past `offset` by a line containing `needle`, `pid` exited or
// `timeout_ms` passed.
Status WaitForLogLine(const std::string& log_path, uint64_t offset, const std::string& needle, pid_t pid,
                      int64_t timeout_ms);
uint64_t FileSize(const std::string& path);

}  // namespace raftmq::chaos
