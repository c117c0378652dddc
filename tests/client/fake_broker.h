// FakeBroker: an in-memory stand-in for one raftmq-broker node, serving the real
// MessagingService and AdminService protos over real gRPC on 127.0.0.1, for testing the client
// library until the broker binary runs (tests/client/*_integration_test.cc). It is the seam
// for the faults the client must handle: a follower that answers writes with UNAVAILABLE and
// a leader hint, a stalled node (every call hangs, as under SIGSTOP, until resumed), a slow
// node (a delay before each send is answered).
//
// What it keeps: topics (read = write queue count), messages per queue, committed offsets,
// consumers from heartbeats (expired after consumer_expiry_ms, dropped on unregister). Pulls
// are long-polled. Tags are filtered ("*", "", "a || b"). It does no Raft and no persistence.
//
// Thread-safety: every method may be called from any thread; gRPC calls run on its threads.
#pragma once

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "common/result.h"
#include "proto/admin.grpc.pb.h"
#include "proto/messaging.grpc.pb.h"

namespace raftmq::client::testing {

struct FakeBrokerOptions {
  std::string cluster_name = "test";
  std::string group_name = "g1";
  uint64_t node_id = 1;
  std::vector<std::string> topics;       // created at start
  int32_t queues_per_topic = 4;
  int64_t consumer_expiry_ms = 3000;
  std::string leader_hint;               // non-empty: a follower naming this leader
};

class FakeBroker {
 public:
  static Result<std::unique_ptr<FakeBroker>> Start(FakeBrokerOptions options);
  ~FakeBroker();

  const std::string& address() const { return address_; }
  const FakeBrokerOptions& options() const { return options_; }

  // One RegisterBroker to the nameserver at `nameserver_address` (role LEADER unless a
  // follower), with every topic.
  Status RegisterWith(const std::string& nameserver_address, uint64_t term = 1);

  // Every call waits while stalled (until resumed or its deadline), like a SIGSTOPped process.
  void Stall();
  void Resume();
  void SetSendDelayMs(int64_t delay_ms);

  int64_t sends_received() const;       // SendMessage calls answered OK
  int64_t send_calls() const;           // SendMessage calls arrived (answered or not)
  int64_t pull_calls() const;           // PullMessage calls arrived
  int64_t write_calls_refused() const;  // UNAVAILABLE answers with a leader hint
  int64_t MaxOffset(const std::string& topic, int32_t queue_id) const;
  // -1 when never committed.
  int64_t CommittedOffset(const std::string& group, const std::string& topic, int32_t queue_id) const;
  std::vector<std::string> Consumers(const std::string& group) const;

  // Service internals, public for the service adapters in fake_broker.cc.
  grpc::Status Send(grpc::ServerContext* context, const messaging::SendMessageRequest& request,
                    messaging::SendMessageResponse* response);
  grpc::Status Pull(grpc::ServerContext* context, const messaging::PullMessageRequest& request,
                    messaging::PullMessageResponse* response);
  grpc::Status Commit(grpc::ServerContext* context, const messaging::CommitOffsetRequest& request);
  grpc::Status Query(grpc::ServerContext* context, const messaging::QueryOffsetRequest& request,
                     messaging::QueryOffsetResponse* response);
  grpc::Status Heartbeat(grpc::ServerContext* context, const messaging::HeartbeatRequest& request);
  grpc::Status ConsumerList(grpc::ServerContext* context, const messaging::GetConsumerListRequest& request,
                            messaging::GetConsumerListResponse* response);
  grpc::Status SendBack(grpc::ServerContext* context, const messaging::SendBackMessageRequest& request);
  grpc::Status Describe(grpc::ServerContext* context, const std::string& topic, admin::TopicResponse* response);
  grpc::Status Create(grpc::ServerContext* context, const admin::TopicConfig& topic, admin::TopicResponse* response);
  grpc::Status List(grpc::ServerContext* context, admin::ListTopicsResponse* response);
  grpc::Status NodeStatus(grpc::ServerContext* context, admin::NodeStatusResponse* response);
  grpc::Status Offsets(grpc::ServerContext* context, const admin::GroupOffsetsRequest& request,
                       admin::GroupOffsetsResponse* response);

 private:
  using QueueKey = std::pair<std::string, int32_t>;
  using OffsetKey = std::tuple<std::string, std::string, int32_t>;

  explicit FakeBroker(FakeBrokerOptions options);
  // Waits out a stall; false (the call fails) when the client's deadline passed meanwhile.
  bool PassStall(grpc::ServerContext* context);
  grpc::Status RefuseWrite(grpc::ServerContext* context);
  void AppendLocked(const std::string& topic, int32_t queue_id, messaging::Message message,
                    messaging::SendResult* result);

  const FakeBrokerOptions options_;
  std::string address_;
  std::unique_ptr<grpc::Service> messaging_service_;
  std::unique_ptr<grpc::Service> admin_service_;
  std::unique_ptr<grpc::Server> server_;

  mutable std::mutex mutex_;
  std::condition_variable changed_cv_;  // a message appended, or the stall lifted
  bool stalled_ = false;
  int64_t send_delay_ms_ = 0;
  int64_t sends_received_ = 0;
  int64_t send_calls_ = 0;
  int64_t pull_calls_ = 0;
  int64_t write_calls_refused_ = 0;
  std::map<std::string, int32_t> topics_;  // name -> queue count
  std::map<QueueKey, std::vector<messaging::MessageExt>> queues_;
  std::map<OffsetKey, int64_t> offsets_;
  std::map<std::string, std::map<std::string, int64_t>> consumers_;  // group -> client id -> last heartbeat
};

}  // namespace raftmq::client::testing
