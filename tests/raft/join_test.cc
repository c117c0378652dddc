// Joining a running group (raft/core.h, "Joining"; raft/configuration.h, the bootstrap entry):
// a new group's first leader writes its configuration as entry 1, a node started with no
// voters learns the group from that entry or from a snapshot and never campaigns before, and
// a group whose log begins without a bootstrap refuses new nodes until index 1 is compacted.
#include <gtest/gtest.h>

#include "core_harness.h"
#include "raft/configuration.h"
#include "raft/entry_kind.h"

namespace raftmq::raft {
namespace {

using test::CoreHarness;

const ConfState kThreeVoters{.voters = {1, 2, 3}};
const ConfState kJoinedAsLearner{.voters = {1, 2, 3}, .learners = {4}};

ConfState AddressedVoters() {
  return ConfState{.voters = {1, 2, 3}, .addresses = {{1, "node1.example:9876"}, {3, "10.0.0.3:1"}}};
}

TEST(BootstrapChange, RoundTripsThroughItsPayload) {
  for (const ConfState& config : {kThreeVoters, AddressedVoters(), ConfState{.voters = {0x0102030405060708ull}}}) {
    const ConfChange change{.type = ConfChangeType::kBootstrap, .configuration = config};
    Result<ConfChange> decoded = DecodeConfChange(EncodeConfChange(change));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, change);
  }
}

TEST(BootstrapChange, KeepsOnlyTheVotersAddresses) {
  const ConfChange change = BootstrapChange({3, 1, 2}, {{1, "node1.example:9876"}, {3, "10.0.0.3:1"}, {9, "h9:9"}});
  EXPECT_EQ(change.configuration, AddressedVoters());
  EXPECT_EQ(change.node, kNoNode);
}

TEST(BootstrapChange, DecodeRefusesMalformedPayloads) {
  const std::string good = EncodeConfChange({.type = ConfChangeType::kBootstrap, .configuration = AddressedVoters()});
  // Cut short anywhere, or with a byte too many.
  for (size_t size = 1; size < good.size(); ++size) {
    EXPECT_TRUE(DecodeConfChange(good.substr(0, size)).status().IsInvalidArgument()) << size << " bytes";
  }
  EXPECT_TRUE(DecodeConfChange(good + "x").status().IsInvalidArgument());
  const auto with_count = [&](uint16_t count) {
    std::string payload = good;
    payload[1] = static_cast<char>(count & 0xff);
    payload[2] = static_cast<char>(count >> 8);
    return payload;
  };
  EXPECT_TRUE(DecodeConfChange(with_count(0)).status().IsInvalidArgument()) << "no voters";
  EXPECT_TRUE(DecodeConfChange(with_count(kBootstrapVotersMax + 1)).status().IsInvalidArgument());
  EXPECT_TRUE(DecodeConfChange(with_count(2)).status().IsInvalidArgument()) << "a voter left over";
  // One voter, then its id and address changed in place: id 0, a bad address, a length past the end.
  const std::string one = EncodeConfChange({.type = ConfChangeType::kBootstrap,
                                            .configuration = {.voters = {7}, .addresses = {{7, "h:1"}}}});
  std::string zero_id = one;
  zero_id[3] = 0;
  EXPECT_TRUE(DecodeConfChange(zero_id).status().IsInvalidArgument());
  std::string bad_address = one;
  bad_address.back() = '0';  // "h:0"
  EXPECT_TRUE(DecodeConfChange(bad_address).status().IsInvalidArgument());
  std::string long_address = one;
  long_address[11] = static_cast<char>(0xff);
  long_address[12] = static_cast<char>(0xff);
  EXPECT_TRUE(DecodeConfChange(long_address).status().IsInvalidArgument());
  // Ids not ascending, or twice.
  std::string twice = EncodeConfChange({.type = ConfChangeType::kBootstrap, .configuration = {.voters = {5, 6}}});
  twice[3 + 10] = 5;
  EXPECT_TRUE(DecodeConfChange(twice).status().IsInvalidArgument());
  std::string descending = twice;
  descending[3 + 10] = 4;
  EXPECT_TRUE(DecodeConfChange(descending).status().IsInvalidArgument());
  // ConfigLog skips what does not decode: the joining node stays without a configuration.
  ConfigLog config({Index(0), ConfState{}}, Index(0));
  EXPECT_FALSE(config.Append({.index = Index(1), .term = Term(1), .kind = kMembershipEntry, .payload = twice}));
  EXPECT_TRUE(config.current().voters.empty());
}

TEST(BootstrapChange, ReplacesTheConfigurationAndIsTheOnlyChangeWithoutOne) {
  const ConfChange bootstrap{.type = ConfChangeType::kBootstrap, .configuration = AddressedVoters()};
  EXPECT_EQ(ApplyConfChange(ConfState{}, bootstrap).value(), AddressedVoters());
  EXPECT_EQ(ApplyConfChange(kJoinedAsLearner, bootstrap).value(), AddressedVoters());
  EXPECT_TRUE(ApplyConfChange(ConfState{}, {.type = ConfChangeType::kAddLearner, .node = 4}).status().IsInvalidArgument());
  EXPECT_TRUE(ApplyConfChange(kThreeVoters, {.type = ConfChangeType::kBootstrap}).status().IsInvalidArgument());
}

TEST(CoreJoin, OptionsWithoutVotersJoinButARecordWithoutVotersIsRefused) {
  CoreOptions options = test::TestOptions();
  options.id = 4;
  EXPECT_TRUE(options.Validate().ok());
  options.addresses = {{1, "no port"}};
  EXPECT_TRUE(options.Validate().IsInvalidArgument());
  options.addresses.clear();
  sim::SimLogStore log;
  EXPECT_TRUE(Core::Create(options, log, storage::HardState{}, Index(0), nullptr).ok());
  auto refused = Core::Create(options, log, storage::HardState{}, Index(0), nullptr, storage::ConfRecord{});
  EXPECT_TRUE(refused.status().IsInvalidArgument());
}

TEST(CoreJoin, NewGroupsFirstLeaderWritesTheBootstrapAtIndexOneLaterLeadersNoops) {
  CoreOptions options = test::NoLeaseOptions();
  options.addresses = {{1, "node1.example:9876"}, {3, "10.0.0.3:1"}, {9, "h9:9"}};
  CoreHarness group(3, options);
  group.Elect(1);
  group.Elect(2);
  for (NodeId id : {1, 2, 3}) {
    const std::vector<storage::LogEntry>& applied = group.node(id).applied;
    ASSERT_EQ(applied.size(), 2u) << "node " << id;
    EXPECT_EQ(applied[0].kind, kMembershipEntry);
    Result<ConfChange> first = DecodeConfChange(applied[0].payload);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(*first, (ConfChange{.type = ConfChangeType::kBootstrap, .configuration = AddressedVoters()}));
    EXPECT_EQ(applied[1].kind, kNoopEntry) << "a later leader's first entry";
    EXPECT_EQ(group.core(id).applied_conf_record(), (storage::ConfRecord{Index(1), AddressedVoters()}));
    EXPECT_EQ(group.node(id).conf_state, AddressedVoters());
  }
  EXPECT_TRUE(group.core(2).ProposeConfChange({.type = ConfChangeType::kBootstrap, .configuration = kThreeVoters})
                  .status()
                  .IsInvalidArgument());
}

// Before a change adds it, a joining node neither campaigns nor probes: nothing leaves it.
void ExpectSilentWhileUnconfigured(CoreHarness& group, NodeId id) {
  group.Tick(id, 100);
  group.core(id).Campaign();
  for (const Message& message : group.TakeOutbox()) {
    EXPECT_NE(message.from, id) << test::DescribeMessage(message);
  }
  EXPECT_EQ(group.core(id).role(), Role::kFollower);
  EXPECT_TRUE(group.core(id).configuration().voters.empty());
}

TEST(CoreJoin, AJoiningNodeLearnsTheConfigurationFromEntryOne) {
  CoreHarness group(4, test::TestOptions(), /*voter_count=*/3);
  group.Elect(1);
  group.Propose(1, "a");
  ExpectSilentWhileUnconfigured(group, 4);
  ASSERT_TRUE(group.core(1).ProposeConfChange({.type = ConfChangeType::kAddLearner, .node = 4}).ok());
  group.Stabilize();
  EXPECT_EQ(group.core(4).configuration(), kJoinedAsLearner);
  EXPECT_EQ(group.node(4).conf_state, kJoinedAsLearner);
  EXPECT_EQ(group.core(4).applied_conf_record().index, Index(3));
  EXPECT_EQ(group.node(4).applied.front().kind, kMembershipEntry);
  // Restarted from what it persisted, it knows its group (and, a learner, still waits).
  group.Restart(4);
  EXPECT_EQ(group.core(4).configuration(), kJoinedAsLearner);
}

TEST(CoreJoin, AJoiningNodeThatAppendedEntryOneKnowsTheGroupAfterARestart) {
  CoreHarness group(4, test::TestOptions(), /*voter_count=*/3);
  group.Elect(1);
  ASSERT_TRUE(group.core(1).ProposeConfChange({.type = ConfChangeType::kAddLearner, .node = 4}).ok());
  group.Stabilize();
  // Only the log, no record: the configuration comes from the entries it holds.
  group.node(4).conf_state.reset();
  group.node(4).applied.clear();
  group.Restart(4);
  EXPECT_EQ(group.core(4).configuration(), kJoinedAsLearner);
}

TEST(CoreJoin, AJoiningNodeLearnsTheConfigurationFromASnapshot) {
  CoreHarness group(4, test::TestOptions(), /*voter_count=*/3);
  group.Elect(1);
  group.Propose(1, "a");
  group.Propose(1, "b");
  group.Compact(1, Index(3));  // entry 1 is gone: a new node needs a snapshot
  ExpectSilentWhileUnconfigured(group, 4);
  ASSERT_TRUE(group.core(1).ProposeConfChange({.type = ConfChangeType::kAddLearner, .node = 4}).ok());
  group.Stabilize();
  ASSERT_GE(group.node(4).restored_at, Index(3));
  EXPECT_EQ(group.core(4).configuration(), kJoinedAsLearner);
  EXPECT_EQ(group.node(4).conf_state, kJoinedAsLearner);
  EXPECT_EQ(group.core(4).applied_index(), group.core(1).commit_index());
}

TEST(CoreJoin, AnOldLogRefusesAddLearnerUntilIndexOneIsCompacted) {
  CoreHarness group(4, test::TestOptions(), /*voter_count=*/3);
  // A group created before bootstrap entries: its log begins with a no-op.
  for (NodeId id : {1, 2, 3}) {
    const std::vector<storage::LogEntry> noop{{.index = Index(1), .term = Term(1), .kind = kNoopEntry}};
    ASSERT_TRUE(group.node(id).log.Append(noop).ok());
    ASSERT_TRUE(group.node(id).hard_state.SaveHardState({.term = Term(1), .commit = Index(1)}).ok());
    group.Restart(id);
  }
  group.Elect(1);
  group.Propose(1, "a");
  Result<Index> refused = group.core(1).ProposeConfChange({.type = ConfChangeType::kAddLearner, .node = 4});
  EXPECT_TRUE(refused.status().IsNotSupported()) << refused.status().ToString();
  EXPECT_NE(refused.status().ToString().find("retention"), std::string::npos);
  group.Compact(1, Index(2));
  ASSERT_TRUE(group.core(1).ProposeConfChange({.type = ConfChangeType::kAddLearner, .node = 4}).ok());
  group.Stabilize();
  EXPECT_EQ(group.core(4).configuration(), kJoinedAsLearner);
}

}  // namespace
}  // namespace raftmq::raft
