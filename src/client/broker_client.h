// BrokerClient: one unary call to a broker group's leader. The leader is the one the
// GroupDirectory believes in; a follower's UNAVAILABLE with `raftmq-leader-address` is
// followed at once, once, with no backoff (the hint is fresh); an UNAVAILABLE without a hint
// (node down or still electing) moves the belief to the next node of the group, so the next
// call meets a follower that names the leader.
//
// CallCanceller lets another thread cut a call short (a pull held 15 s at shutdown).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "client/channel_pool.h"
#include "client/group_directory.h"
#include "client/grpc_status.h"
#include "common/result.h"
#include "proto/messaging.grpc.pb.h"

namespace raftmq::client {

class CallCanceller {
 public:
  // False when Cancel already ran: the call must not start.
  bool Attach(grpc::ClientContext* context);
  void Detach();
  void Cancel();

 private:
  mutable std::mutex mutex_;
  grpc::ClientContext* context_ = nullptr;  // guarded by mutex_
  bool cancelled_ = false;                  // guarded by mutex_
};

class BrokerClient {
 public:
  template <typename Stub, typename Request, typename Response>
  using Method = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);

  // `pool` and `directory` must outlive the client.
  BrokerClient(ChannelPool* pool, GroupDirectory* directory, int64_t rpc_timeout_ms)
      : pool_(pool), directory_(directory), rpc_timeout_ms_(rpc_timeout_ms) {}

  // `name` names the call in errors; `timeout_ms` 0 = rpc_timeout_ms. When the call fails and
  // `error_trailers` is given, it receives the failed answer's trailing metadata (a pull's
  // OUT_OF_RANGE carries the queue's bounds there).
  template <typename Stub, typename Request, typename Response>
  Result<Response> CallLeader(const std::string& group, std::string_view name, Method<Stub, Request, Response> method,
                              const Request& request, int64_t timeout_ms = 0, CallCanceller* canceller = nullptr,
                              Trailers* error_trailers = nullptr);

  // One SendMessage to the group's believed leader without blocking: `done` runs on a gRPC
  // thread with the response or the error. A follower's hint (or a silent node) corrects the
  // GroupDirectory for the next call but is not followed here: the caller retries.
  using SendDone = std::function<void(Result<messaging::SendMessageResponse>)>;
  void SendMessageAsync(const std::string& group, std::shared_ptr<const messaging::SendMessageRequest> request,
                        SendDone done);

  // One call to one node, no leader following (NodeStatus of every node).
  template <typename Stub, typename Request, typename Response>
  Result<Response> CallNode(const std::string& address, std::string_view name, Method<Stub, Request, Response> method,
                            const Request& request);

 private:
  // After `address` answered UNAVAILABLE or not at all (deadline): believes a follower's hint,
  // or rotates past a node that named none. Returns the hint ("" when there was none to follow).
  std::string CorrectLeader(const std::string& group, const std::string& address, const grpc::ClientContext& context);

  ChannelPool* const pool_;
  GroupDirectory* const directory_;
  const int64_t rpc_timeout_ms_;
};

template <typename Stub, typename Request, typename Response>
Result<Response> BrokerClient::CallLeader(const std::string& group, std::string_view name,
                                          Method<Stub, Request, Response> method, const Request& request,
                                          int64_t timeout_ms, CallCanceller* canceller, Trailers* error_trailers) {
  RMQ_ASSIGN_OR_RETURN(std::string address, directory_->LeaderAddress(group));
  for (int attempt = 0;; ++attempt) {
    auto context = NewContext(timeout_ms > 0 ? timeout_ms : rpc_timeout_ms_);
    if (canceller != nullptr && !canceller->Attach(context.get())) return Status::Aborted("client shutting down");
    Response response;
    const grpc::Status status = (pool_->Get<Stub>(address)->*method)(context.get(), request, &response);
    if (canceller != nullptr) canceller->Detach();
    if (status.ok()) return response;
    const Status error = FromBrokerGrpc(status, *context, std::string(name) + " to " + address + " (group " + group + ")");
    if (error_trailers != nullptr) *error_trailers = CopyTrailers(*context);
    if (!IsNodeUnanswering(error)) return error;
    const std::string hint = CorrectLeader(group, address, *context);
    if (hint.empty()) return error;
    if (attempt > 0) return error;  // followed one hint already: the group is moving
    address = hint;
  }
}

template <typename Stub, typename Request, typename Response>
Result<Response> BrokerClient::CallNode(const std::string& address, std::string_view name,
                                        Method<Stub, Request, Response> method, const Request& request) {
  auto context = NewContext(rpc_timeout_ms_);
  Response response;
  const grpc::Status status = (pool_->Get<Stub>(address)->*method)(context.get(), request, &response);
  if (!status.ok()) return FromBrokerGrpc(status, *context, std::string(name) + " to " + address);
  return response;
}

}  // namespace raftmq::client
