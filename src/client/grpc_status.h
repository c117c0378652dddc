// Translation between gRPC outcomes and the project's Status, and the trailing metadata the
// broker answers with (common/metadata_keys.h). Each gRPC code keeps its kind so callers decide
// by code, never by message text: UNAVAILABLE → Unavailable (retry elsewhere),
// DEADLINE_EXCEEDED → DeadlineExceeded (retry elsewhere; a write's outcome is unknown), INVALID_ARGUMENT → InvalidArgument, PERMISSION_DENIED → PermissionDenied,
// ALREADY_EXISTS → AlreadyExists, OUT_OF_RANGE → OutOfRange, NOT_FOUND → NotFound,
// RESOURCE_EXHAUSTED → ResourceExhausted, CANCELLED and ABORTED → Aborted, UNIMPLEMENTED → NotSupported,
// anything else → IoError.
//
// Definite vs unknown outcomes of a write: the broker answers ABORTED when the entry was
// appended and may still commit (leadership lost or storage failed after the leader sent it),
// and a call that timed out (DEADLINE_EXCEEDED) may have been appended before or after the
// deadline passed: both are unknown. So is an UNAVAILABLE the broker did not answer itself
// (FromBrokerGrpc): the connection was lost or stopped answering pings after the request may
// have reached the broker (kill -9, a paused or cut-off node). Every other error means "not
// stored": the broker's own refusals and a connection that was never made.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "common/metadata_keys.h"
#include "common/status.h"

namespace raftmq::client {

// The trailing metadata of one answer, copied out of its ClientContext.
using Trailers = std::map<std::string, std::string, std::less<>>;

// `what` names the call and the peer: "SendMessage to 127.0.0.1:10911".
Status FromGrpc(const grpc::Status& status, std::string_view what);
// FromGrpc for a call to a broker: an UNAVAILABLE without the broker's refusal mark
// (kRefusedKey) that is not a failure to connect becomes DeadlineExceeded (no answer; outcome
// unknown), so the caller both asks another node and takes a write as maybe stored.
Status FromBrokerGrpc(const grpc::Status& status, const grpc::ClientContext& context, std::string_view what);
// The leader address a follower named in the trailing metadata, or "".
std::string LeaderHint(const grpc::ClientContext& context);
Trailers CopyTrailers(const grpc::ClientContext& context);
// The trailer `key` as a decimal integer; nullopt when absent or not a number.
std::optional<int64_t> TrailerInt64(const Trailers& trailers, std::string_view key);
// A context whose deadline is `timeout_ms` from now.
std::unique_ptr<grpc::ClientContext> NewContext(int64_t timeout_ms);
// Whether a send that failed so may succeed on another group or later.
bool IsRetriable(const Status& status);
// Whether a write that failed so may have been stored all the same (see above).
bool IsOutcomeUnknown(const Status& status);
// Whether the node gave no useful answer (UNAVAILABLE, or none before the deadline), so the
// caller should ask another node of the group (or another nameserver).
bool IsNodeUnanswering(const Status& status);

}  // namespace raftmq::client
