#include "broker/broker_options.h"

#include <algorithm>
#include <limits>
#include <string>

#include "broker/delay_levels.h"
#include "broker/retention_hours.h"
#include "storage/commit_log_format.h"

namespace raftmq::broker {
namespace {

Status Positive(const char* name, int64_t value) {
  if (value > 0) return Status::Ok();
  return Status::InvalidArgument(std::string(name) + " must be positive, got " + std::to_string(value));
}

}  // namespace

Status BrokerOptions::Validate() const {
  if (node_id == kNoNode) return Status::InvalidArgument("node_id must be positive");
  if (node_id > peers.size()) {
    return Status::InvalidArgument("node_id " + std::to_string(node_id) + " has no entry in peers (" +
                                   std::to_string(peers.size()) + " listed)");
  }
  if (initial_cluster_state != "new" && initial_cluster_state != "existing") {
    return Status::InvalidArgument("initial_cluster_state must be new or existing, got '" + initial_cluster_state + "'");
  }
  if (flush_disk_type != "async" && flush_disk_type != "sync") {
    return Status::InvalidArgument("flush_disk_type must be async or sync, got '" + flush_disk_type + "'");
  }
  RMQ_RETURN_IF_ERROR(Positive("flush_interval_ms", flush_interval_ms));
  RMQ_RETURN_IF_ERROR(Positive("max_message_size_bytes", static_cast<int64_t>(max_message_size_bytes)));
  RMQ_RETURN_IF_ERROR(Positive("batch_messages_max", batch_messages_max));
  RMQ_RETURN_IF_ERROR(Positive("default_topic_queue_nums", default_topic_queue_nums));
  RMQ_RETURN_IF_ERROR(Positive("topic_queue_nums_max", topic_queue_nums_max));
  if (default_topic_queue_nums > topic_queue_nums_max) {
    return Status::InvalidArgument("default_topic_queue_nums exceeds topic_queue_nums_max");
  }
  RMQ_RETURN_IF_ERROR(Positive("topics_max", topics_max));
  if (pop_invisible_duration_ms_min > pop_invisible_duration_ms_max) {
    return Status::InvalidArgument("pop_invisible_duration_ms_min exceeds pop_invisible_duration_ms_max");
  }
  if (pop_invisible_duration_ms_default < pop_invisible_duration_ms_min ||
      pop_invisible_duration_ms_default > pop_invisible_duration_ms_max) {
    return Status::InvalidArgument("pop_invisible_duration_ms_default is outside [pop_invisible_duration_ms_min, max]");
  }
  if (v2_retry_backoff_ms_min > v2_retry_backoff_ms_max) {
    return Status::InvalidArgument("v2_retry_backoff_ms_min exceeds v2_retry_backoff_ms_max");
  }
  RMQ_RETURN_IF_ERROR(Positive("pull_messages_default", pull_messages_default));
  if (pull_messages_default > pull_messages_max) {
    return Status::InvalidArgument("pull_messages_default exceeds pull_messages_max");
  }
  RMQ_RETURN_IF_ERROR(Positive("pull_bytes_max", static_cast<int64_t>(pull_bytes_max)));
  RMQ_RETURN_IF_ERROR(Positive("pull_filter_entries_max", pull_filter_entries_max));
  RMQ_RETURN_IF_ERROR(Positive("long_polling_hold_ms_max", long_polling_hold_ms_max));
  RMQ_RETURN_IF_ERROR(Positive("long_polling_requests_max", long_polling_requests_max));
  RMQ_RETURN_IF_ERROR(Positive("consumer_channel_expired_ms", consumer_channel_expired_ms));
  RMQ_RETURN_IF_ERROR(Positive("consumer_groups_max", consumer_groups_max));
  RMQ_RETURN_IF_ERROR(Positive("consumers_per_group_max", consumers_per_group_max));
  RMQ_RETURN_IF_ERROR(Positive("subscriptions_per_consumer_max", subscriptions_per_consumer_max));
  RMQ_RETURN_IF_ERROR(Positive("offset_commits_batch_max", offset_commits_batch_max));
  RMQ_RETURN_IF_ERROR(Positive("max_reconsume_times", max_reconsume_times));
  RMQ_RETURN_IF_ERROR(ParseDelayLevels(message_delay_level).status());
  RMQ_RETURN_IF_ERROR(Positive("schedule_interval_ms", schedule_interval_ms));
  RMQ_RETURN_IF_ERROR(Positive("schedule_messages_max", schedule_messages_max));
  RMQ_RETURN_IF_ERROR(ValidateRetention());
  RMQ_RETURN_IF_ERROR(ValidateRaftTiming());
  return Positive("register_broker_interval_ms", register_broker_interval_ms);
}

Status BrokerOptions::ValidateRetention() const {
  // A segment must hold at least one record of the largest message; a bigger lone record would
  // get a segment of its own, which retention could only delete alone.
  const uint64_t segment_bytes_min = max_message_size_bytes + storage::commit_log_format::kHeaderBytes;
  if (commit_log_segment_size_bytes < segment_bytes_min) {
    return Status::InvalidArgument("commit_log_segment_size_bytes " + std::to_string(commit_log_segment_size_bytes) +
                                   " must hold one record of max_message_size_bytes (at least " +
                                   std::to_string(segment_bytes_min) + ")");
  }
  if (disk_usage_watermark_percent == 0 || disk_usage_watermark_percent > 100) {
    return Status::InvalidArgument("disk_usage_watermark_percent must be in [1, 100], got " +
                                   std::to_string(disk_usage_watermark_percent));
  }
  RMQ_RETURN_IF_ERROR(Positive("retention_check_interval_ms", retention_check_interval_ms));
  return ParseRetentionDeleteWhen(retention_delete_when).status();
}

Status BrokerOptions::ValidateRaftTiming() const {
  RMQ_RETURN_IF_ERROR(Positive("raft_tick_interval_ms", raft_tick_interval_ms));
  if (raft_heartbeat_interval_ms < raft_tick_interval_ms) {
    return Status::InvalidArgument("raft_heartbeat_interval_ms must be at least raft_tick_interval_ms");
  }
  // In whole ticks, as the Raft core sees them.
  const raft::CoreOptions core = RaftNodeOptions().core;
  if (core.election_timeout_ticks_min <= core.heartbeat_interval_ticks) {
    return Status::InvalidArgument("raft_election_timeout_ms_min must exceed raft_heartbeat_interval_ms by a tick");
  }
  if (core.election_timeout_ticks_max <= core.election_timeout_ticks_min) {
    return Status::InvalidArgument("raft_election_timeout_ms_max must exceed raft_election_timeout_ms_min by a tick");
  }
  if (raft_storage_fault_retry_interval_ms_max < raft_storage_fault_retry_interval_ms_min) {
    return Status::InvalidArgument(
        "raft_storage_fault_retry_interval_ms_max must be >= raft_storage_fault_retry_interval_ms_min");
  }
  if (raft_preferred_leader > peers.size()) {
    return Status::InvalidArgument("raft_preferred_leader " + std::to_string(raft_preferred_leader) +
                                   " has no entry in peers (0: none)");
  }
  return Status::Ok();
}

raft::NodeOptions BrokerOptions::RaftNodeOptions() const {
  raft::NodeOptions options;
  options.core.id = node_id;
  // Joining: no voters (raft::CoreOptions::voters), the group's log says who they are.
  // A new group's first leader writes the voters with these addresses as entry 1.
  if (initial_cluster_state == "new") {
    for (NodeId id = 1; id <= peers.size(); ++id) {
      options.core.voters.push_back(id);
      options.core.addresses[id] = PeerAddress(id);
    }
  }
  const int64_t tick = std::max<int64_t>(raft_tick_interval_ms, 1);
  auto ticks = [tick](int64_t ms) { return static_cast<uint32_t>(std::clamp<int64_t>(ms / tick, 0, UINT32_MAX)); };
  options.tick_interval_ms = static_cast<uint32_t>(std::min<int64_t>(tick, UINT32_MAX));
  options.core.heartbeat_interval_ticks = ticks(raft_heartbeat_interval_ms);
  options.core.election_timeout_ticks_min = ticks(raft_election_timeout_ms_min);
  options.core.election_timeout_ticks_max = ticks(raft_election_timeout_ms_max);
  options.core.preferred_leader = raft_preferred_leader;
  options.core.learner_promote_lag_entries_max = raft_learner_promote_lag_entries_max;
  options.campaign_on_leader_disconnect = raft_campaign_on_leader_disconnect;
  options.storage_fault_retry_interval_ms_min = static_cast<uint32_t>(raft_storage_fault_retry_interval_ms_min);
  options.storage_fault_retry_interval_ms_max = static_cast<uint32_t>(raft_storage_fault_retry_interval_ms_max);
  return options;
}

int BrokerOptions::GrpcMessageBytesMax() const {
  constexpr uint64_t kEnvelopeBytes = 1u << 20;
  const uint64_t bytes = std::max(max_message_size_bytes, pull_bytes_max) + kEnvelopeBytes;
  return static_cast<int>(std::min<uint64_t>(bytes, std::numeric_limits<int>::max()));
}

std::string BrokerOptions::PeerAddress(NodeId id) const {
  if (id == kNoNode || id > peers.size()) return "";
  return peers[id - 1];
}

}  // namespace raftmq::broker
