#include "client/name_server_client.h"

#include "client/grpc_status.h"
#include "common/assert.h"

namespace raftmq::client {

NameServerClient::NameServerClient(std::vector<std::string> addresses, int64_t rpc_timeout_ms, ChannelPool* pool,
                                   GroupDirectory* directory)
    : addresses_(std::move(addresses)), rpc_timeout_ms_(rpc_timeout_ms), pool_(pool), directory_(directory) {
  RMQ_ASSERT(!addresses_.empty());
  RMQ_ASSERT(rpc_timeout_ms_ > 0);
}

template <typename Call>
Status NameServerClient::CallAny(std::string_view what, const Call& call) {
  Status last;
  const size_t first = preferred_.load();
  for (size_t i = 0; i < addresses_.size(); ++i) {
    const size_t index = (first + i) % addresses_.size();
    const std::string& address = addresses_[index];
    auto context = NewContext(rpc_timeout_ms_);
    const grpc::Status status = call(pool_->Nameserver(address), context.get());
    last = FromGrpc(status, std::string(what) + " from nameserver " + address);
    if (!IsNodeUnanswering(last)) {
      preferred_.store(index);
      return last;
    }
  }
  RMQ_ASSERT(!last.ok());
  return last;
}

Result<nameserver::GetRouteInfoByTopicResponse> NameServerClient::GetRoute(const std::string& topic) {
  nameserver::GetRouteInfoByTopicRequest request;
  request.set_topic(topic);
  nameserver::GetRouteInfoByTopicResponse response;
  RMQ_RETURN_IF_ERROR(CallAny("GetRouteInfoByTopic", [&](nameserver::Nameserver::Stub* stub, grpc::ClientContext* c) {
    return stub->GetRouteInfoByTopic(c, request, &response);
  }));
  for (const nameserver::GroupRoute& group : response.groups()) directory_->Update(group.group());
  return response;
}

Result<nameserver::GetClusterInfoResponse> NameServerClient::GetClusterInfo() {
  nameserver::GetClusterInfoResponse response;
  RMQ_RETURN_IF_ERROR(CallAny("GetClusterInfo", [&](nameserver::Nameserver::Stub* stub, grpc::ClientContext* c) {
    return stub->GetClusterInfo(c, nameserver::GetClusterInfoRequest(), &response);
  }));
  for (const nameserver::GroupInfo& group : response.groups()) directory_->Update(group);
  return response;
}

}  // namespace raftmq::client
