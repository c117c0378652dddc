// The Settings a broker answers a RocketMQ 5 client with (broker/v2/server_settings.h).
#include "broker/v2/server_settings.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

namespace raftmq::broker::v2 {
namespace {

using google::protobuf::util::TimeUtil;

TEST(ServerSettings, TellsAProducerItsBodyLimitTypeCheckAndAnExponentialBackoff) {
  BrokerOptions options;
  options.max_message_size_bytes = 1u << 20;
  options.v2_retry_attempts_max = 5;
  options.v2_retry_backoff_ms_min = 20;
  options.v2_retry_backoff_ms_max = 2000;
  pb::Settings client;
  client.set_client_type(pb::PRODUCER);
  client.mutable_publishing()->add_topics()->set_name("Orders");
  *client.mutable_request_timeout() = TimeUtil::MillisecondsToDuration(3000);

  const pb::Settings server = ServerSettings(client, options);
  EXPECT_EQ(server.client_type(), pb::PRODUCER);
  ASSERT_TRUE(server.has_publishing());
  EXPECT_EQ(server.publishing().max_body_size(), 1 << 20);
  EXPECT_TRUE(server.publishing().validate_message_type());
  ASSERT_EQ(server.publishing().topics_size(), 1);
  EXPECT_EQ(TimeUtil::DurationToMilliseconds(server.request_timeout()), 3000);
  ASSERT_TRUE(server.backoff_policy().has_exponential_backoff());
  EXPECT_EQ(server.backoff_policy().max_attempts(), 5);
  const pb::ExponentialBackoff& backoff = server.backoff_policy().exponential_backoff();
  EXPECT_EQ(TimeUtil::DurationToMilliseconds(backoff.initial()), 20);
  EXPECT_EQ(TimeUtil::DurationToMilliseconds(backoff.max()), 2000);
  EXPECT_EQ(backoff.multiplier(), 2);
}

TEST(ServerSettings, TellsAConsumerItsBatchSizeAndLongPolling) {
  BrokerOptions options;
  pb::Settings client;
  client.set_client_type(pb::SIMPLE_CONSUMER);
  client.mutable_subscription()->mutable_group()->set_name("readers");
  const pb::Settings server = ServerSettings(client, options);
  ASSERT_TRUE(server.has_subscription());
  EXPECT_EQ(server.subscription().group().name(), "readers");
  EXPECT_FALSE(server.subscription().fifo());
  EXPECT_EQ(server.subscription().receive_batch_size(), static_cast<int32_t>(options.pull_messages_default));
  EXPECT_EQ(TimeUtil::DurationToMilliseconds(server.subscription().long_polling_timeout()),
            options.long_polling_hold_ms_max);
  EXPECT_FALSE(server.has_publishing());
}

TEST(ServerSettings, TellsAPushConsumerRocketMQsDefaultsAndItsGroupsRetryPolicy) {
  BrokerOptions options;  // RocketMQ's defaults: batch 32, 16 reconsumes, delays 1s .. 2h
  pb::Settings client;
  client.set_client_type(pb::PUSH_CONSUMER);
  client.mutable_subscription()->mutable_group()->set_name("pushers");
  pb::SubscriptionEntry* entry = client.mutable_subscription()->add_subscriptions();
  entry->mutable_topic()->set_name("Orders");
  entry->mutable_expression()->set_expression("paid || shipped");
  const pb::Settings server = ServerSettings(client, options);
  EXPECT_EQ(server.client_type(), pb::PUSH_CONSUMER);
  ASSERT_TRUE(server.has_subscription());
  ASSERT_EQ(server.subscription().subscriptions_size(), 1);  // the client's own, kept
  EXPECT_EQ(server.subscription().subscriptions(0).expression().expression(), "paid || shipped");
  EXPECT_FALSE(server.subscription().fifo());
  EXPECT_EQ(server.subscription().receive_batch_size(), 32);
  EXPECT_EQ(TimeUtil::DurationToMilliseconds(server.subscription().long_polling_timeout()), 15000);

  const pb::RetryPolicy& retry = server.backoff_policy();
  EXPECT_EQ(retry.max_attempts(), 17);
  ASSERT_TRUE(retry.has_customized_backoff());
  const auto& next = retry.customized_backoff().next();
  ASSERT_EQ(next.size(), 18);
  EXPECT_EQ(TimeUtil::DurationToMilliseconds(next[0]), 1000);
  EXPECT_EQ(TimeUtil::DurationToMilliseconds(next[1]), 5000);
  EXPECT_EQ(TimeUtil::DurationToMilliseconds(next[17]), 2 * 3600 * 1000);

  options.max_reconsume_times = 2;
  options.message_delay_level = "10ms 20ms";
  options.long_polling_hold_ms_max = 1000;
  options.pull_messages_default = 4;
  const pb::Settings small = ServerSettings(client, options);
  EXPECT_EQ(small.backoff_policy().max_attempts(), 3);
  ASSERT_EQ(small.backoff_policy().customized_backoff().next_size(), 2);
  EXPECT_EQ(TimeUtil::DurationToMilliseconds(small.backoff_policy().customized_backoff().next(1)), 20);
  EXPECT_EQ(TimeUtil::DurationToMilliseconds(small.subscription().long_polling_timeout()), 1000);
  EXPECT_EQ(small.subscription().receive_batch_size(), 4);
}

}  // namespace
}  // namespace raftmq::broker::v2
