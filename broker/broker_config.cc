#include "broker/broker_config.h"

#include <limits>

namespace raftmq::broker {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr uint32_t kCountMax = 1'000'000;

void AddIdentityKeys(config::Schema<BrokerOptions>& schema) {
  RMQ_CONFIG_KEY(schema, cluster_name, "the cluster this node's group belongs to", config::NonEmpty());
  RMQ_CONFIG_KEY(schema, broker_group, "the broker group (RocketMQ brokerName) this node is a Raft member of",
                 config::NonEmpty());
  RMQ_CONFIG_KEY(schema, node_id, "this node's number in the group: its position (from 1) in peers",
                 config::InRange<uint64_t>(1, kNodeIdMax));
  RMQ_CONFIG_KEY(schema, peers, "host:port of every node of the group, node 1 first", config::HostPortList());
  RMQ_CONFIG_KEY(schema, initial_cluster_state,
                 "new (a voter of a group formed from peers) or existing (joins a running group that adds it with "
                 "raftmq group add-node)",
                 config::OneOf({"new", "existing"}));
  RMQ_CONFIG_KEY(schema, listen_address, "host:port to bind (\"\": this node's peers entry)");
  RMQ_CONFIG_KEY(schema, data_dir, "directory of the CommitLog, ConsumeQueues and MetaStore", config::NonEmpty());
  RMQ_CONFIG_KEY(schema, flush_disk_type, "async (ack = majority page cache) or sync (ack = majority fsync)",
                 config::OneOf({"async", "sync"}));
  RMQ_CONFIG_KEY(schema, flush_interval_ms, "background fsync period of the CommitLog (async)",
                 config::InRange<int64_t>(1, 60'000));
  RMQ_CONFIG_KEY(schema, boot_id_file,
                 "file holding this machine's boot id; a new one under async flush means a power loss (the node "
                 "recovers before it votes)",
                 config::NonEmpty());
  RMQ_CONFIG_KEY(schema, log_level, "trace, debug, info, warn or error",
                 config::OneOf({"trace", "debug", "info", "warn", "error"}));
  RMQ_CONFIG_KEY(schema, commit_log_segment_size_bytes, "size of one CommitLog segment file (retention deletes whole ones)",
                 config::InRange<uint64_t>(4096, uint64_t{1} << 40));
  RMQ_CONFIG_KEY(schema, retention_hours, "segments older than this are deleted in the retention_delete_when hours",
                 config::InRange<uint64_t>(0, 24 * 365 * 100));
  RMQ_CONFIG_KEY(schema, retention_delete_when,
                 "local hours (0-23, ';'-separated) in which retention deletes by age (RocketMQ deleteWhen)",
                 config::NonEmpty());
  RMQ_CONFIG_KEY(schema, disk_usage_watermark_percent,
                 "above this disk use the oldest segments are deleted at any hour, whatever their age",
                 config::InRange<uint32_t>(1, 100));
  RMQ_CONFIG_KEY(schema, retention_check_interval_ms, "the leader looks for deletable segments this often",
                 config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, raft_tick_interval_ms, "Raft clock tick; the other raft_ times are whole ticks",
                 config::InRange<int64_t>(1, 10000));
  RMQ_CONFIG_KEY(schema, raft_heartbeat_interval_ms, "a leader heartbeats its followers this often",
                 config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, raft_election_timeout_ms_min,
                 "a follower that hears no leader campaigns after a random time in [min, max); also the leader lease",
                 config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, raft_election_timeout_ms_max, "upper end of the election timeout",
                 config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, raft_campaign_on_leader_disconnect,
                 "a leader's connection breaking starts an election at once (fast failover on a crash)");
  RMQ_CONFIG_KEY(schema, raft_storage_fault_retry_interval_ms_min,
                 "a node whose storage fails steps aside and retries after this long (doubling while it fails)",
                 config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, raft_storage_fault_retry_interval_ms_max, "longest wait between storage fault retries",
                 config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, raft_preferred_leader, "node the group hands leadership back to when healthy (0: none)",
                 config::InRange<NodeId>(0, 1000));
  RMQ_CONFIG_KEY(schema, raft_learner_promote_lag_entries_max,
                 "raftmq group add-node promotes a learner to voter once its log lags the leader's by at most this",
                 config::InRange<uint64_t>(0, uint64_t{1} << 40));
  RMQ_CONFIG_KEY(schema, metrics_listen_address, "host:port serving Prometheus metrics at /metrics (\"\": none)");
  RMQ_CONFIG_KEY(schema, nameserver_addresses, "host:port of every nameserver to register with");
  RMQ_CONFIG_KEY(schema, register_broker_interval_ms, "register with every nameserver this often",
                 config::InRange<int64_t>(100, kDayMs));
}

void AddMessageKeys(config::Schema<BrokerOptions>& schema) {
  RMQ_CONFIG_KEY(schema, max_message_size_bytes, "largest message (and send batch) in bytes",
                 config::InRange<uint64_t>(1, 256u << 20));
  RMQ_CONFIG_KEY(schema, batch_messages_max, "most messages in one send", config::InRange<uint32_t>(1, kCountMax));
  RMQ_CONFIG_KEY(schema, message_keys_max, "most keys of one message", config::InRange<uint32_t>(0, kCountMax));
  RMQ_CONFIG_KEY(schema, message_properties_max, "most user properties of one message",
                 config::InRange<uint32_t>(0, kCountMax));
  RMQ_CONFIG_KEY(schema, auto_create_topic_enable, "a send to an unknown topic creates it");
  RMQ_CONFIG_KEY(schema, default_topic_queue_nums, "queues of an auto-created topic",
                 config::InRange<int32_t>(1, 65536));
  RMQ_CONFIG_KEY(schema, topic_queue_nums_max, "most read or write queues of a topic",
                 config::InRange<int32_t>(1, 65536));
  RMQ_CONFIG_KEY(schema, topics_max, "most topics of the group", config::InRange<uint32_t>(1, kCountMax));
  RMQ_CONFIG_KEY(schema, v2_retry_attempts_max, "RocketMQ 5 clients: attempts of a send in all (server Settings)",
                 config::InRange<uint32_t>(1, 1000));
  RMQ_CONFIG_KEY(schema, v2_retry_backoff_ms_min, "RocketMQ 5 clients: wait before a send's second attempt",
                 config::InRange<int64_t>(0, kDayMs));
  RMQ_CONFIG_KEY(schema, v2_retry_backoff_ms_max, "RocketMQ 5 clients: longest wait between attempts (doubling)",
                 config::InRange<int64_t>(0, kDayMs));
  RMQ_CONFIG_KEY(schema, pop_invisible_duration_ms_min, "RocketMQ 5 simple consumers: shortest invisible duration",
                 config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, pop_invisible_duration_ms_max, "RocketMQ 5 simple consumers: longest invisible duration",
                 config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, pop_invisible_duration_ms_default,
                 "RocketMQ 5 simple consumers: invisible duration of a receive that asks none",
                 config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, pop_long_polling_reserve_ms,
                 "RocketMQ 5 simple consumers: a waiting receive answers this long before the client's deadline",
                 config::InRange<int64_t>(0, kDayMs));
  RMQ_CONFIG_KEY(schema, pop_in_flight_max, "RocketMQ 5 simple consumers: most messages in flight per group and queue",
                 config::InRange<uint32_t>(1, 65536));
}

void AddConsumerKeys(config::Schema<BrokerOptions>& schema) {
  RMQ_CONFIG_KEY(schema, pull_messages_default, "messages a pull returns when it asks for 0",
                 config::InRange<uint32_t>(1, kCountMax));
  RMQ_CONFIG_KEY(schema, pull_messages_max, "most messages one pull returns", config::InRange<uint32_t>(1, kCountMax));
  RMQ_CONFIG_KEY(schema, pull_bytes_max, "most message bytes one pull returns", config::InRange<uint64_t>(1, 256u << 20));
  RMQ_CONFIG_KEY(schema, pull_filter_entries_max, "most queue entries a tag-filtered pull looks at",
                 config::InRange<uint32_t>(1, kCountMax));
  RMQ_CONFIG_KEY(schema, long_polling_hold_ms_max, "longest a pull that found nothing is held",
                 config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, long_polling_requests_max, "most pulls held at once",
                 config::InRange<uint32_t>(1, kCountMax));
  RMQ_CONFIG_KEY(schema, consumer_channel_expired_ms, "a consumer silent this long leaves its group",
                 config::InRange<int64_t>(1000, kDayMs));
  RMQ_CONFIG_KEY(schema, consumer_groups_max, "most live consumer groups", config::InRange<uint32_t>(1, kCountMax));
  RMQ_CONFIG_KEY(schema, consumers_per_group_max, "most live consumers per group",
                 config::InRange<uint32_t>(1, kCountMax));
  RMQ_CONFIG_KEY(schema, subscriptions_per_consumer_max, "most subscriptions in one heartbeat",
                 config::InRange<uint32_t>(1, kCountMax));
  RMQ_CONFIG_KEY(schema, offset_commits_batch_max, "most offset commits in one Raft entry",
                 config::InRange<uint32_t>(1, kCountMax));
  RMQ_CONFIG_KEY(schema, max_reconsume_times, "deliveries of a sent-back message before it goes to %DLQ%<group>",
                 config::InRange<int32_t>(1, 1000));
  RMQ_CONFIG_KEY(schema, message_delay_level, "retry delays by level, e.g. \"1s 5s 10s 30s 1m ... 2h\"",
                 config::NonEmpty());
  RMQ_CONFIG_KEY(schema, schedule_interval_ms, "how often due retries are moved", config::InRange<int64_t>(1, kDayMs));
  RMQ_CONFIG_KEY(schema, schedule_messages_max, "most retries moved per level and round",
                 config::InRange<uint32_t>(1, kCountMax));
}

config::Schema<BrokerOptions> BuildSchema() {
  config::Schema<BrokerOptions> schema("raftmq-broker");
  AddIdentityKeys(schema);
  AddMessageKeys(schema);
  AddConsumerKeys(schema);
  schema.AddCheck([](const BrokerOptions& options) { return options.Validate(); });
  return schema;
}

}  // namespace

const config::Schema<BrokerOptions>& BrokerConfigSchema() {
  static const config::Schema<BrokerOptions> schema = BuildSchema();
  return schema;
}

}  // namespace raftmq::broker
