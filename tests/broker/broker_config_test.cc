#include "broker/broker_config.h"

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

TEST(BrokerConfig, RefusesUnknownKeysAndANodeOutsideItsPeers) {
  EXPECT_FALSE(BrokerConfigSchema().LoadToml("no_such_key = 1").ok());
  auto outside = BrokerConfigSchema().LoadToml("node_id = 3\npeers = [\"127.0.0.1:1\", \"127.0.0.1:2\"]");
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("node_id"), std::string::npos);
  EXPECT_FALSE(BrokerConfigSchema().LoadToml("flush_disk_type = \"sometimes\"").ok());
}

}  // namespace
}  // namespace raftmq::broker
