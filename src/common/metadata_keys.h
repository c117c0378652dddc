// The gRPC trailing-metadata keys of the wire contract, written once for the broker that sets
// them, the client that reads them and the tests.
//
// Thread-safety: constants.
#pragma once

namespace raftmq {

// A follower's UNAVAILABLE names the leader it knows ("host:port").
inline constexpr char kLeaderAddressKey[] = "raftmq-leader-address";
// Every UNAVAILABLE the broker answers itself carries this key (value "1"): it refused the call
// and did nothing. An UNAVAILABLE without it came from the transport (connection lost, pings
// unanswered) after the request may have reached the broker: a write's outcome is unknown.
inline constexpr char kRefusedKey[] = "raftmq-refused";
// A pull's OUT_OF_RANGE tells where the queue is: its min offset and max offset (the next
// offset to be written), decimal.
inline constexpr char kMinOffsetKey[] = "raftmq-min-offset";
inline constexpr char kMaxOffsetKey[] = "raftmq-max-offset";

}  // namespace raftmq
