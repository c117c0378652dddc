// raftmq-broker: one node of a broker group. Loads the configuration (--help lists every key,
// --print-config prints the effective one), starts storage, Raft and the gRPC services,
// prints "raftmq-broker listening on <host:port>" on stdout once serving, and stops cleanly
// on SIGTERM or SIGINT (exit 0). Exit 1 when it cannot start (the log says why); exit 3
// (kExitStorageFatal) when its storage cannot be trusted any more (corruption, a failed
// fsync; one log line says which): a restart recovers from the last durable point.
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "common/grpc_process.h"
#include "common/shutdown_signals.h"
#include "broker/broker_config.h"
#include "broker/broker_node.h"

int main(int argc, char** argv) {
  raftmq::TuneGrpcProcess();
  const sigset_t signals = raftmq::BlockShutdownSignals();
  const raftmq::broker::BrokerOptions options = raftmq::broker::BrokerConfigSchema().LoadOrExit(argc, argv);

  spdlog::set_default_logger(spdlog::stderr_color_mt("broker"));
  spdlog::set_level(spdlog::level::from_str(options.log_level));

  auto node = raftmq::broker::BrokerNode::Start(options);
  if (!node.ok()) {
    spdlog::error("cannot start: {}", node.status().ToString());
    return 1;
  }
  std::cout << "raftmq-broker listening on " << (*node)->bound_address() << std::endl;
  spdlog::info("node {} of {} serving on {}", options.node_id, options.broker_group, (*node)->bound_address());

  const int signal_number = raftmq::WaitForShutdownSignal(signals);
  spdlog::info("{} received: shutting down", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*node)->Stop();
  spdlog::info("stopped");
  return 0;
}
