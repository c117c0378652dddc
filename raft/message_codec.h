// Conversions between raft::Message (the core's) and raft::PeerMessage (the wire's, see
// proto/raft_peer.proto).
//
// Encoding moves entry payloads into the proto, decoding moves them out: a payload is copied
// by neither. Decoding never asserts: bytes from the network are checked (known enum values,
// non-zero distinct endpoints, entries only on appends, consecutive indexes right after
// log_index, terms non-decreasing and not above the message's term) and a bad message is
// refused with InvalidArgument, so the caller can drop and count it.
//
// Threading: pure functions.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "proto/raft_peer.pb.h"
#include "raft/message.h"

namespace raftmq::raft {

// Consumes `message` (its payloads are moved out).
void EncodeMessage(Message&& message, PeerMessage* out);

// Consumes `in` (its payloads are moved out).
Result<Message> DecodeMessage(PeerMessage&& in);

// Wire bytes a message will take, close enough to cap a batch: payloads plus a fixed
// allowance per message and per entry for the varint fields.
uint64_t ApproximateWireSizeBytes(const Message& message);

}  // namespace raftmq::raft
