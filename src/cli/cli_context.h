// What every `raftmq` command shares: the global flags, how results are printed (a human
// table, or JSON with --json), and how failures end the process: one line on stderr,
// "raftmq: <what went wrong>", and exit code kExitFailure (the cluster refused or could not be
// reached) or kExitUsage (bad flags; CLI11 reports those).
//
// Thread-safety: one command runs on the main thread; Print* may be called from listener
// threads (they take one mutex).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "client/client_options.h"
#include "common/result.h"

namespace raftmq::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct GlobalOptions {
  std::string nameserver = "127.0.0.1:9876";  // or $RAFTMQ_NAMESERVER; "host:port[,host:port]"
  bool json = false;
  bool verbose = false;
  int64_t rpc_timeout_ms = 3000;
};

// A command's work, run after parsing; returns the exit code.
using Action = std::function<int()>;

// Builds client options from the global flags; InvalidArgument naming a bad address.
Result<client::ClientOptions> ToClientOptions(const GlobalOptions& global);

// "raftmq: <message>" on stderr (newlines flattened); returns kExitFailure.
int Fail(const Status& status);
int Fail(const std::string& message);

// Prints a table: a header of upper-case column names, then the rows, columns padded.
void PrintTable(const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows);
// Prints `value` as one line of JSON.
void PrintJson(const nlohmann::json& value);
// Prints one line of text (serialised with the other Print* calls).
void PrintLine(const std::string& line);

// A body of `bytes` bytes, a-z repeated (send --size, bench).
std::string GeneratedBody(int64_t bytes);

// Each adds its subcommand to `app`; the subcommand's callback stores its work in `*action`.
void AddClusterCommand(CLI::App& app, const GlobalOptions& global, Action* action);
void AddTopicCommand(CLI::App& app, const GlobalOptions& global, Action* action);
void AddSendCommand(CLI::App& app, const GlobalOptions& global, Action* action);
void AddConsumeCommand(CLI::App& app, const GlobalOptions& global, Action* action);
void AddGroupCommand(CLI::App& app, const GlobalOptions& global, Action* action);
// add-node, remove-node, replace-node and status under `group` (membership_command.cc).
void AddMembershipCommands(CLI::App* group, const GlobalOptions& global, Action* action);
void AddLeaderCommand(CLI::App& app, const GlobalOptions& global, Action* action);
void AddBenchCommand(CLI::App& app, const GlobalOptions& global, Action* action);

}  // namespace raftmq::cli
