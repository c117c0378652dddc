#include "client/client_instance.h"

#include <unistd.h>

#include <atomic>

#include "common/host_port.h"

namespace raftmq::client {
namespace {

std::string NewClientId(const std::string& instance_name) {
  static std::atomic<uint64_t> counter{0};
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host) + "@" + std::to_string(getpid()) + "@" + instance_name + "#" +
         std::to_string(counter.fetch_add(1));
}

}  // namespace

ClientInstance::ClientInstance(const ClientOptions& options)
    : options_(options),
      client_id_(NewClientId(options.instance_name)),
      pool_(options),
      nameservers_(options.nameserver_addresses, options.rpc_timeout_ms, &pool_, &directory_),
      routes_(&nameservers_, options.poll_name_server_interval_ms),
      brokers_(&pool_, &directory_, options.rpc_timeout_ms) {}

Status ValidateClientOptions(const ClientOptions& options) {
  if (options.nameserver_addresses.empty()) return Status::InvalidArgument("no nameserver address given");
  for (const std::string& address : options.nameserver_addresses) {
    auto parsed = ParseHostPort(address);
    if (!parsed.ok()) return parsed.status().WithContext("nameserver address '" + address + "'");
    if (parsed->port == 0) return Status::InvalidArgument("nameserver address '" + address + "': port 0");
  }
  if (options.rpc_timeout_ms <= 0) return Status::InvalidArgument("rpc_timeout_ms must be positive");
  if (options.poll_name_server_interval_ms <= 0) {
    return Status::InvalidArgument("poll_name_server_interval_ms must be positive");
  }
  if (options.grpc_message_bytes_max <= 0) return Status::InvalidArgument("grpc_message_bytes_max must be positive");
  if (options.reconnect_backoff_ms_min <= 0 || options.reconnect_backoff_ms_max < options.reconnect_backoff_ms_min) {
    return Status::InvalidArgument("reconnect_backoff_ms_min must be positive and at most reconnect_backoff_ms_max");
  }
  if (options.keepalive_time_ms <= 0 || options.keepalive_timeout_ms <= 0) {
    return Status::InvalidArgument("keepalive_time_ms and keepalive_timeout_ms must be positive");
  }
  return Status::Ok();
}

}  // namespace raftmq::client
