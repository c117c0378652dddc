#include "broker/delay_levels.h"

#include <gtest/gtest.h>

#include "broker/broker_options.h"

namespace raftmq::broker {
namespace {

TEST(DelayLevels, ParsesRocketMqDefaultIntoEighteenLevels) {
  auto levels = ParseDelayLevels(BrokerOptions().message_delay_level);
  ASSERT_TRUE(levels.ok()) << levels.status().ToString();
  ASSERT_EQ(levels->size(), 18u);
  EXPECT_EQ(levels->front(), 1000);
  EXPECT_EQ((*levels)[4], 60'000);
  EXPECT_EQ(levels->back(), 2 * 3600 * 1000);
}

TEST(DelayLevels, AcceptsMillisecondsForShortTestDelays) {
  auto levels = ParseDelayLevels("50ms 2s");
  ASSERT_TRUE(levels.ok());
  EXPECT_EQ(*levels, (std::vector<int64_t>{50, 2000}));
}

TEST(DelayLevels, RefusesMissingUnitsZeroAndEmptyLists) {
  for (const char* text : {"", "   ", "5", "0s", "1x", "s", "ms", "1s -2m", "366d"}) {
    EXPECT_TRUE(ParseDelayLevels(text).status().IsInvalidArgument()) << text;
  }
}

TEST(BrokerOptionsValidate, AcceptsDefaultsAndNamesTheBadField) {
  EXPECT_TRUE(BrokerOptions().Validate().ok());
  BrokerOptions options;
  options.long_polling_requests_max = 0;
  Status status = options.Validate();
  EXPECT_TRUE(status.IsInvalidArgument());
  EXPECT_NE(status.message().find("long_polling_requests_max"), std::string::npos);
}

}  // namespace
}  // namespace raftmq::broker
