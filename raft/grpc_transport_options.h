// Limits and timings of the gRPC peer transport, and the counters it keeps.
//
// Failure detection: a peer that dies with its process (or whose server is shut down)
// resets its TCP connection, so the streams to and from it fail at once and the next
// Write or Read returns false. A peer that vanishes silently (host gone, cable cut) is found
// by the HTTP/2 keepalive pings of the node that opened the stream: at most keepalive_time_ms +
// keepalive_timeout_ms. When the stream from the leader ends, GrpcPeerService tells the Node,
// which campaigns within a few ticks (NodeOptions::campaign_on_leader_disconnect): ~110 ms
// failover on a process death; otherwise the election timeout (500-1000 ms) decides.
//
// Threading: options are plain values; metrics are atomics updated by transport threads and
// read by anyone.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace raftmq::raft {

struct GrpcTransportOptions {
  // Messages waiting for one destination. A message that finds the queue full is dropped
  // and counted: Raft tolerates loss, and an unbounded queue toward a slow peer would not.
  size_t peer_queue_messages_max = 4096;
  // One stream write (one gRPC message) carries at most this many raft messages and
  // about this many bytes (always at least one message).
  size_t batch_messages_max = 512;
  uint64_t batch_bytes_max = 4 << 20;
  // gRPC message size a peer server accepts; must exceed batch_bytes_max plus the largest
  // single raft message (an append of the core's largest batch).
  int wire_message_bytes_max = 64 << 20;
  // Re-opening a broken stream waits this long, doubling per failure up to the max; short,
  // so a restarted peer is back within half a second.
  int reconnect_backoff_ms_min = 20;
  int reconnect_backoff_ms_max = 500;
  // HTTP/2 keepalive: a ping after this much silence, the connection is dead when its ack
  // takes longer than the timeout. Heartbeats (100 ms) keep a healthy stream busy, so the
  // pings matter only for a silently dead peer.
  int keepalive_time_ms = 1000;
  int keepalive_timeout_ms = 500;
  // The server's own pings, on every connection it accepted. The broker's one server serves
  // clients too, so these are slow on purpose: a client that answers a ping late (a GC or
  // event-loop pause, or gRPC's poller of an idle channel, which reads it every 5 s) must
  // keep its connection; at 1000/500 the server closed idle client connections and failed
  // their next call with "Socket closed". They only free the calls of a client that vanished
  // silently (a held long poll); peers find a dead peer with their own pings (above) and the
  // election timeout.
  int server_keepalive_time_ms = 60000;
  int server_keepalive_timeout_ms = 20000;
};

struct TransportMetrics {
  std::atomic<uint64_t> messages_sent_total{0};
  std::atomic<uint64_t> bytes_sent_total{0};
  std::atomic<uint64_t> batches_sent_total{0};
  std::atomic<uint64_t> messages_dropped_queue_full_total{0};
  std::atomic<uint64_t> messages_dropped_stream_broken_total{0};
  std::atomic<uint64_t> messages_dropped_unknown_peer_total{0};
  std::atomic<uint64_t> stream_failures_total{0};
  std::atomic<uint64_t> messages_received_total{0};
  std::atomic<uint64_t> messages_invalid_total{0};
};

}  // namespace raftmq::raft
