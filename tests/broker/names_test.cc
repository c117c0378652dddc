#include "broker/names.h"

#include <string>

#include <gtest/gtest.h>

namespace raftmq::broker {
namespace {

TEST(Names, AcceptsRocketMqCharsetUpTo127Characters) {
  EXPECT_TRUE(CheckName("topic", "Topic_a-1|%RETRY%").ok());
  EXPECT_TRUE(CheckName("topic", std::string(127, 'a')).ok());
}

TEST(Names, RefusesEmptyLongAndForeignCharactersWithInvalidArgument) {
  for (std::string name : {std::string(), std::string(128, 'a'), std::string("a b"), std::string("a.b"),
                           std::string("a/b"), std::string("\xc3\xa9")}) {
    grpc::Status status = CheckName("consumer group", name);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_NE(status.error_message().find("consumer group"), std::string::npos);
  }
}

TEST(Names, AConsumerGroupLeavesRoomForItsRetryAndDeadLetterTopics) {
  const std::string longest(kGroupNameLengthMax, 'g');
  EXPECT_TRUE(CheckGroupName(longest).ok());
  EXPECT_TRUE(CheckName("topic", RetryTopic(longest)).ok());
  EXPECT_TRUE(CheckName("topic", DlqTopic(longest)).ok());
  // 125 characters pass the general rule but make a 132-character retry topic.
  grpc::Status status = CheckGroupName(std::string(125, 'g'));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("consumer group must have at most 120 characters so that %RETRY%<group> fits"),
            std::string::npos)
      << status.error_message();
  EXPECT_EQ(CheckGroupName("a b").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(Names, KnowsRocketMqsSystemTopicsAndWhichOnesProducersMayNotSendTo) {
  for (std::string topic : {"SCHEDULE_TOPIC_XXXX", "TBW102", "RMQ_SYS_TRANS_HALF_TOPIC", "rmq_sys_anything"}) {
    EXPECT_TRUE(IsSystemTopic(topic)) << topic;
    EXPECT_EQ(CheckUserTopic(topic).error_code(), grpc::StatusCode::INVALID_ARGUMENT) << topic;
  }
  EXPECT_FALSE(IsSystemTopic("%RETRY%g1"));
  EXPECT_TRUE(CheckUserTopic("Orders").ok());
  grpc::Status status = CheckSendableTopic("SCHEDULE_TOPIC_XXXX");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("SCHEDULE_TOPIC_XXXX"), std::string::npos);
  EXPECT_TRUE(CheckSendableTopic("TBW102").ok()) << "RocketMQ lets producers send to TBW102";
  EXPECT_TRUE(CheckSendableTopic("%RETRY%g1").ok());
}

TEST(Names, DerivesRetryAndDeadLetterTopicsAsRocketMq) {
  EXPECT_EQ(RetryTopic("g1"), "%RETRY%g1");
  EXPECT_EQ(DlqTopic("g1"), "%DLQ%g1");
  EXPECT_TRUE(IsRetryTopic("%RETRY%g1"));
  EXPECT_FALSE(IsRetryTopic("%DLQ%g1"));
}

}  // namespace
}  // namespace raftmq::broker
