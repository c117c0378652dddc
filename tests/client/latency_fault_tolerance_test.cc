#include "client/latency_fault_tolerance.h"

#include <gtest/gtest.h>

namespace raftmq::client {
namespace {

TEST(LatencyFaultTolerance, MapsLatenciesToRocketMqAvoidanceDurations) {
  LatencyFaultTolerance faults;
  EXPECT_EQ(faults.NotAvailableDurationMs(0), 0);
  EXPECT_EQ(faults.NotAvailableDurationMs(99), 0);
  EXPECT_EQ(faults.NotAvailableDurationMs(549), 0);
  EXPECT_EQ(faults.NotAvailableDurationMs(550), 2000);
  EXPECT_EQ(faults.NotAvailableDurationMs(1800), 5000);
  EXPECT_EQ(faults.NotAvailableDurationMs(3000), 6000);
  EXPECT_EQ(faults.NotAvailableDurationMs(4999), 6000);
  EXPECT_EQ(faults.NotAvailableDurationMs(5000), 10000);
  EXPECT_EQ(faults.NotAvailableDurationMs(15000), 30000);
  EXPECT_EQ(faults.NotAvailableDurationMs(60000), 30000);
}

TEST(LatencyFaultTolerance, AvoidsASlowGroupUntilItsDurationEnds) {
  LatencyFaultTolerance faults;
  faults.Update("g1", 600, /*failed=*/false, /*now_ms=*/1000);
  EXPECT_FALSE(faults.IsAvailable("g1", 1000));
  EXPECT_FALSE(faults.IsAvailable("g1", 2999));
  EXPECT_TRUE(faults.IsAvailable("g1", 3000));
  EXPECT_TRUE(faults.IsAvailable("g2", 1000)) << "a group never seen is available";
}

TEST(LatencyFaultTolerance, CountsAFailureAsTheHighestLatency) {
  LatencyFaultTolerance faults;
  faults.Update("g1", 3, /*failed=*/true, /*now_ms=*/0);
  EXPECT_FALSE(faults.IsAvailable("g1", 29999));
  EXPECT_TRUE(faults.IsAvailable("g1", 30000));
}

TEST(LatencyFaultTolerance, AFastSendMakesAGroupAvailableAgain) {
  LatencyFaultTolerance faults;
  faults.Update("g1", 0, /*failed=*/true, /*now_ms=*/0);
  faults.Update("g1", 10, /*failed=*/false, /*now_ms=*/100);
  EXPECT_TRUE(faults.IsAvailable("g1", 100));
}

TEST(LatencyFaultTolerance, LeastBadIsTheGroupWhoseAvoidanceEndsFirst) {
  LatencyFaultTolerance faults;
  faults.Update("g1", 0, /*failed=*/true, /*now_ms=*/0);       // until 30000
  faults.Update("g2", 2000, /*failed=*/false, /*now_ms=*/0);   // until 5000
  faults.Update("g3", 600, /*failed=*/false, /*now_ms=*/10000);  // until 12000
  EXPECT_EQ(faults.LeastBad({"g1", "g2", "g3"}), "g2");
  EXPECT_EQ(faults.LeastBad({"g1", "g4"}), "g4") << "a group never avoided is the least bad";
  EXPECT_FALSE(faults.LeastBad({}).has_value());
}

TEST(LatencyFaultTolerance, HonoursCustomTables) {
  LatencyFaultTolerance faults(LatencyFaultOptions{.latency_levels_ms = {10}, .not_available_ms = {500}});
  EXPECT_EQ(faults.NotAvailableDurationMs(9), 0);
  EXPECT_EQ(faults.NotAvailableDurationMs(10), 500);
}

}  // namespace
}  // namespace raftmq::client
