// raftmq-nameserver: loads the configuration (--help lists every key), serves the route
// table over gRPC, prints "raftmq-nameserver listening on <host:port>" on stdout once
// serving, and shuts down cleanly on SIGTERM or SIGINT (exit 0).
#include <cstdio>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "common/grpc_process.h"
#include "common/shutdown_signals.h"
#include "nameserver/nameserver_config.h"
#include "nameserver/nameserver_server.h"

int main(int argc, char** argv) {
  raftmq::TuneGrpcProcess();
  const sigset_t signals = raftmq::BlockShutdownSignals();
  using raftmq::nameserver::NameserverConfigSchema;
  const raftmq::nameserver::NameserverConfig config = NameserverConfigSchema().LoadOrExit(argc, argv);

  auto logger = spdlog::stderr_color_mt("nameserver");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  raftmq::SystemClock clock;
  auto server = raftmq::nameserver::NameserverServer::Start(config, &clock);
  if (!server.ok()) {
    spdlog::error("cannot start: {}", server.status().ToString());
    return 1;
  }
  std::cout << "raftmq-nameserver listening on " << (*server)->bound_address() << std::endl;
  spdlog::info("serving on {} (broker_expiry_ms={})", (*server)->bound_address(), config.broker_expiry_ms);

  const int signal_number = raftmq::WaitForShutdownSignal(signals);
  spdlog::info("{} received: shutting down", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown();
  spdlog::info("stopped");
  return 0;
}
