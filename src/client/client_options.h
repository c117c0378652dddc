// Options of the client library: what every client needs (ClientOptions) and what producers
// and push consumers add. Every limit is a named field with its default here; names and
// defaults follow RocketMQ's client where its users know them.
//
// Thread-safety: plain values, copied into each client at construction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/latency_fault_tolerance.h"
#include "client/process_queue.h"

namespace raftmq::client {

struct ClientOptions {
  // Nameservers, tried in turn until one answers.
  std::vector<std::string> nameserver_addresses = {"127.0.0.1:9876"};
  // Deadline of every unary call but a held pull (RocketMQ's sendMsgTimeout).
  int64_t rpc_timeout_ms = 3000;
  // A topic's route is fetched again when older than this, and at once after an error.
  int64_t poll_name_server_interval_ms = 30000;
  // The largest gRPC message accepted (a pulled batch); must exceed the broker's pull max_bytes.
  int32_t grpc_message_bytes_max = 128 * 1024 * 1024;
  // A channel to a node it could not reach tries again after this long, twice as long each
  // time up to the max. gRPC's own defaults (1 s up to 120 s) kept a restarted node that had
  // just been elected leader unreachable for seconds to minutes; a leader hint or rotation to
  // a node still backing off also makes its channel try at once.
  int64_t reconnect_backoff_ms_min = 100;
  int64_t reconnect_backoff_ms_max = 1000;
  // HTTP/2 keepalive while calls are open: a ping after this much silence; a node that does
  // not ack it within the timeout (stopped, cut off) is given up and its calls fail at once as
  // UNAVAILABLE (retried on the next node), instead of each waiting out rpc_timeout_ms.
  // Brokers accept a ping every 500 ms (their raft keepalive_time_ms / 2).
  int64_t keepalive_time_ms = 1000;
  int64_t keepalive_timeout_ms = 500;
  // Distinguishes clients of one process in the client id (host@pid@instance_name#n).
  std::string instance_name = "DEFAULT";
};

struct ProducerOptions {
  ClientOptions client;
  // Extra attempts of a failed sync send, each on another group when there is one.
  int32_t retry_times_when_send_failed = 2;
  // A retry that must go back to the group that just failed (no other group is writable)
  // waits first, this long and twice as long each time after, up to the max: long enough
  // for the group to elect a new leader (~0.1 s after a crash) instead of failing at once.
  int64_t retry_backoff_ms_min = 100;
  int64_t retry_backoff_ms_max = 1000;
  // Latency fault avoidance (RocketMQ's sendLatencyFaultEnable, on by default since 5.1.4).
  bool send_latency_fault_enable = true;
  LatencyFaultOptions latency_fault;
  // Threads running one-way sends and the retries of failed async sends, and how many async
  // sends may be in flight or waiting (then the caller blocks: back-pressure instead of
  // unbounded memory).
  int32_t async_send_threads = 4;
  int32_t async_send_queue_max = 10000;
  // The most messages in one batch send (one Raft entry on the broker), async sends
  // coalesced per queue included ...
  int32_t batch_messages_max = 1024;
  // ... and the most bytes of coalesced async sends (keep it under the broker's
  // max_message_size_bytes, which bounds a whole batch).
  uint64_t async_batch_bytes_max = 1u << 20;
};

enum class ConsumeFromWhere { kFirstOffset, kLastOffset, kTimestamp };
enum class MessageModel { kClustering, kBroadcasting };

struct PushConsumerOptions {
  ClientOptions client;
  std::string consumer_group;
  MessageModel message_model = MessageModel::kClustering;
  // Where a group with no committed offset on a queue starts (RocketMQ default: last).
  ConsumeFromWhere consume_from_where = ConsumeFromWhere::kLastOffset;
  // For kTimestamp: the first message stored at or after this wall-clock time.
  int64_t consume_timestamp_ms = 0;
  FlowControlLimits flow_control;
  int32_t consume_thread_count = 20;             // RocketMQ consumeThreadMin
  int32_t consume_queue_max = 100000;            // consume requests waiting for a thread
  int32_t pull_batch_size = 32;                  // messages per pull
  int64_t long_polling_timeout_ms = 15000;       // the broker holds an empty pull this long
  int64_t pull_time_delay_ms_when_exception = 3000;
  int64_t persist_consumer_offset_interval_ms = 5000;
  int64_t rebalance_interval_ms = 20000;
  int64_t heartbeat_broker_interval_ms = 30000;
  // How often the live consumer list is compared with the last rebalance's: a join, leave or
  // expiry shows there first and triggers a rebalance without waiting rebalance_interval_ms.
  int64_t consumer_list_check_interval_ms = 1000;
  // Delay before consuming a message again when handing it back (SendBackMessage) failed.
  int64_t suspend_current_queue_time_ms = 1000;
  // BROADCASTING offsets: <offset_store_dir>/<client id>/<group>/offsets.json.
  std::string offset_store_dir;  // "" = $HOME/.raftmq_offsets
};

struct PullConsumerOptions {
  ClientOptions client;
  std::string consumer_group;
};

}  // namespace raftmq::client
