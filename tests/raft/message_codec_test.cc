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

TEST(MessageCodec, RoundTripsAnAppendWithEntries) {
  Message original = AppendWithEntries();
  original.recovery_target = Index(12);
  original.read_round = 77;
  Result<Message> decoded = DecodeMessage(Encoded(original));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, original);
}

TEST(MessageCodec, RoundTripsARejectedAppendResponse) {
  Message original;
  original.type = MessageType::kAppendResponse;
  original.from = 3;
  original.to = 1;
  original.term = Term(7);
  original.log_index = Index(40);
  original.reject = true;
  original.reject_hint_index = Index(33);
  original.reject_hint_term = Term(6);
  original.recovering = true;  // the follower may have lost entries it acknowledged
  Result<Message> decoded = DecodeMessage(Encoded(original));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, original);
}

TEST(MessageCodec, RoundTripsATransferVote) {
  Message original;
  original.type = MessageType::kVote;
  original.from = 2;
  original.to = 3;
  original.term = Term(8);
  original.log_index = Index(50);
  original.log_term = Term(7);
  original.leadership_transfer = true;
  Result<Message> decoded = DecodeMessage(Encoded(original));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, original);
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
