// LeaderForwarder: how a follower serves the RocketMQ 5 clients' sends and pops instead of
// refusing them. SendMessage, ReceiveMessage (a server stream, relayed message by message),
// AckMessage, ChangeInvisibleDuration and ForwardMessageToDeadLetterQueue that reach a node
// that does not lead are made again, over gRPC, to the leader this node knows, and the
// leader's answer is relayed unchanged. Clients that keep an endpoint after a failover (the
// Node.js PushConsumer keys its queues by broker name, never by address) go on being served
// there once the old leader is back as a follower.
//
// One hop at most: the relayed call carries kForwardedKey, and a node that receives a call
// carrying it serves it itself (the leader does; a node that lost leadership meanwhile
// answers HA_NOT_AVAILABLE naming the leader it knows, which is relayed back). A node that
// leads, or knows no leader, serves the call itself, as without forwarding.
//
// The relayed call carries the client's `x-mq-*` headers and `authorization` (what the
// official clients send), the client's deadline, and is cancelled when the client's call is.
// A relay that fails (the leader died, the deadline passed) answers the v2 status of the
// gRPC error (HA_NOT_AVAILABLE, PROXY_TIMEOUT, ...): as through Apache's proxy, a send whose
// relay failed may have been stored, and the client's retry is at least once.
//
// One stub per leader address (broker/member_addresses.h: a node added online is reached
// too), made on the first relay to it and kept (a relay in flight holds it; addresses are
// few), so the relays in flight are bounded by the client calls only.
//
// Threading: from gRPC's threads; relays complete on gRPC's callback threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "broker/broker_options.h"
#include "broker/replicator.h"
#include "broker/v2/status_codes.h"
#include "proto/apache/rocketmq/v2/service.grpc.pb.h"

namespace raftmq::broker::v2 {

// Set (to the forwarding node's id) on a relayed call.
inline constexpr char kForwardedKey[] = "x-raftmq-forwarded";

// The node a call goes to: the leader `status` knows, or kNoNode to serve it here (this node
// leads, no leader is known, or the call was `forwarded` already).
NodeId ForwardTarget(const ReplicaStatus& status, bool forwarded);

class LeaderForwarder {
 public:
  using Stub = pb::MessagingService::Stub;
  using Async = Stub::async_interface;
  template <typename Request, typename Response>
  using UnaryMethod = void (Async::*)(grpc::ClientContext*, const Request*, Response*,
                                      std::function<void(grpc::Status)>);
  // Starts the relayed unary call on `stub` with `client`; `done` runs once with its status.
  using StartUnary = std::function<void(Stub* stub, grpc::ClientContext* client, std::function<void(grpc::Status)> done)>;

  LeaderForwarder(const BrokerOptions* options, const Replicator* replicator);

  // `call` relayed to the leader by `method` (e.g. &Async::SendMessage), the leader's answer
  // in `response`; or nullptr: serve it here.
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* call, const Request* request, Response* response,
                                  UnaryMethod<Request, Response> method) const {
    return Relay(
        call,
        [request, response, method](Stub* stub, grpc::ClientContext* client, std::function<void(grpc::Status)> done) {
          (stub->async()->*method)(client, request, response, std::move(done));
        },
        [response](pb::Status failed) { *response->mutable_status() = std::move(failed); });
  }

  // A receive relayed to the leader, streamed back as the leader streams it; or nullptr.
  grpc::ServerWriteReactor<pb::ReceiveMessageResponse>* Receive(grpc::CallbackServerContext* call,
                                                               const pb::ReceiveMessageRequest* request) const;

 private:
  struct Target {
    std::string address;
    Stub* stub = nullptr;
  };

  // Where `call` goes; no stub: serve it here.
  Target TargetOf(const grpc::CallbackServerContext* call) const;
  grpc::ServerUnaryReactor* Relay(grpc::CallbackServerContext* call, StartUnary start,
                                  std::function<void(pb::Status)> fail) const;

  const BrokerOptions* const options_;
  const Replicator* const replicator_;
  grpc::ChannelArguments channel_arguments_;
  mutable std::mutex mutex_;
  // By address; never erased.
  mutable std::map<std::string, std::unique_ptr<Stub>> stubs_;
};

}  // namespace raftmq::broker::v2
