// NameserverConfig: every setting and limit of raftmq-nameserver, with its default. The keys
// are declared (name = field, doc, validator) in nameserver_config.cc; `raftmq-nameserver
// --print-config` prints them all as TOML.
//
// Thread-safety: a plain value; copy it or share it read-only.
#pragma once

#include <cstdint>
#include <string>

#include "common/config_schema.h"

namespace raftmq::nameserver {

struct NameserverConfig {
  std::string listen_address = "127.0.0.1:9876";
  int64_t broker_expiry_ms = 120000;
  int64_t expiry_scan_interval_ms = 10000;
  uint32_t brokers_max = 1024;
  uint32_t topics_per_broker_max = 16384;
  uint32_t queues_per_topic_max = 1024;
  uint32_t name_bytes_max = 127;
  uint32_t grpc_message_bytes_max = 16 * 1024 * 1024;
  std::string log_level = "info";
  // Prometheus metrics at http://<metrics_listen_address>/metrics ("" serves none).
  std::string metrics_listen_address;
};

const config::Schema<NameserverConfig>& NameserverConfigSchema();

}  // namespace raftmq::nameserver
