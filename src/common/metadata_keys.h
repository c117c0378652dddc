// The gRPC trailing-metadata keys of the wire contract, written once for the broker that sets
// them, the client that reads them and the tests.
//
// Thread-safety: constants.
#pragma once

namespace raftmq {

// A follower's UNAVAILABLE names the leader it knows ("host:port").
inline constexpr char kLeaderAddressKey[] = "raftmq-leader-address";
// A pull's OUT_OF_RANGE tells where the queue is: its min offset and max offset (the next
// offset to be written), decimal.
inline constexpr char kMinOffsetKey[] = "raftmq-min-offset";
inline constexpr char kMaxOffsetKey[] = "raftmq-max-offset";

}  // namespace raftmq
