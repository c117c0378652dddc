#include "broker/v2/leader_forwarder.h"

#include <atomic>
#include <string_view>
#include <utility>

#include "common/assert.h"

namespace raftmq::broker::v2 {
namespace {

// A leader that restarts at its address is reached again within a second: the default
// backoff (up to 120 s) would keep a follower relaying to a dead channel long after.
constexpr int kReconnectBackoffMsMin = 100;
constexpr int kReconnectBackoffMsMax = 1000;
static_assert(kReconnectBackoffMsMin <= kReconnectBackoffMsMax);

constexpr std::string_view kClientHeaderPrefix = "x-mq-";
constexpr std::string_view kAuthorizationHeader = "authorization";

bool IsForwarded(const grpc::CallbackServerContext* call) {
  return call->client_metadata().count(grpc::string_ref(kForwardedKey)) > 0;
}

// The relayed call of `call`: its client's headers, its deadline, and the marker.
void PrepareClient(const grpc::CallbackServerContext* call, NodeId self, grpc::ClientContext* client) {
  for (const auto& [key, value] : call->client_metadata()) {
    const std::string_view name(key.data(), key.size());
    if (name.substr(0, kClientHeaderPrefix.size()) != kClientHeaderPrefix && name != kAuthorizationHeader) continue;
    client->AddMetadata(std::string(name), std::string(value.data(), value.size()));
  }
  client->AddMetadata(kForwardedKey, std::to_string(self));
  client->set_deadline(call->deadline());
}

pb::Status RelayFailed(const std::string& address, const grpc::Status& status) {
  RMQ_ASSERT(!status.ok());
  return FromGrpc({status.error_code(), "forwarding to the leader at " + address + " failed: " + status.error_message()});
}

// Deletes itself once both the client's call and the relayed one are done.
class UnaryRelay final : public grpc::ServerUnaryReactor {
 public:
  UnaryRelay(const grpc::CallbackServerContext* call, NodeId self, std::string address, LeaderForwarder::Stub* stub,
             const LeaderForwarder::StartUnary& start, std::function<void(pb::Status)> fail)
      : address_(std::move(address)), fail_(std::move(fail)) {
    PrepareClient(call, self, &client_);
    start(stub, &client_, [this](grpc::Status status) {
      if (!status.ok()) fail_(RelayFailed(address_, status));
      Finish(grpc::Status::OK);
      Release();
    });
  }

  void OnCancel() override { client_.TryCancel(); }
  void OnDone() override { Release(); }

 private:
  void Release() {
    if (pending_.fetch_sub(1) == 1) delete this;
  }

  const std::string address_;
  const std::function<void(pb::Status)> fail_;
  grpc::ClientContext client_;
  std::atomic<int> pending_{2};  // the client's call and the relayed one
};

// A receive's stream relayed: reads and writes alternate (one message buffered), so a slow
// client slows the leader's stream instead of filling memory. The client side holds the
// relayed call open until it read to the end, so its OnDone never comes with a write pending.
class ReceiveRelay final : public grpc::ServerWriteReactor<pb::ReceiveMessageResponse> {
 public:
  ReceiveRelay(const grpc::CallbackServerContext* call, const pb::ReceiveMessageRequest* request, NodeId self,
               std::string address, LeaderForwarder::Stub* stub)
      : address_(std::move(address)), upstream_(this) {
    PrepareClient(call, self, &client_);
    stub->async()->ReceiveMessage(&client_, request, &upstream_);
    upstream_.AddHold();
    upstream_.StartRead(&message_);
    upstream_.StartCall();
  }

  void OnWriteDone(bool ok) override {
    written_ = true;
    if (!ok) client_.TryCancel();  // the client is gone: end the relayed call, then read it out
    upstream_.StartRead(&message_);
  }
  void OnCancel() override { client_.TryCancel(); }
  void OnDone() override { Release(); }

 private:
  class Upstream final : public grpc::ClientReadReactor<pb::ReceiveMessageResponse> {
   public:
    explicit Upstream(ReceiveRelay* relay) : relay_(relay) {}
    void OnReadDone(bool ok) override {
      if (ok) return relay_->StartWrite(&relay_->message_);
      RemoveHold();
    }
    void OnDone(const grpc::Status& status) override { relay_->UpstreamDone(status); }

   private:
    ReceiveRelay* const relay_;
  };

  // The leader's stream ended: its status, or the relay's failure as the receive's only
  // answer when nothing was relayed yet (once something was, the gRPC error as it is).
  void UpstreamDone(const grpc::Status& status) {
    if (status.ok()) {
      Finish(grpc::Status::OK);
    } else if (!written_) {
      message_.Clear();
      *message_.mutable_status() = RelayFailed(address_, status);
      StartWriteAndFinish(&message_, grpc::WriteOptions(), grpc::Status::OK);
    } else {
      Finish(status);
    }
    Release();
  }

  void Release() {
    if (pending_.fetch_sub(1) == 1) delete this;
  }

  const std::string address_;
  grpc::ClientContext client_;
  Upstream upstream_;
  pb::ReceiveMessageResponse message_;
  bool written_ = false;  // only touched between a write and the next read: never concurrently
  std::atomic<int> pending_{2};  // the client's call and the relayed one
};

}  // namespace

NodeId ForwardTarget(const ReplicaStatus& status, bool forwarded) {
  if (forwarded || status.role == ReplicaRole::kLeader) return kNoNode;
  if (status.leader == status.id) return kNoNode;  // a stale view of itself: never relay to itself
  return status.leader;
}

LeaderForwarder::LeaderForwarder(const BrokerOptions* options, const Replicator* replicator)
    : options_(options), replicator_(replicator) {
  RMQ_ASSERT(options_ != nullptr && replicator_ != nullptr);
  channel_arguments_.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, kReconnectBackoffMsMin);
  channel_arguments_.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, kReconnectBackoffMsMin);
  channel_arguments_.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kReconnectBackoffMsMax);
  // A relayed send or receive is as large as the client's may be.
  channel_arguments_.SetMaxSendMessageSize(options_->GrpcMessageBytesMax());
  channel_arguments_.SetMaxReceiveMessageSize(options_->GrpcMessageBytesMax());
}

LeaderForwarder::Target LeaderForwarder::TargetOf(const grpc::CallbackServerContext* call) const {
  const NodeId leader = ForwardTarget(replicator_->GetStatus(), IsForwarded(call));
  if (leader == kNoNode) return {};
  std::string address = replicator_->MemberAddress(leader);
  if (address.empty()) return {};
  std::lock_guard lock(mutex_);
  std::unique_ptr<Stub>& stub = stubs_[address];
  if (stub == nullptr) {
    stub = pb::MessagingService::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), channel_arguments_));
  }
  return {std::move(address), stub.get()};
}

grpc::ServerUnaryReactor* LeaderForwarder::Relay(grpc::CallbackServerContext* call, StartUnary start,
                                                 std::function<void(pb::Status)> fail) const {
  Target target = TargetOf(call);
  if (target.stub == nullptr) return nullptr;
  return new UnaryRelay(call, options_->node_id, std::move(target.address), target.stub, start, std::move(fail));
}

grpc::ServerWriteReactor<pb::ReceiveMessageResponse>* LeaderForwarder::Receive(
    grpc::CallbackServerContext* call, const pb::ReceiveMessageRequest* request) const {
  Target target = TargetOf(call);
  if (target.stub == nullptr) return nullptr;
  return new ReceiveRelay(call, request, options_->node_id, std::move(target.address), target.stub);
}

}  // namespace raftmq::broker::v2
