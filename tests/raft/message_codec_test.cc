#include <gtest/gtest.h>

#include "raft/message_codec.h"
#include "tests/raft/application_entry.h"

namespace raftmq::raft {
namespace {

Message AppendWithEntries() {
  Message message;
  message.type = MessageType::kAppend;
  message.from = 1;
  message.to = 2;
  message.term = Term(5);
  message.log_index = Index(10);
  message.log_term = Term(4);
  message.commit = Index(9);
  message.entries = {
      {.index = Index(11), .term = Term(4), .kind = kApplicationEntry, .payload = "first"},
      {.index = Index(12), .term = Term(5), .kind = kNoopEntry, .payload = ""},
  };
  return message;
}

PeerMessage Encoded(Message message) {
  PeerMessage wire;
  EncodeMessage(std::move(message), &wire);
  return wire;
}

void ExpectRoundTrips(const Message& original) {
  Result<Message> decoded = DecodeMessage(Encoded(original));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, original);
}

TEST(MessageCodec, RoundTripsAnAppendWithEntries) {
  Message original = AppendWithEntries();
  original.recovery_target = Index(12);
  original.read_round = 77;
  ExpectRoundTrips(original);
}

TEST(MessageCodec, RoundTripsARejectedAppendResponse) {
  // `recovering`: the follower may have lost entries it acknowledged; `forgot_term`: its
  // term and vote too (a wiped data dir).
  ExpectRoundTrips(Message{.type = MessageType::kAppendResponse, .from = 3, .to = 1, .term = Term(7),
                           .log_index = Index(40), .reject = true, .reject_hint_index = Index(33),
                           .reject_hint_term = Term(6), .recovering = true, .forgot_term = true});
}

TEST(MessageCodec, RoundTripsATransferVote) {
  ExpectRoundTrips(Message{.type = MessageType::kVote, .from = 2, .to = 3, .term = Term(8), .log_index = Index(50),
                           .log_term = Term(7), .leadership_transfer = true});
}

Message SnapshotMessage() {
  // The snapshot's (index, term) and configuration, the leader's commit and a recovering
  // follower's target.
  return Message{.type = MessageType::kSnapshot, .from = 1, .to = 3, .term = Term(9), .log_index = Index(700),
                 .log_term = Term(8), .commit = Index(705), .recovery_target = Index(710),
                 .conf_state = {.voters = {1, 2, 3}, .learners = {4}, .addresses = {{4, "node4:9876"}}}};
}

TEST(MessageCodec, RoundTripsASnapshotMessage) { ExpectRoundTrips(SnapshotMessage()); }

TEST(MessageCodec, RefusesASnapshotWithoutOrWithAMalformedConfiguration) {
  PeerMessage without = Encoded(SnapshotMessage());
  without.clear_conf_voters();
  EXPECT_TRUE(DecodeMessage(std::move(without)).status().IsInvalidArgument());
  PeerMessage both = Encoded(SnapshotMessage());
  both.add_conf_learners(2);  // a voter and a learner at once
  EXPECT_TRUE(DecodeMessage(std::move(both)).status().IsInvalidArgument());
  PeerMessage bad_address = Encoded(SnapshotMessage());
  (*bad_address.mutable_conf_addresses())[4] = "no port";
  EXPECT_TRUE(DecodeMessage(std::move(bad_address)).status().IsInvalidArgument());
  PeerMessage stranger = Encoded(SnapshotMessage());
  (*stranger.mutable_conf_addresses())[9] = "node9:1";  // not a member
  EXPECT_TRUE(DecodeMessage(std::move(stranger)).status().IsInvalidArgument());
}

TEST(MessageCodec, RefusesAConfigurationOnAMessageThatIsNotASnapshot) {
  PeerMessage wire = Encoded(AppendWithEntries());
  wire.add_conf_voters(1);
  EXPECT_TRUE(DecodeMessage(std::move(wire)).status().IsInvalidArgument());
}

TEST(MessageCodec, RefusesEntriesOnASnapshotMessage) {
  PeerMessage wire = Encoded(AppendWithEntries());
  wire.set_type(static_cast<uint32_t>(MessageType::kSnapshot));
  EXPECT_TRUE(DecodeMessage(std::move(wire)).status().IsInvalidArgument());
}

TEST(MessageCodec, RefusesAnUnknownMessageType) {
  PeerMessage wire = Encoded(AppendWithEntries());
  wire.set_type(99);
  EXPECT_TRUE(DecodeMessage(std::move(wire)).status().IsInvalidArgument());
}

TEST(MessageCodec, RefusesAMessageToItsOwnSender) {
  PeerMessage wire = Encoded(AppendWithEntries());
  wire.set_to(wire.from());
  EXPECT_TRUE(DecodeMessage(std::move(wire)).status().IsInvalidArgument());
}

TEST(MessageCodec, RefusesEntriesOnAVote) {
  PeerMessage wire = Encoded(AppendWithEntries());
  wire.set_type(static_cast<uint32_t>(MessageType::kVote));
  EXPECT_TRUE(DecodeMessage(std::move(wire)).status().IsInvalidArgument());
}

TEST(MessageCodec, RefusesEntriesThatSkipAnIndex) {
  PeerMessage wire = Encoded(AppendWithEntries());
  wire.mutable_entries(1)->set_index(14);
  EXPECT_TRUE(DecodeMessage(std::move(wire)).status().IsInvalidArgument());
}

TEST(MessageCodec, RefusesAnEntryTermAboveTheMessageTerm) {
  PeerMessage wire = Encoded(AppendWithEntries());
  wire.mutable_entries(1)->set_term(6);
  EXPECT_TRUE(DecodeMessage(std::move(wire)).status().IsInvalidArgument());
}

TEST(MessageCodec, RefusesAnEntryKindThatIsZeroOrWiderThanAByte) {
  for (uint32_t kind : {0u, 256u}) {
    PeerMessage wire = Encoded(AppendWithEntries());
    wire.mutable_entries(0)->set_kind(kind);
    EXPECT_TRUE(DecodeMessage(std::move(wire)).status().IsInvalidArgument()) << kind;
  }
}

TEST(MessageCodec, CarriesAnyOtherEntryKindUnread) {
  PeerMessage wire = Encoded(AppendWithEntries());
  wire.mutable_entries(0)->set_kind(200);  // no kind Raft or the broker names today
  Result<Message> decoded = DecodeMessage(std::move(wire));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->entries[0].kind, EntryKind{200});
}

TEST(MessageCodec, RefusesAnIndexThatWrapsAround) {
  PeerMessage wire = Encoded(AppendWithEntries());
  wire.set_log_index(UINT64_MAX);
  wire.mutable_entries(0)->set_index(0);
  EXPECT_TRUE(DecodeMessage(std::move(wire)).status().IsInvalidArgument());
}

}  // namespace
}  // namespace raftmq::raft
