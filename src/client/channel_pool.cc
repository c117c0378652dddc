#include "client/channel_pool.h"

#include "common/assert.h"

namespace raftmq::client {

ChannelPool::Stubs* ChannelPool::Find(const std::string& address) {
  RMQ_ASSERT(!address.empty());
  std::lock_guard lock(mutex_);
  std::unique_ptr<Stubs>& stubs = stubs_[address];
  if (!stubs) {
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(grpc_message_bytes_max_);
    arguments.SetMaxSendMessageSize(grpc_message_bytes_max_);
    stubs = std::make_unique<Stubs>();
    stubs->channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
    stubs->messaging = messaging::MessagingService::NewStub(stubs->channel);
    stubs->admin = admin::AdminService::NewStub(stubs->channel);
    stubs->nameserver = nameserver::Nameserver::NewStub(stubs->channel);
  }
  RMQ_ASSERT(stubs->channel != nullptr);
  return stubs.get();
}

}  // namespace raftmq::client
