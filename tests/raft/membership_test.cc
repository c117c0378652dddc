// Membership rule by rule (raft/configuration.h, raft/config_log.h, Core's membership API); the
// scenarios (tests/raft/scenarios/membership_*.txt) show whole exchanges.
#include <gtest/gtest.h>

#include "core_harness.h"
#include "raft/config_log.h"
#include "raft/configuration.h"
#include "raft/entry_kind.h"

namespace raftmq::raft {
namespace {

const ConfState kThree{.voters = {1, 2, 3}};

TEST(ConfChange, RoundTripsThroughItsPayload) {
  for (ConfChangeType type : {ConfChangeType::kAddLearner, ConfChangeType::kPromote, ConfChangeType::kRemove}) {
    const ConfChange change{.type = type, .node = 0x0102030405060708ull};
    Result<ConfChange> decoded = DecodeConfChange(EncodeConfChange(change));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, change);
  }
}

TEST(ConfChange, RefusesPayloadsThatAreNotOne) {
  std::string payload = EncodeConfChange(ConfChange{.type = ConfChangeType::kRemove, .node = 2});
  EXPECT_TRUE(DecodeConfChange(payload.substr(1)).status().IsInvalidArgument());
  std::string unknown = payload;
  unknown[0] = 9;
  EXPECT_TRUE(DecodeConfChange(unknown).status().IsInvalidArgument());
  EXPECT_TRUE(DecodeConfChange(std::string(kConfChangePayloadBytes, '\0')).status().IsInvalidArgument());
}

TEST(ConfChange, AnAddLearnerCarriesAnAddressAndDecodeRefusesABadOne) {
  const ConfChange change{.type = ConfChangeType::kAddLearner, .node = 4, .address = "node4.example:9876"};
  Result<ConfChange> decoded = DecodeConfChange(EncodeConfChange(change));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, change);
  const std::string header = EncodeConfChange(ConfChange{.type = ConfChangeType::kAddLearner, .node = 4});
  for (const char* bad : {"nohost", ":9876", "host:", "host:0", "host:65536", "ho st:1", "host:12x"}) {
    EXPECT_TRUE(DecodeConfChange(header + bad).status().IsInvalidArgument()) << bad;
  }
  EXPECT_TRUE(DecodeConfChange(header + std::string(kPeerAddressBytesMax, 'a') + ":1").status().IsInvalidArgument());
  const std::string remove = EncodeConfChange(ConfChange{.type = ConfChangeType::kRemove, .node = 4});
  EXPECT_TRUE(DecodeConfChange(remove + "host:1").status().IsInvalidArgument()) << "only add-learner has one";
}

TEST(ApplyConfChange, KeepsAnAddressFromAddLearnerToRemove) {
  Result<ConfState> added =
      ApplyConfChange(kThree, {.type = ConfChangeType::kAddLearner, .node = 4, .address = "h4:1"});
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->addresses, (std::map<NodeId, std::string>{{4, "h4:1"}}));
  Result<ConfState> promoted = ApplyConfChange(*added, {.type = ConfChangeType::kPromote, .node = 4});
  ASSERT_TRUE(promoted.ok());
  EXPECT_EQ(promoted->addresses, added->addresses);
  EXPECT_TRUE(CheckConfState(*promoted).ok());
  Result<ConfState> removed = ApplyConfChange(*promoted, {.type = ConfChangeType::kRemove, .node = 4});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, kThree);
  EXPECT_TRUE(CheckConfState(ConfState{.voters = {1}, .addresses = {{2, "h2:1"}}}).IsInvalidArgument());
  EXPECT_EQ(PeerAddresses(1, {{1, "h1:1"}, {2, "h2:1"}}, *promoted),
            (std::map<NodeId, std::string>{{2, "h2:1"}, {4, "h4:1"}}));
  // The node's own view of a node wins over the configuration's.
  ConfState bootstrapped = *promoted;
  bootstrapped.addresses[2] = "other-network:1";
  EXPECT_EQ(PeerAddresses(1, {{2, "h2:1"}}, bootstrapped), (std::map<NodeId, std::string>{{2, "h2:1"}, {4, "h4:1"}}));
}

TEST(ApplyConfChange, MovesOneNodeAtATime) {
  Result<ConfState> added = ApplyConfChange(kThree, {.type = ConfChangeType::kAddLearner, .node = 4});
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(*added, (ConfState{.voters = {1, 2, 3}, .learners = {4}}));
  Result<ConfState> promoted = ApplyConfChange(*added, {.type = ConfChangeType::kPromote, .node = 4});
  ASSERT_TRUE(promoted.ok());
  EXPECT_EQ(*promoted, (ConfState{.voters = {1, 2, 3, 4}}));
  Result<ConfState> removed = ApplyConfChange(*promoted, {.type = ConfChangeType::kRemove, .node = 1});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, (ConfState{.voters = {2, 3, 4}}));
}

TEST(ApplyConfChange, RefusesWhatDoesNotApply) {
  EXPECT_TRUE(ApplyConfChange(kThree, {.type = ConfChangeType::kAddLearner, .node = 2}).status().IsInvalidArgument());
  EXPECT_TRUE(ApplyConfChange(kThree, {.type = ConfChangeType::kPromote, .node = 2}).status().IsInvalidArgument());
  EXPECT_TRUE(ApplyConfChange(kThree, {.type = ConfChangeType::kRemove, .node = 4}).status().IsInvalidArgument());
  const ConfState one{.voters = {1}, .learners = {2}};
  EXPECT_TRUE(ApplyConfChange(one, {.type = ConfChangeType::kRemove, .node = 1}).status().IsInvalidArgument());
  EXPECT_TRUE(ApplyConfChange(one, {.type = ConfChangeType::kRemove, .node = 2}).ok());
}

storage::LogEntry Change(Index index, ConfChangeType type, NodeId node) {
  return storage::LogEntry{.index = index, .term = Term(1), .kind = kMembershipEntry,
                           .payload = EncodeConfChange({.type = type, .node = node})};
}

TEST(ConfigLog, TakesEffectWhenAppendedRevertsWhenTruncatedFoldsWhenApplied) {
  ConfigLog config({Index(10), kThree}, Index(10));
  EXPECT_TRUE(config.Append(Change(Index(11), ConfChangeType::kAddLearner, 4)));
  EXPECT_TRUE(config.Append(Change(Index(12), ConfChangeType::kPromote, 4)));
  EXPECT_EQ(config.current().voters, (std::vector<NodeId>{1, 2, 3, 4}));
  EXPECT_EQ(config.before_last_change().learners, std::vector<NodeId>{4});
  config.TruncateAfter(Index(11));
  EXPECT_EQ(config.current(), (ConfState{.voters = {1, 2, 3}, .learners = {4}}));
  EXPECT_EQ(config.applied(), kThree);
  EXPECT_TRUE(config.AppliedTo(Index(11)));
  EXPECT_EQ(config.applied(), config.current());
  EXPECT_EQ(config.last_change_index(), Index(0));
}

TEST(ConfigLog, SkipsAChangeThatDoesNotApplyOrDoesNotDecode) {
  ConfigLog config({Index(0), kThree}, Index(0));
  EXPECT_FALSE(config.Append(Change(Index(1), ConfChangeType::kPromote, 5)));
  EXPECT_FALSE(config.Append(storage::LogEntry{.index = Index(2), .term = Term(1), .kind = kMembershipEntry,
                                               .payload = "junk"}));
  EXPECT_EQ(config.current(), kThree);
  EXPECT_EQ(config.last_change_index(), Index(0));
}

TEST(ConfigLog, ARecordAboveTheAppliedIndexKeepsTheChangesItHolds) {
  // raft::Node saved the record at 12 before applying; the state machine resumed at 10.
  const ConfState four{.voters = {1, 2, 3, 4}};
  ConfigLog config({Index(12), four}, Index(10));
  EXPECT_FALSE(config.Append(Change(Index(11), ConfChangeType::kAddLearner, 4)));
  EXPECT_FALSE(config.Append(Change(Index(12), ConfChangeType::kPromote, 4)));
  EXPECT_TRUE(config.Append(Change(Index(13), ConfChangeType::kRemove, 1)));
  EXPECT_FALSE(config.AppliedTo(Index(12)));
  EXPECT_EQ(config.applied_record(), (storage::ConfRecord{Index(12), four}));
  EXPECT_TRUE(config.AppliedTo(Index(13)));
  EXPECT_EQ(config.applied_record(), (storage::ConfRecord{Index(13), ConfState{.voters = {2, 3, 4}}}));
}

TEST(CoreMembership, CreateFoldsTheChangesBetweenARecordAndTheAppliedIndex) {
  sim::SimLogStore log;
  const std::vector<storage::LogEntry> entries{
      storage::LogEntry{.index = Index(1), .term = Term(1), .kind = kNoopEntry},
      Change(Index(2), ConfChangeType::kAddLearner, 4), Change(Index(3), ConfChangeType::kPromote, 4),
      Change(Index(4), ConfChangeType::kRemove, 1)};
  ASSERT_TRUE(log.Append(entries).ok());
  CoreOptions options = test::TestOptions();
  options.id = 2;
  options.voters = {1, 2, 3};
  const storage::HardState hard_state{.term = Term(1), .commit = Index(4)};
  auto core = Core::Create(options, log, hard_state, Index(3), nullptr, storage::ConfRecord{Index(1), kThree});
  ASSERT_TRUE(core.ok()) << core.status().ToString();
  EXPECT_EQ((*core)->applied_conf_record(), (storage::ConfRecord{Index(3), ConfState{.voters = {1, 2, 3, 4}}}));
  EXPECT_EQ((*core)->configuration(), (ConfState{.voters = {2, 3, 4}}));
}

TEST(CoreMembership, CreateRefusesAMalformedConfiguration) {
  sim::SimLogStore log;
  CoreOptions options = test::TestOptions();
  options.id = 1;
  options.voters = {1, 2, 3};
  for (const ConfState& bad : {ConfState{}, ConfState{.voters = {2, 1}}, ConfState{.voters = {1}, .learners = {1}}}) {
    auto core = Core::Create(options, log, storage::HardState{}, Index(0), nullptr, storage::ConfRecord{Index(0), bad});
    EXPECT_TRUE(core.status().IsInvalidArgument()) << DescribeConfState(bad);
  }
}

TEST(CoreMembership, LearnersAreReportedApartAndNeverCampaign) {
  test::CoreHarness group(4, test::TestOptions(), /*voter_count=*/3);
  group.StartEstablished(Term(1));
  group.Elect(1);
  ASSERT_TRUE(group.core(1).ProposeConfChange({.type = ConfChangeType::kAddLearner, .node = 4}).ok());
  group.Stabilize();
  std::vector<PeerStatus> peers = group.core(1).Peers();
  ASSERT_EQ(peers.size(), 3u);
  EXPECT_TRUE(peers.back().id == 4 && peers.back().learner);
  EXPECT_FALSE(peers.front().learner);
  // Cut off from its leader, a learner waits: no (pre-)vote leaves it however long it ticks.
  group.Isolate(1);
  group.Tick(4, 100);
  for (const Message& message : group.TakeOutbox()) {
    EXPECT_NE(message.from, NodeId(4)) << test::DescribeMessage(message);
  }
  EXPECT_EQ(group.core(4).role(), Role::kFollower);
  EXPECT_EQ(group.node(4).conf_state, (ConfState{.voters = {1, 2, 3}, .learners = {4}}));
}

}  // namespace
}  // namespace raftmq::raft
