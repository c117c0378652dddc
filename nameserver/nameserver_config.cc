#include "nameserver/nameserver_config.h"

namespace raftmq::nameserver {
namespace {

config::Schema<NameserverConfig> BuildSchema() {
  config::Schema<NameserverConfig> schema("raftmq-nameserver");
  RMQ_CONFIG_KEY(schema, listen_address, "host:port the gRPC service listens on (port 0: any free port)",
                 config::HostPort());
  RMQ_CONFIG_KEY(schema, broker_expiry_ms, "forget a broker node this long after its last heartbeat",
                 config::InRange<int64_t>(1000, 86400000));
  RMQ_CONFIG_KEY(schema, expiry_scan_interval_ms, "how often expired nodes are dropped from memory",
                 config::InRange<int64_t>(10, 3600000));
  RMQ_CONFIG_KEY(schema, brokers_max, "most broker nodes registered at once (over all groups)",
                 config::InRange<uint32_t>(1, 1000000));
  RMQ_CONFIG_KEY(schema, topics_per_broker_max, "most topics one node may report in a heartbeat",
                 config::InRange<uint32_t>(1, 1000000));
  RMQ_CONFIG_KEY(schema, queues_per_topic_max, "largest read or write queue count of a topic",
                 config::InRange<uint32_t>(1, 65536));
  RMQ_CONFIG_KEY(schema, name_bytes_max, "longest cluster, group or topic name",
                 config::InRange<uint32_t>(1, 1024));
  RMQ_CONFIG_KEY(schema, grpc_message_bytes_max, "largest gRPC request accepted (a heartbeat carries all topics)",
                 config::InRange<uint32_t>(64 * 1024, 1024 * 1024 * 1024));
  RMQ_CONFIG_KEY(schema, log_level, "trace, debug, info, warn or error",
                 config::OneOf({"trace", "debug", "info", "warn", "error"}));
  RMQ_CONFIG_KEY(schema, metrics_listen_address, "host:port serving Prometheus metrics at /metrics (\"\": none)");
  schema.AddCheck([](const NameserverConfig& config) {
    if (config.expiry_scan_interval_ms <= config.broker_expiry_ms) return Status::Ok();
    return Status::InvalidArgument("expiry_scan_interval_ms (" + std::to_string(config.expiry_scan_interval_ms) +
                                   ") must not exceed broker_expiry_ms (" + std::to_string(config.broker_expiry_ms) +
                                   ")");
  });
  return schema;
}

}  // namespace

const config::Schema<NameserverConfig>& NameserverConfigSchema() {
  static const config::Schema<NameserverConfig> schema = BuildSchema();
  return schema;
}

}  // namespace raftmq::nameserver
