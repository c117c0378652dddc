// NameserverServer: one running nameserver — the RouteTable, its gRPC service on
// listen_address, and the thread that drops expired nodes every expiry_scan_interval_ms.
// main() starts one; tests may start one in-process. With metrics_listen_address set it also
// serves Prometheus metrics (live nodes, expired nodes).
//
// Lifecycle: Start() returns a serving server; Shutdown() (or the destructor) stops the
// scan thread and drains gRPC calls. Thread-safety: Shutdown() may be called once, from any
// one thread; the accessors are safe at any time.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "common/result.h"
#include "metrics/metrics_exporter.h"
#include "common/background_worker.h"
#include "common/clock.h"
#include "nameserver/nameserver_config.h"
#include "nameserver/nameserver_service.h"
#include "nameserver/route_table.h"

namespace raftmq::nameserver {

class NameserverServer {
 public:
  // Unavailable when listen_address cannot be bound. `clock` must outlive the server.
  static Result<std::unique_ptr<NameserverServer>> Start(const NameserverConfig& config, const Clock* clock);
  ~NameserverServer();

  NameserverServer(const NameserverServer&) = delete;
  NameserverServer& operator=(const NameserverServer&) = delete;

  // host:port actually bound (the port filled in when listen_address asked for port 0).
  const std::string& bound_address() const { return bound_address_; }
  RouteTable& route_table() { return table_; }

  void Shutdown();

 private:
  NameserverServer(const NameserverConfig& config, const Clock* clock);
  std::optional<std::chrono::milliseconds> ExpiryScan();
  Status ExportMetrics();

  RouteTable table_;
  NameserverService service_;
  std::unique_ptr<grpc::Server> server_;
  std::string bound_address_;

  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> nodes_expired_total_{0};
  BackgroundWorker expiry_;  // drops brokers that missed their heartbeats
  // Last: destroyed first, while what it reads still exists.
  std::unique_ptr<metrics::MetricsExporter> metrics_;
};

}  // namespace raftmq::nameserver
