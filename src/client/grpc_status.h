// Translation between gRPC outcomes and the project's Status, and the leader hint a follower
// puts in trailing metadata. gRPC codes map so callers can decide: UNAVAILABLE and
// DEADLINE_EXCEEDED → Unavailable (retry elsewhere), INVALID_ARGUMENT / PERMISSION_DENIED /
// ALREADY_EXISTS / OUT_OF_RANGE → InvalidArgument (the message says which), NOT_FOUND →
// NotFound, RESOURCE_EXHAUSTED → ResourceExhausted, CANCELLED and ABORTED → Aborted,
// UNIMPLEMENTED → NotSupported, anything else → IoError.
//
// Definite vs unknown outcomes of a write: the broker answers ABORTED when the entry was
// appended and may still commit (leadership lost or storage failed after the leader sent it);
// every other error means "not stored".
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "common/status.h"

namespace raftmq::client {

inline constexpr std::string_view kLeaderAddressMetadataKey = "raftmq-leader-address";

// `what` names the call and the peer: "SendMessage to 127.0.0.1:10911".
Status FromGrpc(const grpc::Status& status, std::string_view what);
// The leader address a follower named in the trailing metadata, or "".
std::string LeaderHint(const grpc::ClientContext& context);
// A context whose deadline is `timeout_ms` from now.
std::unique_ptr<grpc::ClientContext> NewContext(int64_t timeout_ms);
// Whether a send that failed so may succeed on another group or later.
bool IsRetriable(const Status& status);
// Whether a write that failed so may have been stored all the same (see above).
bool IsOutcomeUnknown(const Status& status);

}  // namespace raftmq::client
