// raftmq: the command line of a raftmq cluster. `raftmq --help` lists the commands; every
// command has --help, prints tables by default and JSON with --json. Exit codes: 0 success,
// 1 the operation failed (cluster unreachable, refused), 2 bad flags.
#include <algorithm>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "common/grpc_process.h"
#include "cli/cli_context.h"

int main(int argc, char** argv) {
  raftmq::TuneGrpcProcess();
  using namespace raftmq::cli;
  GlobalOptions global;
  CLI::App app("raftmq: command line of a raftmq cluster", "raftmq");
  app.option_defaults()->always_capture_default();
  app.add_option("--nameserver", global.nameserver, "nameserver address(es), host:port[,host:port]")
      ->envname("RAFTMQ_NAMESERVER");
  app.add_flag("--json", global.json, "print JSON instead of tables");
  app.add_flag("--verbose", global.verbose, "log the client library's warnings and progress on stderr");
  app.add_option("--rpc-timeout-ms", global.rpc_timeout_ms, "deadline of each call to the cluster")
      ->check(CLI::Range(int64_t{1}, int64_t{600000}));
  app.require_subcommand(1);
  app.fallthrough();

  Action action;
  AddClusterCommand(app, global, &action);
  AddTopicCommand(app, global, &action);
  AddSendCommand(app, global, &action);
  AddConsumeCommand(app, global, &action);
  AddGroupCommand(app, global, &action);
  AddLeaderCommand(app, global, &action);
  AddBenchCommand(app, global, &action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    std::string message = error.what();
    // An unknown word is reported as a missing subcommand by CLI11: name the word instead.
    if (const auto extras = app.remaining(); !extras.empty()) message = "unknown command or argument '" + extras.front() + "'";
    std::replace(message.begin(), message.end(), '\n', ' ');
    std::cerr << "raftmq: " << message << " (see --help)" << std::endl;
    return kExitUsage;
  }
  auto logger = spdlog::stderr_color_mt("raftmq");
  spdlog::set_default_logger(logger);
  spdlog::set_level(global.verbose ? spdlog::level::info : spdlog::level::off);
  if (!action) {
    std::cerr << "raftmq: no command given (see --help)" << std::endl;
    return kExitUsage;
  }
  return action();
}
