// BrokerOptions: everything a broker node is configured with. Every limit is a named field
// with a documented default (RocketMQ's where its users know one); the config key of a field
// is its name. Validate() states the relations between them.
//
// Threading: a plain value, read-only once the broker starts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/log_ids.h"
#include "common/status.h"
#include "raft/node_options.h"

namespace raftmq::broker {

// The highest node id a broker takes (`node_id`); a membership change adds no node above it.
inline constexpr NodeId kNodeIdMax = 64;

struct BrokerOptions {
  // Identity. `broker_group` is RocketMQ's brokerName: the Raft group this node belongs to.
  std::string cluster_name = "DefaultCluster";
  std::string broker_group = "broker-a";
  NodeId node_id = 1;
  // Every node of the group, this one included, as "host:port" that clients and peers dial:
  // node N is the N-th entry (DLedger's peers list).
  std::vector<std::string> peers = {"127.0.0.1:10911"};
  // "new": this node is one of the voters of a group formed from `peers` (every node of a new
  // group says so); "existing": it joins a running group, which adds it with `raftmq group
  // add-node` (etcd's initial-cluster-state). A joining node takes the group's configuration
  // from the group's log or a snapshot, never from `peers` (which then only says where to reach
  // the other nodes until the configuration does), and never campaigns or votes before a
  // configuration names it a voter.
  std::string initial_cluster_state = "new";
  // Where this node's gRPC server binds (messaging, admin and Raft on one port); "" binds
  // this node's peers entry.
  std::string listen_address;
  std::string data_dir = "data";
  // "async": an ack means a majority holds the message in page cache (fsync every
  // flush_interval_ms); "sync": a majority fsynced it (RocketMQ's flushDiskType).
  std::string flush_disk_type = "async";
  int64_t flush_interval_ms = 500;
  // This machine's boot id (broker/boot_identity.h): a new one under async flush means a
  // power loss may have taken acknowledged entries, so the node recovers before it votes or
  // counts toward commit. Give a node its own file (and change it) to simulate a power loss.
  std::string boot_id_file = "/proc/sys/kernel/random/boot_id";
  std::string log_level = "info";

  // Messages. A send carries at most batch_messages_max messages of at most
  // max_message_size_bytes each (topic, tag, keys, properties and body counted); the whole
  // batch is one Raft entry, so it is also bounded by max_message_size_bytes in total.
  uint64_t max_message_size_bytes = 4u << 20;
  uint32_t batch_messages_max = 1024;
  uint32_t message_keys_max = 64;
  uint32_t message_properties_max = 128;

  // Topics. A send or pull to an unknown topic answers NOT_FOUND unless auto-create is on;
  // then the topic is created with default_topic_queue_nums queues.
  bool auto_create_topic_enable = false;
  int32_t default_topic_queue_nums = 8;
  int32_t topic_queue_nums_max = 1024;
  uint32_t topics_max = 10000;

  // Pulls. max_messages = 0 means pull_messages_default; larger asks are cut to the max.
  uint32_t pull_messages_default = 32;
  uint32_t pull_messages_max = 1024;
  uint64_t pull_bytes_max = 4u << 20;
  // A filtered pull looks at most this many queue entries (RocketMQ's maxFilterMessageCount).
  uint32_t pull_filter_entries_max = 16000;
  // A pull that finds nothing is held up to min(its timeout, long_polling_hold_ms_max)
  // (RocketMQ's brokerSuspendMaxTimeMillis) and answered as soon as its queue grows.
  int64_t long_polling_hold_ms_max = 15000;
  // Held pulls at once; beyond it a pull that would wait answers at once (empty).
  uint32_t long_polling_requests_max = 10000;

  // Consumers. A consumer not heard from for this long leaves its group (RocketMQ's
  // channelExpiredTimeout).
  int64_t consumer_channel_expired_ms = 120000;
  uint32_t consumer_groups_max = 10000;
  uint32_t consumers_per_group_max = 10000;
  uint32_t subscriptions_per_consumer_max = 1024;
  // Offset commits that arrive while one is in flight are batched into one Raft entry.
  uint32_t offset_commits_batch_max = 1024;

  // Retry: a message sent back is redelivered through %RETRY%<group> after the delay of its
  // level (RocketMQ's messageDelayLevel, 1-based) and goes to %DLQ%<group> once it was
  // reconsumed max_reconsume_times times.
  int32_t max_reconsume_times = 16;
  std::string message_delay_level = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";
  // The delay scheduler looks for due messages this often and moves at most
  // schedule_messages_max of them per level and round.
  int64_t schedule_interval_ms = 100;
  uint32_t schedule_messages_max = 256;

  // Storage and retention. The CommitLog starts a new segment file at
  // commit_log_segment_size_bytes (RocketMQ's mappedFileSizeCommitLog). Every
  // retention_check_interval_ms the leader looks for whole segments older than retention_hours
  // (fileReservedTime), deleted only in the local hours of retention_delete_when (deleteWhen:
  // "04" is 04:00-04:59, "01;13" two hours), or at any hour, oldest first, while the disk is
  // above disk_usage_watermark_percent (diskMaxUsedSpaceRatio); every node of the group then
  // deletes the same prefix through Raft (broker/retention_scheduler.h).
  uint64_t commit_log_segment_size_bytes = uint64_t{1} << 30;
  uint64_t retention_hours = 72;
  std::string retention_delete_when = "04";
  uint32_t disk_usage_watermark_percent = 85;
  int64_t retention_check_interval_ms = 10000;

  // RocketMQ 5 clients (broker/v2/) are told to retry a failed send up to
  // v2_retry_attempts_max attempts in all, waiting v2_retry_backoff_ms_min before the
  // second, doubling up to v2_retry_backoff_ms_max (Apache's proxy: 3, 10 ms, 1 s).
  uint32_t v2_retry_attempts_max = 3;
  int64_t v2_retry_backoff_ms_min = 10;
  int64_t v2_retry_backoff_ms_max = 1000;
  // RocketMQ 5 simple consumers (pop): a received message stays invisible to the group for
  // the invisible duration the client asks, within [min, max] (Apache's proxy: 10 s, 12 h),
  // pop_invisible_duration_ms_default when it asks none, then is delivered again; after
  // max_reconsume_times + 1 deliveries it goes to %DLQ%<group>. At most pop_in_flight_max
  // messages of one (group, queue) are in flight: a receive beyond it finds nothing new.
  int64_t pop_invisible_duration_ms_min = 10000;
  int64_t pop_invisible_duration_ms_max = 12 * 3600 * 1000;
  int64_t pop_invisible_duration_ms_default = 60000;
  uint32_t pop_in_flight_max = 1024;
  // A receive that waits ends this long before the client's deadline, so its answer (an empty
  // one) arrives in time (Apache's proxy: longPollingReserveTimeInMillis).
  int64_t pop_long_polling_reserve_ms = 1000;
  // Raft timing (wall clock; the Raft core counts ticks of raft_tick_interval_ms, so the
  // others are rounded down to whole ticks). A leader heartbeats every
  // raft_heartbeat_interval_ms; a follower that hears nothing campaigns after a random
  // timeout in [min, max); min is also the leader lease and the check-quorum window. A
  // leader's stream ending (its process died) starts an election at once instead
  // (raft_campaign_on_leader_disconnect). DLedger's defaults are seconds; these fit a LAN.
  int64_t raft_tick_interval_ms = 50;
  int64_t raft_heartbeat_interval_ms = 100;
  int64_t raft_election_timeout_ms_min = 500;
  int64_t raft_election_timeout_ms_max = 1000;
  bool raft_campaign_on_leader_disconnect = true;
  // A node whose storage fails (disk full, EIO, a failed apply) steps aside at once (never
  // leads or campaigns while faulted) and retries after min ms, doubling up to max while the
  // fault persists; it rejoins as a follower once storage works. Corruption or a failed fsync
  // makes the process exit instead (a restart re-verifies the log).
  int64_t raft_storage_fault_retry_interval_ms_min = 200;
  int64_t raft_storage_fault_retry_interval_ms_max = 5000;
  // The node (1-based, 0: none) the group hands leadership back to when it is healthy and
  // caught up (DLedger's preferredLeaderIds), e.g. to spread the leaders of several groups.
  NodeId raft_preferred_leader = kNoNode;
  // A learner (a node being added) is promoted to voter only once its log lags the leader's
  // by at most this many entries (raft::CoreOptions::learner_promote_lag_entries_max).
  uint64_t raft_learner_promote_lag_entries_max = 1000;

  // Prometheus metrics at http://<metrics_listen_address>/metrics ("" serves none; RocketMQ's
  // exporter port is 5557).
  std::string metrics_listen_address;

  // Nameserver registration: every nameserver, this often and at once on a role change.
  std::vector<std::string> nameserver_addresses;
  int64_t register_broker_interval_ms = 30000;

  // InvalidArgument naming the first field out of range.
  Status Validate() const;

  // The gRPC message size the server (and a client's receive side) must allow: the largest
  // send or pull body plus 1 MiB for the envelope (names, keys, properties, framing). gRPC's
  // default of 4 MB would refuse a valid 4 MiB message before the broker could check it.
  int GrpcMessageBytesMax() const;
  // peers[id - 1], or "" for an id outside the group.
  std::string PeerAddress(NodeId id) const;
  // The Raft node's options for this node (ids 1..peers.size(), timing in ticks).
  raft::NodeOptions RaftNodeOptions() const;

 private:
  Status ValidateRaftTiming() const;
  Status ValidateRetention() const;
};

}  // namespace raftmq::broker
