#include "nameserver/nameserver_server.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "common/grpc_listen.h"
#include "common/host_port.h"

namespace raftmq::nameserver {

NameserverServer::NameserverServer(const NameserverConfig& config, const Clock* clock)
    : table_(config, clock), service_(&table_), expiry_([this] { return ExpiryScan(); }) {}

Result<std::unique_ptr<NameserverServer>> NameserverServer::Start(const NameserverConfig& config,
                                                                   const Clock* clock) {
  RMQ_ASSIGN_OR_RETURN(HostPort listen, ParseHostPort(config.listen_address));
  std::unique_ptr<NameserverServer> server(new NameserverServer(config, clock));
  grpc::ServerBuilder builder;
  int port = 0;
  ListenExclusively(&builder, config.listen_address, &port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.grpc_message_bytes_max));
  builder.RegisterService(&server->service_);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || port == 0) {
    if (server->server_ != nullptr) server->server_->Shutdown();
    return Status::Unavailable("cannot listen on " + config.listen_address + " (address in use or not local?)");
  }
  const bool ipv6 = listen.host.find(':') != std::string::npos;
  server->bound_address_ = (ipv6 ? "[" + listen.host + "]" : listen.host) + ":" + std::to_string(port);
  server->expiry_.Start();
  RMQ_RETURN_IF_ERROR(server->ExportMetrics());
  return server;
}

Status NameserverServer::ExportMetrics() {
  const std::string& address = table_.config().metrics_listen_address;
  if (address.empty()) return Status::Ok();
  RMQ_ASSIGN_OR_RETURN(metrics_, metrics::MetricsExporter::Start(address, {{"nameserver", bound_address_}}));
  metrics_->Add({
      {"raftmq_nameserver_nodes", "broker nodes registered and not expired", metrics::MetricKind::kGauge,
       [this] { return static_cast<double>(table_.node_count()); }},
      {"raftmq_nameserver_nodes_expired_total", "broker nodes dropped for missing heartbeats",
       metrics::MetricKind::kCounter, [this] { return static_cast<double>(nodes_expired_total_.load()); }},
  });
  return Status::Ok();
}

NameserverServer::~NameserverServer() { Shutdown(); }

void NameserverServer::Shutdown() {
  if (stopping_.exchange(true)) return;
  expiry_.Stop();
  if (server_ != nullptr) {
    // Calls in flight get a short grace period; a heartbeat is cheap and idempotent.
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    server_->Wait();
  }
}

std::optional<std::chrono::milliseconds> NameserverServer::ExpiryScan() {
  nodes_expired_total_ += table_.ExpireNodes();
  return std::chrono::milliseconds(table_.config().expiry_scan_interval_ms);
}

}  // namespace raftmq::nameserver
