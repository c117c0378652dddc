#include "broker/broker_config.h"
#include "broker/retention_hours.h"

#include <gtest/gtest.h>

namespace raftmq::broker {
namespace {

TEST(BrokerConfig, PrintedConfigLoadsBackToTheSameOptions) {
  auto parsed = BrokerConfigSchema().ParseCommandLine(
      {"raftmq-broker", "--node_id=2", "--peers=127.0.0.1:10911,127.0.0.1:10912", "--auto_create_topic_enable=true"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->config.node_id, 2u);
  EXPECT_EQ(parsed->config.PeerAddress(2), "127.0.0.1:10912");
  auto reloaded = BrokerConfigSchema().LoadToml(BrokerConfigSchema().ToToml(parsed->config));
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_EQ(reloaded->peers, parsed->config.peers);
  EXPECT_TRUE(reloaded->auto_create_topic_enable);
}

TEST(BrokerConfig, DefaultsAreRocketMqs) {
  auto loaded = BrokerConfigSchema().LoadToml("");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->max_message_size_bytes, 4u << 20);
  EXPECT_EQ(loaded->default_topic_queue_nums, 8);
  EXPECT_EQ(loaded->consumer_channel_expired_ms, 120000);
  EXPECT_EQ(loaded->max_reconsume_times, 16);
  EXPECT_EQ(loaded->register_broker_interval_ms, 30000);
  EXPECT_FALSE(loaded->auto_create_topic_enable);
}

TEST(BrokerConfig, RetentionDefaultsAreRocketMqsAndBadValuesAreNamed) {
  auto loaded = BrokerConfigSchema().LoadToml("");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->commit_log_segment_size_bytes, uint64_t{1} << 30);
  EXPECT_EQ(loaded->retention_hours, 72u);
  EXPECT_EQ(loaded->retention_delete_when, "04");
  EXPECT_EQ(loaded->disk_usage_watermark_percent, 85u);
  EXPECT_EQ(loaded->retention_check_interval_ms, 10000);
  auto small = BrokerConfigSchema().LoadToml("commit_log_segment_size_bytes = 65536");
  ASSERT_FALSE(small.ok()) << "a segment smaller than the largest message";
  EXPECT_NE(small.status().message().find("commit_log_segment_size_bytes"), std::string::npos) << small.status().ToString();
  auto when = BrokerConfigSchema().LoadToml("retention_delete_when = \"04;25\"");
  ASSERT_FALSE(when.ok());
  EXPECT_NE(when.status().message().find("'25' is past 23"), std::string::npos) << when.status().ToString();
  EXPECT_FALSE(BrokerConfigSchema().LoadToml("disk_usage_watermark_percent = 101").ok());
  EXPECT_FALSE(BrokerConfigSchema().LoadToml("retention_check_interval_ms = 0").ok());
}

TEST(RetentionDeleteWhen, ParsesOneOrSeveralHoursAndRefusesTheRest) {
  auto hours = ParseRetentionDeleteWhen("04");
  ASSERT_TRUE(hours.ok());
  EXPECT_EQ(hours->count(), 1u);
  EXPECT_TRUE(hours->test(4));
  hours = ParseRetentionDeleteWhen("1;13;23");
  ASSERT_TRUE(hours.ok());
  EXPECT_EQ(hours->count(), 3u);
  EXPECT_TRUE(hours->test(13));
  for (const char* text : {"", ";", "4;", "24", "004", "a", "4 ;5", "-1"}) {
    EXPECT_TRUE(ParseRetentionDeleteWhen(text).status().IsInvalidArgument()) << text;
  }
}

TEST(BrokerConfig, RefusesUnknownKeysAndANodeOutsideItsPeers) {
  EXPECT_FALSE(BrokerConfigSchema().LoadToml("no_such_key = 1").ok());
  auto outside = BrokerConfigSchema().LoadToml("node_id = 3\npeers = [\"127.0.0.1:1\", \"127.0.0.1:2\"]");
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("node_id"), std::string::npos);
  EXPECT_FALSE(BrokerConfigSchema().LoadToml("flush_disk_type = \"sometimes\"").ok());
}

TEST(BrokerConfig, RaftTimingBecomesWholeTicksOfTheRaftNode) {
  auto loaded = BrokerConfigSchema().LoadToml(
      "peers = [\"127.0.0.1:1\", \"127.0.0.1:2\", \"127.0.0.1:3\"]\nraft_tick_interval_ms = 20\n"
      "raft_heartbeat_interval_ms = 60\nraft_election_timeout_ms_min = 250\nraft_election_timeout_ms_max = 400\n"
      "raft_preferred_leader = 3\nraft_campaign_on_leader_disconnect = false");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const raft::NodeOptions node = loaded->RaftNodeOptions();
  EXPECT_TRUE(node.Validate().ok());
  EXPECT_EQ(node.tick_interval_ms, 20u);
  EXPECT_EQ(node.core.heartbeat_interval_ticks, 3u);
  EXPECT_EQ(node.core.election_timeout_ticks_min, 12u);  // 250 ms rounded down to whole ticks
  EXPECT_EQ(node.core.election_timeout_ticks_max, 20u);
  EXPECT_EQ(node.core.preferred_leader, 3u);
  EXPECT_EQ(node.core.voters, (std::vector<NodeId>{1, 2, 3}));
  EXPECT_FALSE(node.campaign_on_leader_disconnect);
}

TEST(BrokerConfig, RefusesRaftTimingThatCannotElectALeader) {
  auto no_gap = BrokerConfigSchema().LoadToml("raft_election_timeout_ms_min = 500\nraft_election_timeout_ms_max = 520");
  ASSERT_FALSE(no_gap.ok());
  EXPECT_NE(no_gap.status().message().find("raft_election_timeout_ms_max"), std::string::npos);
  auto slow_heartbeat = BrokerConfigSchema().LoadToml("raft_heartbeat_interval_ms = 500");
  ASSERT_FALSE(slow_heartbeat.ok());
  EXPECT_NE(slow_heartbeat.status().message().find("raft_election_timeout_ms_min"), std::string::npos);
  auto stranger = BrokerConfigSchema().LoadToml("raft_preferred_leader = 2");
  ASSERT_FALSE(stranger.ok());
  EXPECT_NE(stranger.status().message().find("raft_preferred_leader"), std::string::npos);
}

}  // namespace
}  // namespace raftmq::broker
