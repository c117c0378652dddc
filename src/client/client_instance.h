// ClientInstance: the shared machinery of one producer, consumer or admin client (RocketMQ's
// MQClientInstance): channels, the nameserver client, the group directory, the route cache
// and the leader-following broker client, plus this client's id.
//
// Thread-safety: every member is thread-safe; the instance itself is immutable after
// construction.
#pragma once

#include <string>

#include "client/broker_client.h"
#include "client/channel_pool.h"
#include "client/client_options.h"
#include "client/group_directory.h"
#include "client/name_server_client.h"
#include "client/route_cache.h"

namespace raftmq::client {

class ClientInstance {
 public:
  explicit ClientInstance(const ClientOptions& options);

  ClientInstance(const ClientInstance&) = delete;
  ClientInstance& operator=(const ClientInstance&) = delete;

  const ClientOptions& options() const { return options_; }
  // "host@pid@instance_name#n": unique per client object in a process, stable for its life.
  const std::string& client_id() const { return client_id_; }
  NameServerClient& nameservers() { return nameservers_; }
  RouteCache& routes() { return routes_; }
  BrokerClient& brokers() { return brokers_; }
  GroupDirectory& directory() { return directory_; }

 private:
  const ClientOptions options_;
  const std::string client_id_;
  ChannelPool pool_;
  GroupDirectory directory_;
  NameServerClient nameservers_;
  RouteCache routes_;
  BrokerClient brokers_;
};

// InvalidArgument naming the bad entry when a ClientOptions field is out of range.
Status ValidateClientOptions(const ClientOptions& options);

}  // namespace raftmq::client
