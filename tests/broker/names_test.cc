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

TEST(Names, DerivesRetryAndDeadLetterTopicsAsRocketMq) {
  EXPECT_EQ(RetryTopic("g1"), "%RETRY%g1");
  EXPECT_EQ(DlqTopic("g1"), "%DLQ%g1");
  EXPECT_TRUE(IsRetryTopic("%RETRY%g1"));
  EXPECT_FALSE(IsRetryTopic("%DLQ%g1"));
}

}  // namespace
}  // namespace raftmq::broker
