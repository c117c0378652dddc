#include "client/broker_client.h"

#include <spdlog/spdlog.h>

#include "common/assert.h"

namespace raftmq::client {

bool CallCanceller::Attach(grpc::ClientContext* context) {
  RMQ_ASSERT(context != nullptr);
  std::lock_guard lock(mutex_);
  RMQ_ASSERT(context_ == nullptr);
  if (cancelled_) return false;
  context_ = context;
  return true;
}

void CallCanceller::Detach() {
  std::lock_guard lock(mutex_);
  context_ = nullptr;
}

void CallCanceller::Cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

std::string BrokerClient::CorrectLeader(const std::string& group, const std::string& address,
                                        const grpc::ClientContext& context) {
  const std::string hint = LeaderHint(context);
  if (hint.empty() || hint == address) {
    directory_->RotateLeader(group, address);
    Result<std::string> next = directory_->LeaderAddress(group);
    spdlog::debug("group {}: {} is not its leader and named none; trying {}", group, address,
                  next.ok() ? *next : next.status().ToString());
    if (next.ok()) pool_->ConnectNowIfBackingOff(*next);
    return "";
  }
  directory_->SetLeader(group, hint);
  spdlog::debug("group {}: {} is not its leader and named {}", group, address, hint);
  pool_->ConnectNowIfBackingOff(hint);
  return hint;
}

void BrokerClient::SendMessageAsync(const std::string& group,
                                    std::shared_ptr<const messaging::SendMessageRequest> request, SendDone done) {
  RMQ_ASSERT(request != nullptr && done != nullptr);
  Result<std::string> address = directory_->LeaderAddress(group);
  if (!address.ok()) return done(address.status());
  // Lives until gRPC calls back: the context, the request and the response must outlive the call.
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    std::shared_ptr<const messaging::SendMessageRequest> request;
    messaging::SendMessageResponse response;
  };
  auto call = std::make_shared<Call>(Call{NewContext(rpc_timeout_ms_), std::move(request), {}});
  pool_->Messaging(*address)->async()->SendMessage(
      call->context.get(), call->request.get(), &call->response,
      [this, call, group, address = *address, done = std::move(done)](const grpc::Status& status) mutable {
        Result<messaging::SendMessageResponse> outcome = std::move(call->response);
        if (!status.ok()) {
          const Status error =
              FromBrokerGrpc(status, *call->context, "SendMessage to " + address + " (group " + group + ")");
          if (IsNodeUnanswering(error)) CorrectLeader(group, address, *call->context);
          outcome = error;
        }
        // The call ends before `done` runs: `done` may let the owner of the channels shut down,
        // and a context must not outlive them.
        call.reset();
        done(std::move(outcome));
      });
}

}  // namespace raftmq::client
