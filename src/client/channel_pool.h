// ChannelPool: one gRPC channel (and its stubs) per address, created on first use and kept for
// the client's life; gRPC reconnects a channel by itself (with the options' reconnect
// backoff), so a channel is never replaced.
//
// Invariant: a returned stub pointer stays valid until the pool is destroyed.
// Thread-safety: every method may be called from any thread; stubs are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>

#include "client/client_options.h"
#include "proto/admin.grpc.pb.h"
#include "proto/messaging.grpc.pb.h"
#include "proto/nameserver.grpc.pb.h"

namespace raftmq::client {

class ChannelPool {
 public:
  explicit ChannelPool(const ClientOptions& options) : options_(options) {}

  messaging::MessagingService::Stub* Messaging(const std::string& address) { return Find(address)->messaging.get(); }
  admin::AdminService::Stub* Admin(const std::string& address) { return Find(address)->admin.get(); }
  nameserver::Nameserver::Stub* Nameserver(const std::string& address) { return Find(address)->nameserver.get(); }

  // The stub of type `Stub` for `address` (one of the three above).
  template <typename Stub>
  Stub* Get(const std::string& address);

  // The client is about to call `address` as a group's leader: a channel still waiting out
  // its reconnect backoff (the node was down) tries to connect at once instead.
  void ConnectNowIfBackingOff(const std::string& address);

 private:
  struct Stubs {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<messaging::MessagingService::Stub> messaging;
    std::unique_ptr<admin::AdminService::Stub> admin;
    std::unique_ptr<nameserver::Nameserver::Stub> nameserver;
  };
  Stubs* Find(const std::string& address);

  const ClientOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Stubs>> stubs_;  // guarded by mutex_; never erased
};

template <>
inline messaging::MessagingService::Stub* ChannelPool::Get(const std::string& address) {
  return Messaging(address);
}
template <>
inline admin::AdminService::Stub* ChannelPool::Get(const std::string& address) {
  return Admin(address);
}

}  // namespace raftmq::client
