// The checker on hand-made histories: each invariant it reports is found when broken and
// not reported when it holds.
#include "chaos/checker.h"

#include <initializer_list>

#include <gtest/gtest.h>

namespace raftmq::chaos {
namespace {

SendRecord Acked(uint64_t id, int64_t start_ms, int64_t end_ms, int32_t queue, int64_t offset) {
  SendRecord send;
  send.id = id;
  send.start_ms = start_ms;
  send.end_ms = end_ms;
  send.outcome = SendOutcome::kAcknowledged;
  send.group = "g1";
  send.queue_id = queue;
  send.offset = offset;
  return send;
}

ReadRecord Read(uint64_t id, int32_t queue, int64_t offset) { return {id, "g1", queue, offset, 0}; }

// Records the drain's reads, in order, then checks the whole history.
CheckResult CheckAfterDrain(History& history, std::initializer_list<ReadRecord> reads) {
  for (const ReadRecord& read : reads) history.RecordDrainRead(read);
  return Check(history);
}

TEST(ChaosChecker, PassesAHistoryWhereEveryAcknowledgedMessageWasRead) {
  History history;
  history.RecordSend(Acked(1, 0, 10, 0, 0));
  history.RecordSend(Acked(2, 20, 30, 0, 1));
  CheckResult result = CheckAfterDrain(history, {Read(1, 0, 0), Read(2, 0, 1)});
  EXPECT_EQ(result.acknowledged, 2u);
  EXPECT_EQ(result.lost, 0u);
  EXPECT_EQ(result.reordered, 0u);
  EXPECT_TRUE(result.violations.empty());
}

TEST(ChaosChecker, ReportsAnAcknowledgedMessageNeverReadAsLost) {
  History history;
  history.RecordSend(Acked(1, 0, 10, 0, 0));
  history.RecordSend(Acked(2, 20, 30, 0, 1));
  CheckResult result = CheckAfterDrain(history, {Read(1, 0, 0)});
  EXPECT_EQ(result.lost, 1u);
  ASSERT_EQ(result.lost_ids.size(), 1u);
  EXPECT_EQ(result.lost_ids[0], 2u);
  EXPECT_FALSE(result.violations.empty());
}

TEST(ChaosChecker, ReportsAMessageAcknowledgedBeforeAnotherWasSentButStoredAfterItAsReordered) {
  History history;
  history.RecordSend(Acked(1, 0, 10, 0, 1));   // acknowledged at 10 ...
  history.RecordSend(Acked(2, 20, 30, 0, 0));  // ... yet 2, sent at 20, sits before it
  CheckResult result = CheckAfterDrain(history, {Read(1, 0, 1), Read(2, 0, 0)});
  EXPECT_EQ(result.reordered, 1u);
  EXPECT_FALSE(result.violations.empty());
}

TEST(ChaosChecker, CountsDuplicatesAndStoredUnknownsWithoutCallingThemViolations) {
  History history;
  history.RecordSend(Acked(1, 0, 10, 0, 0));
  SendRecord unknown;
  unknown.id = 2;
  unknown.start_ms = 20;
  unknown.end_ms = 3020;
  history.RecordSend(unknown);
  CheckResult result = CheckAfterDrain(history, {Read(1, 0, 0), Read(2, 0, 1), Read(2, 0, 2)});
  EXPECT_EQ(result.duplicated, 1u);
  EXPECT_EQ(result.unknown, 1u);
  EXPECT_EQ(result.unknown_stored, 1u);
  EXPECT_TRUE(result.violations.empty());
}

TEST(ChaosChecker, MeasuresUnavailabilityFromTheFaultToTheFirstAckOfALaterSend) {
  History history;
  history.RecordSend(Acked(1, 900, 1100, 0, 0));   // in flight at the fault: does not count
  history.RecordSend(Acked(2, 1200, 2500, 0, 1));  // first send after the fault: acked at 2500
  history.RecordSend(Acked(3, 2600, 2610, 0, 2));
  for (uint64_t id = 1; id <= 3; ++id) history.RecordDrainRead(Read(id, 0, static_cast<int64_t>(id - 1)));
  history.RecordFault({"kill-leader", "g1n1", 1000, 2000, ""});
  CheckResult result = Check(history);
  ASSERT_EQ(result.faults.size(), 1u);
  EXPECT_EQ(result.faults[0].unavailable_ms, 1500);
  EXPECT_EQ(result.faults[0].longest_gap_ms, 1400);  // from the ack at 1100 to the one at 2500
  ASSERT_EQ(result.kinds.size(), 1u);
  EXPECT_EQ(result.kinds[0].max_unavailable_ms, 1500);
}

TEST(ChaosChecker, CountsAFaultThatLeftNoConnectedMajorityApartFromTheTimes) {
  History history;
  history.RecordSend(Acked(1, 1200, 1300, 0, 0));  // within 300 ms of the first ring
  history.RecordSend(Acked(2, 3100, 9000, 0, 1));  // after the second: 6 s, by design
  for (uint64_t id = 1; id <= 2; ++id) history.RecordDrainRead(Read(id, 0, static_cast<int64_t>(id - 1)));
  history.RecordFault({"partition-ring", "ring g1n1 g1n2 g1n3", 1000, 2000, "", true});
  history.RecordFault({"partition-ring", "ring g1n2 g1n1 g1n3", 3000, 8000, "", false});
  CheckResult result = Check(history);
  ASSERT_EQ(result.faults.size(), 2u);
  EXPECT_EQ(result.faults[1].unavailable_ms, 6000) << "the fault itself is still measured";
  ASSERT_EQ(result.kinds.size(), 1u);
  EXPECT_EQ(result.kinds[0].count, 2);
  EXPECT_EQ(result.kinds[0].without_majority, 1);
  EXPECT_EQ(result.kinds[0].max_unavailable_ms, 300) << "only the fault with a connected majority is in the times";
}

}  // namespace
}  // namespace raftmq::chaos
