// GrpcPeerClient: the outgoing half of the transport toward one peer. Messages wait in a
// bounded queue; one thread drains it into a client-streaming RaftPeer.Stream call, as many
// messages per write as the batch limits allow, so sending never waits for a reply.
//
// A failed write means the stream is broken: the queue is dropped (those messages are stale
// by the time a new stream is up, and the core retransmits what matters), the stream is
// reopened after a backoff that doubles from reconnect_backoff_ms_min to _max and resets on
// the first successful write.
//
// Threading: Enqueue and Stop may be called from any thread; the destructor stops.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "proto/raft_peer.grpc.pb.h"
#include "raft/grpc_transport_options.h"
#include "raft/message.h"

namespace raftmq::raft {

class GrpcPeerClient {
 public:
  GrpcPeerClient(NodeId peer, const std::string& address, const GrpcTransportOptions& options,
                 TransportMetrics* metrics);
  ~GrpcPeerClient();
  GrpcPeerClient(const GrpcPeerClient&) = delete;
  GrpcPeerClient& operator=(const GrpcPeerClient&) = delete;

  // Takes the messages addressed to this peer; drops (and counts) what exceeds the queue.
  void Enqueue(std::vector<Message>&& messages);
  // Cancels the stream and joins the thread; queued messages are dropped. Idempotent.
  void Stop();

 private:
  void Run();
  // Writes batches until the stream breaks or Stop; returns, once the stream is finished,
  // whether any write went through.
  bool PumpStream();
  // Waits for messages and moves one batch of them into `batch`; false once stopping.
  bool TakeBatch(PeerMessageBatch* batch, uint64_t* messages_taken);
  void DropQueueAfterFailure();
  void WaitBackoff(int backoff_ms);

  const NodeId peer_;
  const GrpcTransportOptions options_;
  TransportMetrics* const metrics_;
  std::unique_ptr<RaftPeer::Stub> stub_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Message> queue_;                    // guarded by mutex_; size <= queue max
  grpc::ClientContext* stream_context_ = nullptr;  // guarded by mutex_; lets Stop cancel
  bool stopping_ = false;                         // guarded by mutex_
  std::thread thread_;
};

}  // namespace raftmq::raft
