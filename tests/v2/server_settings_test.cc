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
  EXPECT_TRUE(server.backoff_policy().has_exponential_backoff());
}

}  // namespace
}  // namespace raftmq::broker::v2
