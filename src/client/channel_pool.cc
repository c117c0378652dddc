#include "client/channel_pool.h"

#include "common/assert.h"

namespace raftmq::client {

ChannelPool::Stubs* ChannelPool::Find(const std::string& address) {
  RMQ_ASSERT(!address.empty());
  std::lock_guard lock(mutex_);
  std::unique_ptr<Stubs>& stubs = stubs_[address];
  if (!stubs) {
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(options_.grpc_message_bytes_max);
    arguments.SetMaxSendMessageSize(options_.grpc_message_bytes_max);
    // Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC takes it as the time a connection attempt may
    // take (20 s by default), and a loaded node could not finish a handshake in 100 ms.
    arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, static_cast<int>(options_.reconnect_backoff_ms_min));
    arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(options_.reconnect_backoff_ms_max));
    arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(options_.keepalive_time_ms));
    arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, static_cast<int>(options_.keepalive_timeout_ms));
    arguments.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);  // a held pull carries no data for seconds
    stubs = std::make_unique<Stubs>();
    stubs->channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
    stubs->messaging = messaging::MessagingService::NewStub(stubs->channel);
    stubs->admin = admin::AdminService::NewStub(stubs->channel);
    stubs->nameserver = nameserver::Nameserver::NewStub(stubs->channel);
  }
  RMQ_ASSERT(stubs->channel != nullptr);
  return stubs.get();
}

void ChannelPool::ConnectNowIfBackingOff(const std::string& address) {
  grpc::Channel* channel = Find(address)->channel.get();
  if (channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_TRANSIENT_FAILURE) {
    grpc::experimental::ChannelResetConnectionBackoff(channel);
  }
}

}  // namespace raftmq::client
