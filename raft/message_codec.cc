#include "raft/message_codec.h"

#include <string>
#include <utility>

#include "common/assert.h"
#include "raft/configuration.h"

namespace raftmq::raft {
namespace {

// Varint fields of a message or entry take at most this many bytes together (15 fields).
constexpr uint64_t kMessageOverheadBytesMax = 15 * 11;
// Each id of a snapshot's configuration: a varint and its tag.
constexpr uint64_t kConfMemberBytesMax = 11;
constexpr uint64_t kEntryOverheadBytesMax = 4 * 11;

constexpr uint32_t kMessageTypeMin = static_cast<uint32_t>(MessageType::kPreVote);
constexpr uint32_t kMessageTypeMax = static_cast<uint32_t>(MessageType::kSnapshot);
static_assert(kMessageTypeMin < kMessageTypeMax);

Status CheckHeader(const PeerMessage& in) {
  if (in.type() < kMessageTypeMin || in.type() > kMessageTypeMax) {
    return Status::InvalidArgument("unknown message type " + std::to_string(in.type()));
  }
  if (in.from() == kNoNode || in.to() == kNoNode || in.from() == in.to()) {
    return Status::InvalidArgument("bad endpoints " + std::to_string(in.from()) + " -> " +
                                   std::to_string(in.to()));
  }
  if (in.entries_size() > 0 && static_cast<MessageType>(in.type()) != MessageType::kAppend) {
    return Status::InvalidArgument("entries on a message that is not an append");
  }
  // A snapshot names its configuration; nothing else carries one.
  const bool snapshot = static_cast<MessageType>(in.type()) == MessageType::kSnapshot;
  if (!snapshot && (in.conf_voters_size() > 0 || in.conf_learners_size() > 0 || in.conf_addresses_size() > 0)) {
    return Status::InvalidArgument("a configuration on a message that is not a snapshot");
  }
  return Status::Ok();
}

// Entries must continue the log right after (log_index, log_term) within the message's term;
// the core relies on that shape.
Status CheckEntries(const PeerMessage& in) {
  uint64_t previous_index = in.log_index();
  uint64_t previous_term = in.log_term();
  for (const PeerEntry& entry : in.entries()) {
    // The kind is opaque here, but it is one byte wherever it is stored, and never 0.
    if (entry.kind() == 0 || entry.kind() > UINT8_MAX) {
      return Status::InvalidArgument("entry kind " + std::to_string(entry.kind()) + " outside [1, 255]");
    }
    // previous_index + 1 wraps to 0 at the top, and index 0 is never an entry's.
    if (entry.index() == 0 || entry.index() != previous_index + 1) {
      return Status::InvalidArgument("entry index " + std::to_string(entry.index()) +
                                     " does not follow " + std::to_string(previous_index));
    }
    if (entry.term() < previous_term || entry.term() > in.term()) {
      return Status::InvalidArgument("entry term " + std::to_string(entry.term()) +
                                     " out of order at index " + std::to_string(entry.index()));
    }
    previous_index = entry.index();
    previous_term = entry.term();
  }
  return Status::Ok();
}

}  // namespace

void EncodeMessage(Message&& message, PeerMessage* out) {
  RMQ_ASSERT(out != nullptr);
  RMQ_ASSERT(message.entries.empty() || message.type == MessageType::kAppend);
  out->set_type(static_cast<uint32_t>(message.type));
  out->set_from(message.from);
  out->set_to(message.to);
  out->set_term(message.term.value());
  out->set_log_index(message.log_index.value());
  out->set_log_term(message.log_term.value());
  out->set_commit(message.commit.value());
  out->set_reject(message.reject);
  out->set_reject_hint_index(message.reject_hint_index.value());
  out->set_reject_hint_term(message.reject_hint_term.value());
  out->set_leadership_transfer(message.leadership_transfer);
  out->set_recovering(message.recovering);
  out->set_forgot_term(message.forgot_term);
  out->set_recovery_target(message.recovery_target.value());
  out->set_read_round(message.read_round);
  out->mutable_conf_voters()->Add(message.conf_state.voters.begin(), message.conf_state.voters.end());
  out->mutable_conf_learners()->Add(message.conf_state.learners.begin(), message.conf_state.learners.end());
  for (const auto& [id, address] : message.conf_state.addresses) (*out->mutable_conf_addresses())[id] = address;
  out->mutable_entries()->Reserve(static_cast<int>(message.entries.size()));
  for (LogEntry& entry : message.entries) {
    PeerEntry* wire = out->add_entries();
    wire->set_term(entry.term.value());
    wire->set_index(entry.index.value());
    wire->set_kind(storage::KindByte(entry.kind));
    *wire->mutable_payload() = std::move(entry.payload);
  }
}

Result<Message> DecodeMessage(PeerMessage&& in) {
  RMQ_RETURN_IF_ERROR(CheckHeader(in));
  RMQ_RETURN_IF_ERROR(CheckEntries(in));
  Message message;
  message.type = static_cast<MessageType>(in.type());
  message.from = in.from();
  message.to = in.to();
  message.term = Term(in.term());
  message.log_index = Index(in.log_index());
  message.log_term = Term(in.log_term());
  message.commit = Index(in.commit());
  message.reject = in.reject();
  message.reject_hint_index = Index(in.reject_hint_index());
  message.reject_hint_term = Term(in.reject_hint_term());
  message.leadership_transfer = in.leadership_transfer();
  message.recovering = in.recovering();
  message.forgot_term = in.forgot_term();
  message.recovery_target = Index(in.recovery_target());
  message.read_round = in.read_round();
  message.conf_state.voters.assign(in.conf_voters().begin(), in.conf_voters().end());
  message.conf_state.learners.assign(in.conf_learners().begin(), in.conf_learners().end());
  for (const auto& [id, address] : in.conf_addresses()) message.conf_state.addresses.emplace(id, address);
  if (message.type == MessageType::kSnapshot) {
    RMQ_RETURN_IF_ERROR(CheckConfState(message.conf_state).WithContext("snapshot configuration"));
  }
  message.entries.reserve(static_cast<size_t>(in.entries_size()));
  for (PeerEntry& wire : *in.mutable_entries()) {
    message.entries.push_back(LogEntry{.index = Index(wire.index()),
                                       .term = Term(wire.term()),
                                       .kind = EntryKind{static_cast<uint8_t>(wire.kind())},
                                       .payload = std::move(*wire.mutable_payload())});
  }
  return message;
}

uint64_t ApproximateWireSizeBytes(const Message& message) {
  uint64_t bytes = kMessageOverheadBytesMax +
                   kConfMemberBytesMax * (message.conf_state.voters.size() + message.conf_state.learners.size());
  for (const auto& [id, address] : message.conf_state.addresses) bytes += kConfMemberBytesMax + 4 + address.size();
  for (const LogEntry& entry : message.entries) bytes += kEntryOverheadBytesMax + entry.payload.size();
  return bytes;
}

}  // namespace raftmq::raft
