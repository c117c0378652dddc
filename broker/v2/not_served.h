// The answer of a RocketMQ 5 RPC raftmq does not serve yet: its response with Status
// NOT_IMPLEMENTED naming the RPC, the gRPC status OK (the protocol's errors travel in the
// body; a client maps the code to its "unsupported" error, never a transport failure).
//
// Threading: from gRPC's threads; the stream reactor deletes itself in OnDone.
#pragma once

#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "broker/v2/status_codes.h"

namespace raftmq::broker::v2 {

inline pb::Status NotServedStatus(std::string_view rpc) {
  return MakeStatus(pb::NOT_IMPLEMENTED, std::string(rpc) + " is not served by raftmq yet");
}

// A unary RPC: `response` (with a `status` field) answers at once.
template <typename Response>
grpc::ServerUnaryReactor* AnswerNotServed(grpc::CallbackServerContext* call, Response* response, std::string_view rpc) {
  *response->mutable_status() = NotServedStatus(rpc);
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

// A server-streaming RPC (ReceiveMessage, PullMessage): one response holding the status,
// then the end of the stream, as the protocol answers a failed receive.
template <typename Response>
class NotServedStream final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit NotServedStream(std::string_view rpc) {
    *response_.mutable_status() = NotServedStatus(rpc);
    this->StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
  }
  void OnDone() override { delete this; }

 private:
  Response response_;
};

}  // namespace raftmq::broker::v2
