// PullHandler: one PullMessage call — validate, read what is there, and when nothing is, hold
// the call in the LongPollingService (no thread waits) until its queue grows or its timeout
// (capped at long_polling_hold_ms_max) passes.
//
// Statuses: INVALID_ARGUMENT (names, negative numbers, tag expression, queue id not below
// read_queue_nums), NOT_FOUND (unknown topic), PERMISSION_DENIED (no PERM_READ),
// OUT_OF_RANGE (offset below the queue's min or past its max; trailing metadata
// `raftmq-min-offset` / `raftmq-max-offset` tell where the queue is), UNAVAILABLE when the node
// shuts down under a held pull, or when this node is not a confirmed leader (LeaderGate's read
// rule: the leader only, answering after a read barrier that a majority confirms in a round
// started after the read; an isolated ex-leader answers UNAVAILABLE with the new leader's hint
// once a new leader could exist, never its old max offsets). The pull reads when it arrives
// and passes the barrier after; a held pull then answers with what this node applied by the
// end of its hold, never older than that first read.
//
// Latency: the barrier costs one heartbeat round trip to a majority (pulls arriving while a
// round is out share the next one; README "Guarantees"); the read overlaps it.
//
// Threading: Handle from gRPC threads, where the first read runs; the answer after the barrier
// on Raft's loop thread (a Finish or a Hold, nothing longer); held pulls finish on the
// long-polling thread.
#pragma once

#include <memory>

#include <grpcpp/server_context.h>

#include "broker/leader_gate.h"
#include "broker/message_reader.h"
#include "broker/service_context.h"
#include "common/metadata_keys.h"
#include "proto/messaging.pb.h"

namespace raftmq::broker {

class PullHandler {
 public:
  explicit PullHandler(const ServiceContext* context);

  // Finishes `reactor` now, or later for a held pull.
  void Handle(grpc::CallbackServerContext* server_context, const messaging::PullMessageRequest* request,
              messaging::PullMessageResponse* response, grpc::ServerUnaryReactor* reactor) const;

 private:
  struct PendingPull;

  // Checks the request against the applied state; fills the pull's bounds and filter.
  grpc::Status Check(PendingPull* pull) const;
  // Once the read barrier passed (or failed): finishes the call, or holds a pull that found nothing.
  void Answer(std::shared_ptr<PendingPull> pull, const grpc::Status& status) const;
  // Reads into `response` from `offset`; OK with no messages when none matched. OUT_OF_RANGE
  // when retention raised the queue's min offset past `offset` meanwhile.
  grpc::Status Read(PendingPull* pull, uint64_t offset, messaging::PullMessageResponse* response) const;
  // OUT_OF_RANGE for `offset`, with the queue's bounds kept in `pull` for the trailers.
  static grpc::Status OutOfRange(PendingPull* pull, const storage::ConsumeQueue* queue, uint64_t offset);
  // Finishes the call; an OUT_OF_RANGE answer carries the bounds as trailing metadata.
  static void Finish(const PendingPull& pull, const grpc::Status& status);
  void Hold(std::shared_ptr<PendingPull> pull, uint64_t offset) const;

  const ServiceContext* const context_;
  const MessageReader reader_;
  const LeaderGate gate_;
};

}  // namespace raftmq::broker
