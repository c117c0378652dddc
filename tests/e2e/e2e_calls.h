// Plain gRPC calls the end-to-end tests make against a broker node: one message sent, a
// queue read from an offset to its end, an offset committed and read back. They return the
// gRPC status as is: the tests assert on codes and on leader hints.
//
// Thread-safety: free functions; safe from any thread (gRPC stubs are).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "proto/messaging.grpc.pb.h"
#include "tests/support/cluster.h"

namespace raftmq::e2e {

// The harness names every end-to-end test uses, brought into this namespace once.
using test_support::Cluster;
using test_support::ClusterOptions;
using test_support::kClusterWait;
using Clock = std::chrono::steady_clock;

struct SendOutcome {
  grpc::Status status;
  messaging::SendMessageResponse response;
  std::string leader_hint;  // the `raftmq-leader-address` trailer, "" when absent
};

messaging::Message TextMessage(const std::string& topic, const std::string& body);
SendOutcome Send(messaging::MessagingService::Stub* stub, const messaging::SendMessageRequest& request,
                 std::chrono::milliseconds timeout);
SendOutcome SendText(messaging::MessagingService::Stub* stub, const std::string& topic, int queue_id,
                     const std::string& body, std::chrono::milliseconds timeout);

// Every message of the queue from `offset` to its current end, in order (several pulls).
grpc::Status PullToEnd(messaging::MessagingService::Stub* stub, const std::string& topic, int queue_id,
                       int64_t offset, std::vector<messaging::MessageExt>* messages);

// One read's status with its `raftmq-leader-address` trailer ("" when absent).
struct ReadOutcome {
  grpc::Status status;
  std::string leader_hint;
};
// A single pull from `offset` (no long polling).
ReadOutcome PullOnce(messaging::MessagingService::Stub* stub, const std::string& topic, int queue_id, int64_t offset,
                     std::chrono::milliseconds timeout, messaging::PullMessageResponse* response);
// A consumer group's committed offset.
ReadOutcome QueryOffsetOnce(messaging::MessagingService::Stub* stub, const std::string& group, const std::string& topic,
                            int queue_id, std::chrono::milliseconds timeout, int64_t* offset);

grpc::Status CommitOffset(messaging::MessagingService::Stub* stub, const std::string& group,
                          const std::string& topic, int queue_id, int64_t offset);
grpc::Status QueryOffset(messaging::MessagingService::Stub* stub, const std::string& group,
                         const std::string& topic, int queue_id, int64_t* offset);

}  // namespace raftmq::e2e
