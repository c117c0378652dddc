// raftmq-nameserver: loads the configuration (--help lists every key), serves the route
// table over gRPC, prints "raftmq-nameserver listening on <host:port>" on stdout once
// serving, and shuts down cleanly on SIGTERM or SIGINT (exit 0).
#include <csignal>
#include <cstdio>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "nameserver/nameserver_config.h"
#include "nameserver/nameserver_server.h"

namespace {

// Blocks SIGTERM and SIGINT in every thread (gRPC's included, hence first) so that only the
// main thread's sigwait() receives them: no async-signal-safety concerns.
sigset_t BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
  const sigset_t signals = BlockShutdownSignals();
  using raftmq::nameserver::NameserverConfigSchema;
  const raftmq::nameserver::NameserverConfig config = NameserverConfigSchema().LoadOrExit(argc, argv);

  auto logger = spdlog::stderr_color_mt("nameserver");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  raftmq::nameserver::SystemClock clock;
  auto server = raftmq::nameserver::NameserverServer::Start(config, &clock);
  if (!server.ok()) {
    spdlog::error("cannot start: {}", server.status().ToString());
    return 1;
  }
  std::cout << "raftmq-nameserver listening on " << (*server)->bound_address() << std::endl;
  spdlog::info("serving on {} (broker_expiry_ms={})", (*server)->bound_address(), config.broker_expiry_ms);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("{} received: shutting down", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown();
  spdlog::info("stopped");
  return 0;
}
